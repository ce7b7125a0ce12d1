// The fuzzer's per-algorithm descriptions, by registry name: every description file of this
// folder (listed by scripts/gen-contract.mjs into index.generated.ts). An algorithm in the
// registry without one is still fuzzed (cross-backend identity, laws, bad input) with option
// domains guessed from its defaults, but has no float64 oracle.
import type { AlgorithmDescription } from '../describe.js';
import { ALL_DESCRIPTIONS } from './index.generated.js';

export const DESCRIPTIONS: Readonly<Record<string, AlgorithmDescription>> = Object.fromEntries(
  ALL_DESCRIPTIONS.map((description) => [description.algorithm, description]),
);
