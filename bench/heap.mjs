// JS heap growth of a step: process.memoryUsage().heapUsed around 10,000 steps, plus the GC
// events V8 reports during them (PerformanceObserver 'gc' entries). A step that allocates
// nothing leaves heapUsed where it was and triggers no scavenge. Needs node --expose-gc.
import { PerformanceObserver } from 'node:perf_hooks';

/**
 * @typedef {object} HeapGrowth
 * @property {number} steps
 * @property {number} heapBefore          heapUsed after a full GC, before the steps (bytes)
 * @property {number} heapAfter           heapUsed right after the steps, no GC in between
 * @property {number} heapAfterGc         heapUsed after a full GC following the steps
 * @property {number} allocatedPerStep    (heapAfter − heapBefore − baseline) / steps, bytes
 * @property {number} retainedPerStep     (heapAfterGc − heapBefore) / steps, bytes (≤ 0: none)
 * @property {number} gcEvents            GCs that started during the steps
 * @property {number} baselineBytes       heapAfter − heapBefore around an empty loop
 */

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

/**
 * heapUsed around one call of `loop`, after two full GCs, and the GCs that started during it.
 * @param {() => void} loop
 * @returns {Promise<{ before: number, after: number, afterGc: number, gcEvents: number }>}
 */
async function around(loop) {
  const gc = /** @type {() => void} */ (globalThis.gc);
  /** @type {number[]} */
  const starts = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) starts.push(entry.startTime);
  });
  observer.observe({ entryTypes: ['gc'] });
  gc();
  gc();
  await settle();
  const before = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  loop();
  const t1 = performance.now();
  const after = process.memoryUsage().heapUsed;
  gc();
  const afterGc = process.memoryUsage().heapUsed;
  await settle(); // PerformanceObserver delivers asynchronously
  observer.disconnect();
  return { before, after, afterGc, gcEvents: starts.filter((t) => t >= t0 && t <= t1).length };
}

/**
 * @param {() => void} step  one optimizer step
 * @param {number} steps     10,000 in every preset
 * @returns {Promise<HeapGrowth>}
 */
export async function heapGrowth(step, steps) {
  if (typeof globalThis.gc !== 'function') throw new Error('heap growth needs node --expose-gc');
  // Two loops, so the JIT's feedback for one is not the other's. Each runs twice before it is
  // measured: until the JIT has optimized step(), the interpreter boxes doubles (e.g. a record
  // scalar) on the heap, and compiled code and feedback live on the heap too; none of that is
  // what a training loop running for minutes sees.
  const stepLoop = () => {
    for (let i = 0; i < steps; i++) step();
  };
  const emptyLoop = () => {
    for (let i = 0; i < steps; i++);
  };
  stepLoop();
  stepLoop();
  emptyLoop();
  await around(emptyLoop);
  const baseline = await around(emptyLoop);
  const m = await around(stepLoop);
  const baselineBytes = baseline.after - baseline.before;
  return {
    steps,
    heapBefore: m.before,
    heapAfter: m.after,
    heapAfterGc: m.afterGc,
    allocatedPerStep: (m.after - m.before - baselineBytes) / steps,
    retainedPerStep: (m.afterGc - m.before) / steps,
    gcEvents: m.gcEvents,
    baselineBytes,
  };
}
