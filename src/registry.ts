// Every optimizer the library has, by algorithm name (the golden files' names), derived from
// what the package exports: each exported optimizer class, under its spec's name lowercased
// ('RMSprop' → 'rmsprop', 'AdamW' → 'adamw'), in alphabetical order. The golden replay, the
// CLI, the fuzzer, the bench and the tests iterate over this table, so exporting an
// algorithm's class from src/index.ts is all they need.
import * as library from './index.js';
import { Optimizer, type OptimizerOptions, type ParamGroupInit, type ParamInit } from './optimizer.js';
import type { AlgorithmSpec } from './spec.js';

/** Any optimizer, seen through what every algorithm shares. */
export type AnyOptimizer = Optimizer<object>;

/** Options of any optimizer, loosely typed: the registry's callers pass each algorithm's own. */
type AnyOptions = OptimizerOptions<object> & Record<string, unknown>;

// The table holds classes of different option types side by side. Optimizer<O> is invariant in O
// (options are read and written), so no single O covers them all: the constructor type takes
// `any` for O, which each class satisfies as it is (no casts), and what it builds is assignable
// to AnyOptimizer.
export type OptimizerClass = (new (
  // biome-ignore lint/suspicious/noExplicitAny: the one heterogeneous view of every class
  params: readonly ParamInit[] | readonly ParamGroupInit<any>[],
  options?: AnyOptions,
  // biome-ignore lint/suspicious/noExplicitAny: see above
) => Optimizer<any>) & {
  /** The algorithm's description (src/spec.ts): option rules, flavors, kernel contracts. */
  // biome-ignore lint/suspicious/noExplicitAny: see above
  readonly spec: AlgorithmSpec<any>;
};

type Library = typeof library;

/** The registry name of every optimizer class the package exports: 'adagrad', 'rmsprop', … */
export type AlgorithmName = {
  [K in keyof Library]: Library[K] extends OptimizerClass ? Lowercase<K & string> : never;
}[keyof Library];

function isOptimizerClass(value: unknown): value is OptimizerClass {
  return typeof value === 'function' && value.prototype instanceof Optimizer && 'spec' in value;
}

/**
 * Each algorithm's class: every exported optimizer class, keyed by its spec's name lowercased
 * (a string in the source, so minified class names do not matter), in alphabetical order.
 */
export const ALGORITHMS: Readonly<Record<AlgorithmName, OptimizerClass>> = Object.freeze(
  Object.fromEntries(
    Object.values(library)
      .flatMap((value: unknown) => (isOptimizerClass(value) ? [[value.spec.name.toLowerCase(), value] as const] : []))
      // Sorted: a module namespace's key order differs between engines and bundlers.
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  ) as Record<AlgorithmName, OptimizerClass>,
);

/** The algorithms by name, in alphabetical order. */
export const ALGORITHM_NAMES: readonly AlgorithmName[] = Object.freeze(Object.keys(ALGORITHMS) as AlgorithmName[]);

/** The same table for lookups by any string (a golden file's or a command line's name): undefined if unknown. */
export const OPTIMIZERS: Readonly<Record<string, OptimizerClass>> = ALGORITHMS;

/** The spec an algorithm's class runs (rules, flavors, defaults, unsupported options, state). */
export function specOfAlgorithm(name: AlgorithmName): AlgorithmSpec<Record<string, unknown>> {
  return ALGORITHMS[name].spec;
}
