// The fuzzer's per-algorithm descriptions, by registry name. An algorithm in the registry
// without one is still fuzzed (cross-backend identity, laws, bad input) with option domains
// guessed from its defaults, but has no float64 oracle.
import type { AlgorithmDescription } from '../describe.js';
import { adadelta } from './adadelta.js';
import { adagrad } from './adagrad.js';
import { adam, adamw } from './adam.js';
import { nadam } from './nadam.js';
import { radam } from './radam.js';
import { rmsprop } from './rmsprop.js';
import { momentum, sgd } from './sgd.js';

export const DESCRIPTIONS: Readonly<Record<string, AlgorithmDescription>> = {
  adagrad,
  rmsprop,
  sgd,
  momentum,
  adam,
  adamw,
  adadelta,
  nadam,
  radam,
};
