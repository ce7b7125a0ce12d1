// For each algorithm and flavor: options under which it keeps every state buffer it has, and
// how many buffers that is (the bytes a parameter costs are 4 · (2 + buffers) per element:
// data, gradient and state). The reliability and limit tests step these configurations.
import { OPTIMIZERS, type AnyOptimizer } from '../../src/registry.js';
import type { Flavor } from '../../src/index.js';

export interface FullConfig {
  readonly algorithm: string;
  readonly flavor: Flavor;
  /** Options that switch every buffer on. */
  readonly options: Record<string, unknown>;
  /** State buffers per parameter under `options`. */
  readonly buffers: number;
}

export const FULL_CONFIGS: readonly FullConfig[] = [
  { algorithm: 'adagrad', flavor: 'torch', options: { lr: 0.1, weightDecay: 0.01, lrDecay: 0.001 }, buffers: 1 },
  { algorithm: 'adagrad', flavor: 'tfjs', options: { lr: 0.1 }, buffers: 1 },
  {
    algorithm: 'rmsprop',
    flavor: 'torch',
    options: { lr: 0.01, momentum: 0.9, centered: true, weightDecay: 0.01 },
    buffers: 3,
  },
  { algorithm: 'rmsprop', flavor: 'tfjs', options: { lr: 0.01, momentum: 0.9, centered: true }, buffers: 3 },
  {
    algorithm: 'sgd',
    flavor: 'torch',
    options: { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 },
    buffers: 1,
  },
  { algorithm: 'sgd', flavor: 'tfjs', options: { lr: 0.1 }, buffers: 0 },
  { algorithm: 'momentum', flavor: 'tfjs', options: { lr: 0.1, momentum: 0.9, nesterov: true }, buffers: 1 },
  { algorithm: 'adam', flavor: 'torch', options: { lr: 0.01, amsgrad: true, weightDecay: 0.01 }, buffers: 3 },
  { algorithm: 'adam', flavor: 'tfjs', options: { lr: 0.01 }, buffers: 2 },
  { algorithm: 'adamw', flavor: 'torch', options: { lr: 0.01, amsgrad: true }, buffers: 3 },
  { algorithm: 'adadelta', flavor: 'torch', options: { lr: 1, weightDecay: 0.01 }, buffers: 2 },
  { algorithm: 'adadelta', flavor: 'tfjs', options: { lr: 1 }, buffers: 2 },
  // NAdam (torch only).
  { algorithm: 'nadam', flavor: 'torch', options: { lr: 0.01, weightDecay: 0.01 }, buffers: 2 },
  // RAdam (torch only).
  { algorithm: 'radam', flavor: 'torch', options: { lr: 0.01, weightDecay: 0.01 }, buffers: 2 },
];

/** Constructs a registry algorithm with untyped arguments. */
export function make(algorithm: string, params: unknown, options: Record<string, unknown>): AnyOptimizer {
  const Class = OPTIMIZERS[algorithm]!;
  return new Class(params as never, options);
}

/** Bytes one element of a parameter takes under a configuration: data, grad and state. */
export function bytesPerElement(config: FullConfig): number {
  return 4 * (2 + config.buffers);
}
