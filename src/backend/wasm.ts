// Loads the embedded kernel binaries with the WebAssembly API directly: no loader package, no
// generated glue, no copies of typed arrays per call. Compilation is synchronous (the binaries
// are small) and cached per build; each optimizer instantiates its own instance over its own
// memory, so optimizers share no mutable state.
import { Arena } from './arena.js';
import { KERNEL_NAMES, type KernelSet, type WasmKernelExports } from './kernels.js';
import { scalarWasmBase64, simdWasmBase64 } from './wasm-bytes.generated.js';

export type WasmBuild = 'simd' | 'wasm';

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
  return decodeBase64(build === 'simd' ? simdWasmBase64 : scalarWasmBase64);
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
    return new Error(`this engine does not validate the ${build === 'simd' ? 'SIMD' : 'scalar'} kernel binary`);
  }
  try {
    return new WebAssembly.Module(bytes);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

export interface WasmInstance {
  readonly arena: Arena;
  readonly kernels: KernelSet;
}

/** A fresh instance of a compiled build over a fresh memory. */
export function instantiate(module: WebAssembly.Module): WasmInstance {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const instance = new WebAssembly.Instance(module, { env: { memory, abort: abortFromWasm } });
  const exports = instance.exports as unknown as WasmKernelExports;
  for (const name of KERNEL_NAMES) {
    if (typeof exports[name] !== 'function') throw new Error(`kernel binary lacks export ${name}`);
  }
  return { arena: new Arena(memory, exports.heapBase()), kernels: exports };
}

// Release builds use --noAssert and allocate nothing, so abort is unreachable; the import is
// there because AssemblyScript always declares it.
function abortFromWasm(): never {
  throw new Error('wasm-optim kernel aborted');
}
