// Backend selection: simd ▸ wasm ▸ js, detected once per process, forceable by option.
import { Arena, ArrayBufferMemory } from './arena.js';
import { jsKernels } from './js/index.js';
import { expandSparseRows as expandSparseRowsJs } from './js/sparse.js';
import * as jsGrads from './js/grads.js';
import type { GradOps, KernelSet, SparseExpander } from './kernels.js';
import { compileBuild, hardwareFma, instantiate } from './wasm.js';
import { kernelHeapBase } from './wasm-bytes.generated.js';

/** An implementation of the kernels: f32x4 SIMD Wasm, scalar Wasm, or pure JavaScript. */
export type BackendName = 'simd' | 'wasm' | 'js';
/** A backend name, or `'auto'` for the fastest one this engine supports. */
export type BackendChoice = BackendName | 'auto';

export const BACKEND_NAMES: readonly BackendName[] = ['simd', 'wasm', 'js'];

/**
 * How the torch flavor's fused multiply-adds are computed: `'hardware'`, the CPU's FMA through
 * relaxed SIMD (one instruction, exact); `'emulated'`, exactly in float64 with a check per vector.
 */
export type FmaKind = 'hardware' | 'emulated';

export interface Backend {
  readonly name: BackendName;
  readonly arena: Arena;
  readonly kernels: KernelSet;
  /** Row-sparse gradients to row records (assembly/sparse.ts). */
  readonly expandSparseRows: SparseExpander;
  /** Norms, finiteness checks and scalings of the gradients (assembly/grads.ts). */
  readonly grads: GradOps;
  readonly fma: FmaKind;
}

/** Why a backend is unavailable, or null when it works here. Cached by compileBuild. */
export function backendUnavailableReason(name: BackendName): string | null {
  if (name === 'js') return null;
  const result = compileBuild(name);
  return result instanceof Error ? result.message : null;
}

/** The backends this engine supports, fastest first. */
export function availableBackends(): BackendName[] {
  return BACKEND_NAMES.filter((name) => backendUnavailableReason(name) === null);
}

/** The backend `'auto'` picks here: the first available of simd, wasm, js. */
export function detectBackend(): BackendName {
  return availableBackends()[0] ?? 'js';
}

/** How the SIMD backend computes fused multiply-adds in this engine (see FmaKind). */
export function simdFma(): FmaKind {
  return hardwareFma() === null ? 'emulated' : 'hardware';
}

/**
 * A fresh backend (own memory, own instance) of the given kind. Throws if unavailable.
 *
 * Each WebAssembly.Memory reserves its whole 4 GiB address range plus guard pages up front
 * (~10 GiB of address space on 64-bit V8), so a process can hold only about 13,000 live
 * memories at once (measured on Linux x64; see README "Limits"). Past that the engine refuses
 * a new one: `'auto'` then falls back to the JS backend, whose memory is an ordinary
 * ArrayBuffer; a forced `'simd'` or `'wasm'` throws a RangeError that says so.
 */
export function createBackend(choice: BackendChoice): Backend {
  const name = choice === 'auto' ? detectBackend() : choice;
  if (name === 'js') return createJsBackend();
  const module = compileBuild(name);
  if (module instanceof Error) {
    throw new Error(`backend '${name}' is not available here: ${module.message}`);
  }
  // The SIMD backend takes the hardware FMA wherever the engine provides it fused.
  const hardware = name === 'simd' ? hardwareFma() : null;
  let instance;
  try {
    instance = instantiate(hardware ?? module);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    if (choice === 'auto') return createJsBackend();
    throw new RangeError(
      `backend '${name}': the engine could not allocate a WebAssembly memory (${error.message}); ` +
        `too many live optimizers? dispose() those you no longer need, or use backend 'auto' or 'js'`,
    );
  }
  return {
    name,
    arena: instance.arena,
    kernels: instance.kernels,
    expandSparseRows: instance.expandSparseRows,
    grads: instance.grads,
    fma: hardware === null ? 'emulated' : 'hardware',
  };
}

function createJsBackend(): Backend {
  // The Wasm builds' first free byte, so that the JS backend lays out memory as they do and
  // accepts and refuses exactly the same optimizers.
  const arena = new Arena(new ArrayBufferMemory(1), kernelHeapBase);
  const expandSparseRows: SparseExpander = (descs, count, out) =>
    expandSparseRowsJs(arena.f32, arena.u32, descs, count, out);
  // The views are read at each call (not captured): a grow replaces them.
  const grads: GradOps = {
    normOf: (ptr, n, kind, div, mul) => jsGrads.normOf(arena.f32, ptr, n, kind, div, mul),
    gradNorms: (table, count, kind, out) => jsGrads.gradNorms(arena.f32, arena.u32, table, count, kind, out),
    gradsFinite: (table, count) => jsGrads.gradsFinite(arena.f32, arena.u32, table, count),
    scaleGrad: (ptr, n, div, mul) => jsGrads.scaleGrad(arena.f32, ptr, n, div, mul),
    unscaleGrads: (table, count, div, mul) => jsGrads.unscaleGrads(arena.f32, arena.u32, table, count, div, mul),
    clampGrad: (ptr, n, lo, hi) => jsGrads.clampGrad(arena.f32, ptr, n, lo, hi),
  };
  return { name: 'js', arena, kernels: jsKernels(arena), expandSparseRows, grads, fma: 'emulated' };
}
