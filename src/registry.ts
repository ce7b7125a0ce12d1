// Every optimizer the library has, by algorithm name (the golden files' names). The golden
// replay, the CLI and the tests iterate over this table, so adding an algorithm here is all
// they need.
import type { Optimizer, OptimizerOptions, ParamGroupInit, ParamInit } from './optimizer.js';
import { Adagrad } from './optimizers/adagrad.js';
import { RMSprop } from './optimizers/rmsprop.js';

export type AnyOptimizer = Optimizer<object>;

/** Options of any optimizer, loosely typed: the registry's callers pass each algorithm's own. */
export type AnyOptions = OptimizerOptions<object> & Record<string, unknown>;

export type OptimizerClass = new (
  params: readonly ParamInit[] | readonly ParamGroupInit<object>[],
  options?: AnyOptions,
) => AnyOptimizer;

export const OPTIMIZERS: Readonly<Record<string, OptimizerClass>> = {
  adagrad: Adagrad as unknown as OptimizerClass,
  rmsprop: RMSprop as unknown as OptimizerClass,
};

export type AlgorithmName = keyof typeof OPTIMIZERS;
