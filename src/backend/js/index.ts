// The pure-JS backend: the reference kernels bound to an arena, behind the same KernelSet
// interface as the Wasm builds.
import type { Arena } from '../arena.js';
import type { KernelSet } from '../kernels.js';
import { adagradStep, adagradStepTfjs } from './adagrad.js';
import { rmspropStep, rmspropStepTfjs } from './rmsprop.js';

type JsKernel = (f32: Float32Array, u32: Uint32Array, table: number, count: number) => void;

export function jsKernels(arena: Arena): KernelSet {
  // The views are read at each call (not captured): a grow between steps replaces them.
  const bind = (kernel: JsKernel) => (table: number, count: number): void =>
    kernel(arena.f32, arena.u32, table, count);
  return {
    adagradStep: bind(adagradStep),
    adagradStepTfjs: bind(adagradStepTfjs),
    rmspropStep: bind(rmspropStep),
    rmspropStepTfjs: bind(rmspropStepTfjs),
  };
}
