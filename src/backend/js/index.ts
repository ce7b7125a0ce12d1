// The pure-JS backend: the reference kernels bound to an arena, behind the same KernelSet
// interface as the Wasm builds.
import type { Arena } from '../arena.js';
import { KERNEL_NAMES, type Kernel, type KernelName, type KernelSet } from '../kernels.js';
import { JS_KERNELS } from './kernels.generated.js';

export function jsKernels(arena: Arena): KernelSet {
  const kernels = {} as Record<KernelName, Kernel>;
  for (const name of KERNEL_NAMES) {
    const kernel = JS_KERNELS[name];
    // The views are read at each call (not captured): a grow between steps replaces them.
    kernels[name] = (table, count) => kernel(arena.f32, arena.u32, table, count);
  }
  return kernels;
}
