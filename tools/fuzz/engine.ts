// The fuzzing loop: case i of a run is generated from (seed, i) alone, so any case can be
// regenerated from the seed and its number, whatever the number of workers. Runs cases until
// the time or case budget is spent, accumulates the figures, and shrinks the first failure of
// each kind into a minimal replayable case.
import type { Flavor } from '#lib/spec.js';
import { buildBigCase } from './big.js';
import { caseToJson, countSteps, type FuzzCase, type LawName } from './case.js';
import { buildCase, randomKnobs } from './generate.js';
import { algorithmInfo, combinations } from './info.js';
import { emptyStats, mergeStats, type OracleStats } from './oracle.js';
import { Random } from './random.js';
import { runCase, signature, type CaseResult, type Mismatch, type RunConfig } from './runner.js';
import { caseSize, shrinkCase } from './shrink.js';

export interface FuzzPlan {
  seed: number;
  algorithms: readonly string[];
  flavors: readonly Flavor[];
  run?: RunConfig;
  /**
   * Probability that a case is a memory case past 2 GiB (big.ts); default 0. Only for machines
   * where big.ts bigMemoryFits: such a case takes about 3 GiB per backend.
   */
  bigMemory?: number;
}

/** Case `index` of a run (deterministic). */
export function caseAt(plan: FuzzPlan, index: number): FuzzCase {
  const r = new Random(plan.seed, index, 0xca5e);
  const [algorithm, flavor] = r.pick(combinations(plan.algorithms, plan.flavors));
  const origin = `seed ${plan.seed} case ${index}`;
  // Drawn from a stream of its own: the other cases of a seed are the same with it on or off.
  const rb = new Random(plan.seed, index, 0xb16);
  if (
    (plan.bigMemory ?? 0) > 0 &&
    rb.chance(plan.bigMemory!) &&
    algorithmInfo(algorithm).oracle(flavor) !== undefined
  ) {
    return { ...buildBigCase(rb, algorithm, flavor), origin };
  }
  const built = buildCase(randomKnobs(r, algorithm, flavor), { backends: plan.run?.backends });
  return { ...built, origin };
}

export interface Totals {
  cases: number;
  /** Steps of the histories (each compared on every backend, by the oracle and the laws). */
  steps: number;
  /** step() calls over all lanes (backends and law variants), every one compared. */
  optimizerSteps: number;
  /** float32 values compared bit for bit between backends and law variants. */
  values: number;
  badOps: number;
  /** Failing addParamGroup calls (among badOps). */
  failedAdds: number;
  /** Invalid row-sparse gradients (among badOps). */
  badSparse: number;
  /** Cases with row-shaped tensors. */
  sparseCases: number;
  /** Row-sparse gradients stepped (in history steps; each compared on every backend and lane). */
  sparseGrads: number;
  /** Of those, checked by the float64 oracle (coalesced; listed rows by the rule, the others unchanged). */
  sparseOracleSteps: number;
  /** Values of rows a sparse step did not list, checked unchanged bit for bit by the oracle. */
  untouched: number;
  growths: number;
  /** Memory cases past 2 GiB run (big.ts). */
  bigMemory: number;
  laws: Partial<Record<LawName, number>>;
  /** Oracle statistics by "algorithm/flavor". */
  oracle: Record<string, OracleStats>;
  /** Cases with a mismatch. */
  failedCases: number;
  /** Wall-clock ms spent running cases (shrinking excluded); the longest worker's when merged. */
  fuzzMs: number;
}

export function emptyTotals(): Totals {
  return {
    cases: 0,
    steps: 0,
    optimizerSteps: 0,
    values: 0,
    badOps: 0,
    failedAdds: 0,
    badSparse: 0,
    sparseCases: 0,
    sparseGrads: 0,
    sparseOracleSteps: 0,
    untouched: 0,
    growths: 0,
    bigMemory: 0,
    laws: {},
    oracle: {},
    failedCases: 0,
    fuzzMs: 0,
  };
}

export function addResult(totals: Totals, c: FuzzCase, result: CaseResult): void {
  totals.cases++;
  totals.steps += result.steps;
  totals.optimizerSteps += result.optimizerSteps;
  totals.values += result.valuesCompared;
  totals.badOps += result.badOps;
  totals.failedAdds += result.failedAdds;
  totals.badSparse += result.badSparse;
  if (c.tensors.some((t) => t.rows !== undefined)) totals.sparseCases++;
  totals.sparseGrads += result.sparseGrads;
  totals.sparseOracleSteps += result.oracle?.sparseSteps ?? 0;
  totals.untouched += result.oracle?.untouched ?? 0;
  totals.growths += result.growths;
  totals.bigMemory += result.bigMemory;
  for (const [law, n] of Object.entries(result.lawsChecked))
    totals.laws[law as LawName] = (totals.laws[law as LawName] ?? 0) + n;
  if (result.oracle !== null) {
    const key = `${c.algorithm}/${c.flavor}`;
    mergeStats((totals.oracle[key] ??= emptyStats()), result.oracle);
  }
  if (result.mismatches.length > 0) totals.failedCases++;
}

export function mergeTotals(into: Totals, from: Totals): void {
  into.cases += from.cases;
  into.steps += from.steps;
  into.optimizerSteps += from.optimizerSteps;
  into.values += from.values;
  into.badOps += from.badOps;
  into.failedAdds += from.failedAdds;
  into.badSparse += from.badSparse;
  into.sparseCases += from.sparseCases;
  into.sparseGrads += from.sparseGrads;
  into.sparseOracleSteps += from.sparseOracleSteps;
  into.untouched += from.untouched;
  into.growths += from.growths;
  into.bigMemory += from.bigMemory;
  into.failedCases += from.failedCases;
  into.fuzzMs = Math.max(into.fuzzMs, from.fuzzMs);
  for (const [law, n] of Object.entries(from.laws)) into.laws[law as LawName] = (into.laws[law as LawName] ?? 0) + n;
  for (const [key, stats] of Object.entries(from.oracle)) mergeStats((into.oracle[key] ??= emptyStats()), stats);
}

export interface Failure {
  /** Where the failing case came from ("seed S case I", or a replayed file). */
  origin: string;
  mismatch: Mismatch;
  /** The failing case as found and its shrunk form, both as JSON. */
  original: Record<string, unknown>;
  shrunk: Record<string, unknown>;
  /** The mismatch the shrunk case shows. */
  shrunkMismatch: Mismatch;
  originalSize: ReturnType<typeof caseSize>;
  shrunkSize: ReturnType<typeof caseSize>;
  evaluations: number;
}

/** Shrinks a failing case (same mismatch kind and check) within the budget. */
export function shrinkFailure(c: FuzzCase, mismatch: Mismatch, run: RunConfig = {}, ms = 20_000): Failure {
  const want = signature(mismatch);
  const config: RunConfig = { ...run, stopAtFirst: true };
  const fails = (candidate: FuzzCase): boolean =>
    runCase(candidate, config).mismatches.some((m) => signature(m) === want);
  const shrunk = shrinkCase(c, fails, { ms, evaluations: 5000 }, mismatch.op);
  const shrunkMismatch = runCase(shrunk.case, config).mismatches.find((m) => signature(m) === want) ?? mismatch;
  return {
    origin: c.origin ?? 'replay',
    mismatch,
    original: caseToJson(c),
    shrunk: caseToJson({
      ...shrunk.case,
      note: `${mismatch.kind} (${mismatch.check}): ${shrunkMismatch.where}: ${shrunkMismatch.message.split('\n')[0]}`,
    }),
    shrunkMismatch,
    originalSize: caseSize(c),
    shrunkSize: caseSize(shrunk.case),
    evaluations: shrunk.evaluations,
  };
}

export interface LoopOptions {
  plan: FuzzPlan;
  /** First case index and the stride between this loop's cases (for workers). */
  start?: number;
  stride?: number;
  /** Stop after this many ms (wall clock) … */
  ms?: number;
  /** … or this many cases (of this loop). */
  cases?: number;
  /** Shrink failures (default true), at most `shrinkMs` each. */
  shrink?: boolean;
  shrinkMs?: number;
  /** Called about every `progressMs` with the totals so far. */
  onProgress?: (totals: Totals) => void;
  progressMs?: number;
  onFailure?: (failure: Failure) => void;
}

/**
 * Runs cases until the budget is spent, then shrinks the first failure of each kind (after
 * the budget, so that the figures measure fuzzing alone).
 */
export function fuzzLoop(options: LoopOptions): Totals {
  const { plan } = options;
  for (const name of plan.algorithms) algorithmInfo(name); // probe up front (and fail fast)
  if (combinations(plan.algorithms, plan.flavors).length === 0)
    throw new RangeError('no algorithm has any of the flavors asked for');
  const totals = emptyTotals();
  const stride = options.stride ?? 1;
  const started = Date.now();
  const deadline = options.ms === undefined ? Infinity : started + options.ms;
  const limit = options.cases ?? Infinity;
  const firsts = new Map<string, { c: FuzzCase; mismatch: Mismatch }>();
  let lastProgress = started;
  for (let n = 0, index = options.start ?? 0; n < limit && Date.now() < deadline; n++, index += stride) {
    const c = caseAt(plan, index);
    const result = runCase(c, plan.run);
    addResult(totals, c, result);
    totals.fuzzMs = Date.now() - started;
    const first = result.mismatches[0];
    if (first !== undefined) {
      const key = `${c.algorithm}/${c.flavor} ${signature(first)}`;
      if (!firsts.has(key)) firsts.set(key, { c, mismatch: first });
    }
    if (options.onProgress && Date.now() - lastProgress >= (options.progressMs ?? 250)) {
      lastProgress = Date.now();
      options.onProgress(totals);
    }
  }
  totals.fuzzMs = Date.now() - started;
  options.onProgress?.(totals);
  for (const { c, mismatch } of firsts.values()) {
    const failure: Failure =
      options.shrink === false
        ? {
            origin: c.origin ?? '',
            mismatch,
            original: caseToJson(c),
            shrunk: caseToJson(c),
            shrunkMismatch: mismatch,
            originalSize: caseSize(c),
            shrunkSize: caseSize(c),
            evaluations: 0,
          }
        : shrinkFailure(c, mismatch, plan.run, options.shrinkMs);
    options.onFailure?.(failure);
  }
  return totals;
}

export { countSteps };
