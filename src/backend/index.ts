// Backend selection: simd ▸ wasm ▸ js, detected once per process, forceable by option.
import { Arena, ArrayBufferMemory } from './arena.js';
import { jsKernels } from './js/index.js';
import type { KernelSet } from './kernels.js';
import { compileBuild, hardwareFma, instantiate } from './wasm.js';

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

/** A fresh backend (own memory, own instance) of the given kind. Throws if unavailable. */
export function createBackend(choice: BackendChoice): Backend {
  const name = choice === 'auto' ? detectBackend() : choice;
  if (name === 'js') {
    const arena = new Arena(new ArrayBufferMemory(1), 0);
    return { name, arena, kernels: jsKernels(arena), fma: 'emulated' };
  }
  const module = compileBuild(name);
  if (module instanceof Error) {
    throw new Error(`backend '${name}' is not available here: ${module.message}`);
  }
  // The SIMD backend takes the hardware FMA wherever the engine provides it fused.
  const hardware = name === 'simd' ? hardwareFma() : null;
  const { arena, kernels } = instantiate(hardware ?? module);
  return { name, arena, kernels, fma: hardware === null ? 'emulated' : 'hardware' };
}
