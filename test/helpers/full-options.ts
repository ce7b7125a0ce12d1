// For each algorithm and flavor: options under which it keeps every state buffer it has, and
// how many buffers that is (the bytes a parameter costs are 4 · (2 + buffers) per element:
// data, gradient and state). The reliability and limit tests step these configurations.
// Derived from the table of algorithms (test/helpers/algorithms.ts) and the specs.
import { OPTIMIZERS, type AnyOptimizer } from '../../src/registry.js';
import { type FullConfig, fullConfigs, limitConfigs } from './algorithms.js';

export type { FullConfig };

/**
 * Every algorithm and flavor with all its buffers on (its row's `full`), then the configurations
 * that keep no buffer at all (plain SGD in both flavors), so the stateless path is stepped too.
 */
export const FULL_CONFIGS: readonly FullConfig[] = [
  ...fullConfigs(),
  ...limitConfigs().filter((c) => c.buffers === 0 && Object.keys(c.options).length === 0),
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
