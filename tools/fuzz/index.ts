// Differential fuzzing of the optimizers: every backend against every other, against a
// float64 oracle, against metamorphic laws and against invalid input. See docs/exactness.md
// "Differential fuzzing"; the command line is `wasm-optim fuzz` (tools/cli/fuzz.ts).
export { buildBigCase, bigMemoryFits, BIG_DEFAULT_PROBABILITY } from './big.js';
export { caseFromJson, caseToJson, caseToText, CASE_FORMAT, type FuzzCase, type Law, type Op } from './case.js';
export {
  caseAt,
  fuzzLoop,
  shrinkFailure,
  emptyTotals,
  mergeTotals,
  type Failure,
  type FuzzPlan,
  type Totals,
} from './engine.js';
export { buildCase, randomKnobs, type Knobs } from './generate.js';
export { algorithmInfo, registryAlgorithms } from './info.js';
export { boundQuantile, type OracleStats } from './oracle.js';
export { readCaseFile, replayFiles, ReplayPathError } from './replay.js';
export { runCase, signature, type CaseResult, type Mismatch, type RunConfig } from './runner.js';
export { shrinkCase } from './shrink.js';
