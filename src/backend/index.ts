// Backend selection: simd ▸ wasm ▸ js, detected once per process, forceable by option.
import { Arena, ArrayBufferMemory } from './arena.js';
import { jsKernels } from './js/index.js';
import type { KernelSet } from './kernels.js';
import { compileBuild, instantiate } from './wasm.js';

/** An implementation of the kernels: f32x4 SIMD Wasm, scalar Wasm, or pure JavaScript. */
export type BackendName = 'simd' | 'wasm' | 'js';
/** A backend name, or `'auto'` for the fastest one this engine supports. */
export type BackendChoice = BackendName | 'auto';

export const BACKEND_NAMES: readonly BackendName[] = ['simd', 'wasm', 'js'];

export interface Backend {
  readonly name: BackendName;
  readonly arena: Arena;
  readonly kernels: KernelSet;
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

/** A fresh backend (own memory, own instance) of the given kind. Throws if unavailable. */
export function createBackend(choice: BackendChoice): Backend {
  const name = choice === 'auto' ? detectBackend() : choice;
  if (name === 'js') {
    const arena = new Arena(new ArrayBufferMemory(1), 0);
    return { name, arena, kernels: jsKernels(arena) };
  }
  const module = compileBuild(name);
  if (module instanceof Error) {
    throw new Error(`backend '${name}' is not available here: ${module.message}`);
  }
  const { arena, kernels } = instantiate(module);
  return { name, arena, kernels };
}
