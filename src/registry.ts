// Every optimizer the library has, by algorithm name (the golden files' names). The golden
// replay, the CLI and the tests iterate over this table, so adding an algorithm here is all
// they need.
import { type Optimizer, type OptimizerOptions, type ParamGroupInit, type ParamInit, specOf } from './optimizer.js';
import { Adadelta } from './optimizers/adadelta.js';
import { Adagrad } from './optimizers/adagrad.js';
import { Adam, AdamW } from './optimizers/adam.js';
import { RMSprop } from './optimizers/rmsprop.js';
import { Momentum, SGD } from './optimizers/sgd.js';
import type { AlgorithmSpec } from './spec.js';

/** Any optimizer, seen through what every algorithm shares. */
export type AnyOptimizer = Optimizer<object>;

/** Options of any optimizer, loosely typed: the registry's callers pass each algorithm's own. */
type AnyOptions = OptimizerOptions<object> & Record<string, unknown>;

// The table holds classes of different option types side by side. Optimizer<O> is invariant in O
// (options are read and written), so no single O covers them all: the constructor type takes
// `any` for O, which each class satisfies as it is (no casts), and what it builds is assignable
// to AnyOptimizer.
export type OptimizerClass = new (
  // biome-ignore lint/suspicious/noExplicitAny: the one heterogeneous view of every class
  params: readonly ParamInit[] | readonly ParamGroupInit<any>[],
  options?: AnyOptions,
  // biome-ignore lint/suspicious/noExplicitAny: see above
) => Optimizer<any>;

/** The algorithms by name, in report order. */
export const ALGORITHM_NAMES = ['adagrad', 'rmsprop', 'sgd', 'momentum', 'adam', 'adamw', 'adadelta'] as const;

export type AlgorithmName = (typeof ALGORITHM_NAMES)[number];

/** Each algorithm's class: every name of ALGORITHM_NAMES, checked by the compiler. */
export const ALGORITHMS: Readonly<Record<AlgorithmName, OptimizerClass>> = {
  adagrad: Adagrad,
  rmsprop: RMSprop,
  sgd: SGD,
  momentum: Momentum,
  adam: Adam,
  adamw: AdamW,
  adadelta: Adadelta,
};

/** The same table for lookups by any string (a golden file's or a command line's name): undefined if unknown. */
export const OPTIMIZERS: Readonly<Record<string, OptimizerClass>> = ALGORITHMS;

/**
 * The spec an algorithm's class runs (rules, flavors, defaults, unsupported options, state),
 * read from a one-element instance on the JS backend, so it is the class's own, not a copy.
 */
export function specOfAlgorithm(name: AlgorithmName): AlgorithmSpec<Record<string, unknown>> {
  const optimizer = new ALGORITHMS[name]([1], { backend: 'js' });
  const spec = specOf(optimizer) as AlgorithmSpec<Record<string, unknown>>;
  optimizer.dispose();
  return spec;
}
