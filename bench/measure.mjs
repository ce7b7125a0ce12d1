// Times tasks with tinybench 6: one round at a time, so the run plan can interleave the
// implementations of one algorithm and size (round 1 of each, round 2 of each, …). On a noisy
// machine a slow phase then hits every implementation alike instead of one task entirely.
import { Bench } from 'tinybench';

/**
 * @typedef {object} RoundSettings
 * @property {number} timeMs       time budget of one round (tinybench `time`)
 * @property {number} warmupMs     warmup budget of one round (tinybench `warmupTime`)
 * @property {number} minSamples   minimum samples per round (tinybench `iterations`)
 */

/**
 * @typedef {object} Measurement  all times in nanoseconds per call of the task function
 * @property {number} medianNs    the median of the rounds' medians: robust to a round that a
 *                                busy sibling hyperthread slowed down as a whole
 * @property {number} pooledMedianNs  the median of every sample of every round
 * @property {number} meanNs
 * @property {number} minNs
 * @property {number} rme         relative margin of error of the mean, % (95 %, Student's t)
 * @property {number} samples     samples over all rounds
 * @property {number} stepsPerSample  calls batched into each sample
 * @property {number[]} roundMediansNs  the median of each round, in the order run
 */

/** Frees garbage now, so no task pays for the previous one's. Needs node --expose-gc. */
export function collectGarbage() {
  if (typeof globalThis.gc === 'function') globalThis.gc();
}

/**
 * How many calls to batch into one sample so a sample lasts at least `minSampleMs`: a 1K-element
 * SIMD step takes under a microsecond, near the cost of reading the clock. Measured from the
 * first calls, which also warm up the JIT: for ~20 ms and at least two calls, the first left out
 * of the estimate (it pays for page faults and unoptimized code: 4× a later one at 4M), except
 * when it took over 0.5 s (TF.js cpu at 4M), which is estimate enough.
 * @param {() => unknown} fn
 * @param {number} minSampleMs
 * @returns {{ batch: number, estimateMs: number }}
 */
export function calibrate(fn, minSampleMs) {
  const start = performance.now();
  fn();
  const first = performance.now() - start;
  if (first > 500) return { batch: 1, estimateMs: first };
  let calls = 0;
  let elapsed = 0;
  do {
    fn();
    calls++;
    elapsed = performance.now() - start - first;
  } while (elapsed < 20 && calls < 1e6);
  const estimateMs = elapsed / calls;
  return { batch: Math.max(1, Math.ceil(minSampleMs / estimateMs)), estimateMs };
}

/**
 * One round: tinybench's warmup then its timed loop. Batched samples are reported per call
 * through tinybench's overriddenDuration (per call) and overriddenIterationCost (budget).
 * @param {() => unknown} fn
 * @param {number} batch  calls per sample, from calibrate()
 * @param {RoundSettings} round
 * @returns {Promise<number[]>} the samples, ms per call
 */
export async function measureRound(fn, batch, round) {
  const task =
    batch === 1
      ? fn
      : () => {
          const start = performance.now();
          for (let i = 0; i < batch; i++) fn();
          const elapsed = performance.now() - start;
          return { overriddenDuration: elapsed / batch, overriddenIterationCost: elapsed };
        };
  const bench = new Bench({
    time: round.timeMs,
    iterations: round.minSamples,
    warmup: round.warmupMs > 0,
    warmupTime: round.warmupMs,
    // Slow tasks (TF.js cpu at 4M: ~0.5 s a step) warm up with a single call.
    warmupIterations: 1,
    throws: true,
    retainSamples: true,
  });
  bench.add('task', task, { async: false });
  collectGarbage();
  await bench.run();
  const result = bench.getTask('task')?.result;
  if (result === undefined || result.state !== 'completed') {
    throw new Error(`tinybench did not complete the task (state ${result?.state})`);
  }
  const samples = result.latency.samples;
  if (samples === undefined) throw new Error('tinybench kept no samples');
  return [...samples];
}

/** Two-sided 95 % critical values of Student's t for 1–30 degrees of freedom. */
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** @param {number[]} sorted ascending @param {number} q in [0, 1] */
function quantile(sorted, q) {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/**
 * Statistics over the samples of all rounds of a task.
 * @param {number[][]} rounds  samples per round, ms per call
 * @param {number} batch
 * @returns {Measurement}
 */
export function summarize(rounds, batch) {
  const all = rounds.flat().sort((a, b) => a - b);
  const n = all.length;
  const mean = all.reduce((s, x) => s + x, 0) / n;
  const variance = n > 1 ? all.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1) : 0;
  const t = n > 1 ? (T95[n - 2] ?? 1.96) : 0;
  const rme = mean > 0 ? (100 * t * Math.sqrt(variance / n)) / mean : 0;
  const roundMediansNs = rounds.map(
    (r) =>
      quantile(
        [...r].sort((a, b) => a - b),
        0.5,
      ) * 1e6,
  );
  return {
    medianNs: median(roundMediansNs),
    pooledMedianNs: quantile(all, 0.5) * 1e6,
    meanNs: mean * 1e6,
    minNs: all[0] * 1e6,
    rme,
    samples: n,
    stepsPerSample: batch,
    roundMediansNs,
  };
}

/** @param {number[]} values @returns {number} */
export function median(values) {
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

/**
 * a ÷ b from interleaved rounds, paired: the median over rounds of a's round median ÷ b's. The
 * two ran moments apart in each round, so a slow phase of the machine cancels out of each ratio.
 * @param {Measurement} a
 * @param {Measurement} b
 * @returns {number}
 */
export function pairedRatio(a, b) {
  return median(a.roundMediansNs.map((x, r) => x / b.roundMediansNs[r]));
}

/**
 * Several functions measured in interleaved rounds (A B C, B C A, C A B, …), for ratios
 * between them that the machine's slow phases do not skew.
 * @param {Record<string, () => unknown>} fns
 * @param {{ rounds: number, round: RoundSettings, minSampleMs: number }} settings
 * @param {(name: string, round: number) => void} [onRound]
 * @returns {Promise<Record<string, Measurement>>}
 */
export async function measureInterleaved(fns, settings, onRound) {
  const names = Object.keys(fns);
  /** @type {Record<string, number>} */
  const batches = {};
  for (const name of names) batches[name] = calibrate(fns[name], settings.minSampleMs).batch;
  /** @type {Record<string, number[][]>} */
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  for (let r = 0; r < settings.rounds; r++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + r) % names.length];
      onRound?.(name, r);
      samples[name].push(await measureRound(fns[name], batches[name], settings.round));
    }
  }
  return Object.fromEntries(names.map((name) => [name, summarize(samples[name], batches[name])]));
}
