// Times one task with tinybench 6 and returns its latency statistics per optimizer step.
import { Bench } from 'tinybench';

/**
 * @typedef {object} Settings
 * @property {number} timeMs         time budget per task (tinybench `time`)
 * @property {number} warmupMs       warmup budget per task (tinybench `warmupTime`)
 * @property {number} minSamples     minimum samples per task (tinybench `iterations`)
 * @property {number} minSampleMs    steps faster than this are batched into one sample
 */

/**
 * @typedef {object} Measurement  all times in nanoseconds per optimizer step
 * @property {number} medianNs    latency p50
 * @property {number} meanNs
 * @property {number} minNs
 * @property {number} rme         relative margin of error of the mean, in percent
 * @property {number} samples
 * @property {number} stepsPerSample  steps batched into each sample
 * @property {number} timeMs      time budget used
 */

/** Frees garbage now, so no task pays for the previous one's. Needs node --expose-gc. */
export function collectGarbage() {
  if (typeof globalThis.gc === 'function') globalThis.gc();
}

/**
 * Rough cost of one step, from the task's first calls (which also warm up the JIT).
 * @param {() => void} fn
 * @returns {number} ms per call
 */
function estimateMs(fn) {
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  // At least one call; stop after ~20 ms, so a 400 ms TF.js step costs one call only.
  do {
    fn();
    calls++;
    elapsed = performance.now() - start;
  } while (elapsed < 20 && calls < 1e6);
  return elapsed / calls;
}

/**
 * @param {import('./task.mjs').Instance} instance
 * @param {import('./task.mjs').TaskSpec['limits']} limits
 * @param {Settings} settings
 * @returns {Promise<Measurement>}
 */
export async function measure(instance, limits, settings) {
  const { fn } = instance;
  const estimate = estimateMs(fn);
  const timeMs = Math.min(settings.timeMs, limits.timeCapMs ?? Infinity);
  const minSamples = limits.minSamples ?? settings.minSamples;

  // A 1K-element SIMD step takes under a microsecond, near the cost of reading the clock:
  // such steps are batched, and each sample is the mean step time of one batch, reported
  // through tinybench's overriddenDuration (per step) and overriddenIterationCost (budget).
  const batch = Math.max(1, Math.ceil(settings.minSampleMs / estimate));
  const task = batch === 1 ? fn : () => {
    const start = performance.now();
    for (let i = 0; i < batch; i++) fn();
    const elapsed = performance.now() - start;
    return { overriddenDuration: elapsed / batch, overriddenIterationCost: elapsed };
  };

  const bench = new Bench({
    time: timeMs,
    iterations: minSamples,
    warmup: true,
    warmupTime: Math.min(settings.warmupMs, timeMs),
    // Slow tasks (TF.js cpu at 4M: ~0.4 s a step) warm up with a single call.
    warmupIterations: 1,
    throws: true,
  });
  bench.add('task', task, { async: false });
  collectGarbage();
  await bench.run();
  const result = bench.getTask('task')?.result;
  if (result === undefined || result.state !== 'completed') {
    throw new Error(`tinybench did not complete the task (state ${result?.state})`);
  }
  const { latency } = result; // milliseconds
  return {
    medianNs: latency.p50 * 1e6,
    meanNs: latency.mean * 1e6,
    minNs: latency.min * 1e6,
    rme: latency.rme,
    samples: latency.samplesCount,
    stepsPerSample: batch,
    timeMs,
  };
}
