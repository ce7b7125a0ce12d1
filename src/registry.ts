// Every optimizer the library has, by algorithm name (the golden files' names). The golden
// replay, the CLI and the tests iterate over this table, so adding an algorithm here is all
// they need.
import type { Optimizer, OptimizerOptions, ParamGroupInit, ParamInit } from './optimizer.js';
import { Adagrad } from './optimizers/adagrad.js';
import { RMSprop } from './optimizers/rmsprop.js';
import { Momentum, SGD } from './optimizers/sgd.js';
import { Adam, AdamW } from './optimizers/adam.js';
import { Adadelta } from './optimizers/adadelta.js';

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
  sgd: SGD as unknown as OptimizerClass,
  momentum: Momentum as unknown as OptimizerClass,
  adam: Adam as unknown as OptimizerClass,
  adamw: AdamW as unknown as OptimizerClass,
  adadelta: Adadelta as unknown as OptimizerClass,
};

export type AlgorithmName = keyof typeof OPTIMIZERS;
