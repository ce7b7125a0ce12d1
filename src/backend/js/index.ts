// The pure-JS backend: the reference kernels bound to an arena, behind the same KernelSet
// interface as the Wasm builds.
import type { Arena } from '../arena.js';
import type { KernelSet } from '../kernels.js';
import { adagradStep, adagradStepTfjs } from './adagrad.js';
import { rmspropStep, rmspropStepTfjs } from './rmsprop.js';
import { sgdStep, sgdStepTfjs } from './sgd.js';
import { adamStep, adamStepTfjs } from './adam.js';
import { adadeltaStep, adadeltaStepTfjs } from './adadelta.js';

type JsKernel = (f32: Float32Array, u32: Uint32Array, table: number, count: number) => void;

export function jsKernels(arena: Arena): KernelSet {
  // The views are read at each call (not captured): a grow between steps replaces them.
  const bind =
    (kernel: JsKernel) =>
    (table: number, count: number): void =>
      kernel(arena.f32, arena.u32, table, count);
  return {
    adagradStep: bind(adagradStep),
    adagradStepTfjs: bind(adagradStepTfjs),
    rmspropStep: bind(rmspropStep),
    rmspropStepTfjs: bind(rmspropStepTfjs),
    sgdStep: bind(sgdStep),
    sgdStepTfjs: bind(sgdStepTfjs),
    adamStep: bind(adamStep),
    adamStepTfjs: bind(adamStepTfjs),
    adadeltaStep: bind(adadeltaStep),
    adadeltaStepTfjs: bind(adadeltaStepTfjs),
  };
}
