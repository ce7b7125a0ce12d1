// Loads the embedded kernel binaries with the WebAssembly API directly: no loader package, no
// generated glue, no copies of typed arrays per call. Compilation is synchronous (the binaries
// are small) and cached per build; each optimizer instantiates its own instance over its own
// memory, so optimizers share no mutable state.
import { Arena } from './arena.js';
import { fmaf } from './js/fma.js';
import {
  GRAD_OP_NAMES,
  KERNEL_NAMES,
  type GradOps,
  type KernelSet,
  type SparseExpander,
  type WasmKernelExports,
} from './kernels.js';
import { fmaWasmBase64, kernelHeapBase, scalarWasmBase64, simdWasmBase64 } from './wasm-bytes.generated.js';

/** The kernel binaries: f32x4 SIMD with emulated FMA, the same with relaxed SIMD's FMA, scalar. */
export type WasmBuild = 'simd' | 'fma' | 'wasm';

const BASE64: Record<WasmBuild, string> = { simd: simdWasmBase64, fma: fmaWasmBase64, wasm: scalarWasmBase64 };
const TITLE: Record<WasmBuild, string> = { simd: 'SIMD', fma: 'relaxed-SIMD', wasm: 'scalar' };

// Failures are cached too: in a page whose Content-Security-Policy forbids compilation, each
// attempt would log (and possibly report) a violation, once per optimizer constructed.
const compiled = new Map<WasmBuild, WebAssembly.Module | Error>();

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** The binary of a build (the SIMD one doubles as the engine's SIMD feature probe). */
export function wasmBytes(build: WasmBuild): Uint8Array<ArrayBuffer> {
  return decodeBase64(BASE64[build]);
}

/**
 * The compiled module of a build, or the reason it cannot be had here: WebAssembly missing,
 * SIMD not validated by the engine, or compilation forbidden (a Content-Security-Policy
 * without 'wasm-unsafe-eval').
 */
export function compileBuild(build: WasmBuild): WebAssembly.Module | Error {
  let result = compiled.get(build);
  if (result === undefined) {
    result = compileUncached(build);
    compiled.set(build, result);
  }
  return result;
}

function compileUncached(build: WasmBuild): WebAssembly.Module | Error {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.Module !== 'function') {
    return new Error('WebAssembly is not available in this engine');
  }
  const bytes = wasmBytes(build);
  if (!WebAssembly.validate(bytes)) {
    return new Error(`this engine does not validate the ${TITLE[build]} kernel binary`);
  }
  try {
    return new WebAssembly.Module(bytes);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

// The hardware FMA. Relaxed SIMD's f32x4.relaxed_madd may be computed fused (one rounding,
// exactly PyTorch's FMA) or as a multiply and an add (two roundings), at the engine's choice;
// V8 fuses it where the CPU has an FMA instruction (x86 with FMA3, ARM64), in both its
// compilers. The 'fma' build is used for the SIMD backend only if the engine validates relaxed
// SIMD and a probe finds relaxed_madd fused in every lane on operands where the two choices
// differ; otherwise the SIMD backend keeps the float64 emulation.

/** Operands whose fused and unfused results differ (test/hardware-fma.test.ts checks that). */
export const FMA_PROBES: readonly (readonly [number, number, number])[] = [
  // (1 + 2⁻¹²)² − (1 + 2⁻¹¹) = 2⁻²⁴ exactly; rounding the product first gives 0.
  [1 + 2 ** -12, 1 + 2 ** -12, -(1 + 2 ** -11)],
  [-(1 + 2 ** -12), 1 + 2 ** -12, 1 + 2 ** -11],
  // (1 + 2⁻²³)(1 − 2⁻²³) − 1 = −2⁻⁴⁶; the rounded product is 1, so unfused gives 0.
  [1 + 2 ** -23, 1 - 2 ** -23, -1],
];

let hardwareFmaAllowed = true;
let hardwareFmaModule: WebAssembly.Module | null | undefined;

/**
 * The 'fma' build when this engine computes relaxed_madd fused, else null (cached).
 * Tests switch it off with allowHardwareFma(false) to exercise the emulation in any engine.
 */
export function hardwareFma(): WebAssembly.Module | null {
  if (!hardwareFmaAllowed) return null;
  if (hardwareFmaModule === undefined) hardwareFmaModule = probeHardwareFma();
  return hardwareFmaModule;
}

/** Allows (the default) or forbids the hardware-FMA build for backends created from now on. */
export function allowHardwareFma(allowed: boolean): void {
  hardwareFmaAllowed = allowed;
}

function probeHardwareFma(): WebAssembly.Module | null {
  const module = compileBuild('fma');
  if (module instanceof Error) return null;
  try {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const instance = new WebAssembly.Instance(module, { env: { memory, abort: abortFromWasm } });
    const lane = instance.exports['relaxedMaddLane'] as (a: number, b: number, c: number, lane: number) => number;
    for (const [a, b, c] of FMA_PROBES) {
      const exact = fmaf(a, b, c);
      for (let k = 0; k < 4; k++) {
        if (!Object.is(lane(a, b, c, k), exact)) return null;
      }
    }
    return module;
  } catch {
    return null;
  }
}

interface WasmInstance {
  readonly arena: Arena;
  readonly kernels: KernelSet;
  readonly expandSparseRows: SparseExpander;
  readonly grads: GradOps;
}

/** A fresh instance of a compiled build over a fresh memory. */
export function instantiate(module: WebAssembly.Module): WasmInstance {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const instance = new WebAssembly.Instance(module, { env: { memory, abort: abortFromWasm } });
  const exports = instance.exports as unknown as WasmKernelExports;
  for (const name of KERNEL_NAMES) {
    if (typeof exports[name] !== 'function') throw new Error(`kernel binary lacks export ${name}`);
  }
  // Every backend starts at the same offset (see kernelHeapBase), so layouts and limits agree.
  if (typeof exports.expandSparseRows !== 'function') throw new Error('kernel binary lacks export expandSparseRows');
  for (const name of GRAD_OP_NAMES) {
    if (typeof exports[name] !== 'function') throw new Error(`kernel binary lacks export ${name}`);
  }
  return {
    grads: exports,
    arena: new Arena(memory, Math.max(exports.heapBase(), kernelHeapBase)),
    kernels: exports,
    expandSparseRows: exports.expandSparseRows,
  };
}

// Release builds use --noAssert and allocate nothing, so abort is unreachable; the import is
// there because AssemblyScript always declares it.
function abortFromWasm(): never {
  throw new Error('wasm-optim kernel aborted');
}
