// Facade costs, measured through the public API, for one algorithm. Run in a child process
// (facade-child.mjs, forked by run.mjs with --expose-gc) so that the JIT's type feedback and
// the heap are those of a program using one optimizer class, not of a benchmark that has
// exercised every class and backend:
//
//   per call   step() and step(grads) on one 16-element tensor: the fixed cost of a call
//   tensors    100 tensors × 1000 elements against one tensor of 100,000, zero-copy step()
//   paths      the raw kernel, zero-copy step(), drop-in step(grads), and the three array
//              copies drop-in makes (param in, grad in, param out) alone, at 256K and 4M
//   heap       heapUsed and GC events over 10,000 zero-copy and drop-in steps
//
// Each group is measured in interleaved rounds (see measure.mjs). Messages to the parent:
// { type: 'start' | 'done', item, summary? } for progress, then { type: 'result', result }.
import { heapGrowth } from './heap.mjs';
import { dropIn, manyTensors, zeroCopy } from './impl/wasm-optim.mjs';
import { rawKernel, verifyRawKernel } from './impl/raw-kernel.mjs';
import { collectGarbage, measureInterleaved, pairedRatio } from './measure.mjs';

/**
 * @typedef {object} FacadeSettings
 * @property {number} rounds
 * @property {import('./measure.mjs').RoundSettings} round
 * @property {number} minSampleMs
 * @property {number} perCallN               16
 * @property {{ count: number, length: number }} tensors  100 × 1000 (against one of count·length)
 * @property {{ label: string, n: number }[]} pathSizes  256K, 4M
 * @property {{ n: number, steps: number }} heap        1K elements, 10,000 steps
 */

/**
 * @typedef {object} PathResult
 * @property {string} size
 * @property {number} n
 * @property {number | null} rawNs       ns/element; null when the raw kernel is unavailable
 * @property {number} zeroCopyNs
 * @property {number} dropInNs
 * @property {number} copiesNs           the three copies of a drop-in step alone
 * @property {number | null} zeroCopyRatio  zero-copy ÷ raw, paired by round (measure.mjs)
 * @property {number | null} dropInRatio    drop-in ÷ raw, paired by round
 * @property {Record<string, import('./measure.mjs').Measurement>} measurements  per step
 */

/**
 * @typedef {object} FacadeResult
 * @property {string} variant
 * @property {{ record: string, kernel: string } | { error: string }} rawKernel
 * @property {{ zeroCopyNs: number, dropInNs: number,
 *              measurements: Record<string, import('./measure.mjs').Measurement> } | null} perCall
 * @property {{ count: number, length: number, manyNs: number, oneNs: number, ratio: number,
 *              measurements: Record<string, import('./measure.mjs').Measurement> } | null} tensors
 * @property {PathResult[]} paths
 * @property {{ zeroCopy: import('./heap.mjs').HeapGrowth, dropIn: import('./heap.mjs').HeapGrowth } | null} heap
 * @property {string[]} errors
 */

/** Items reported to the progress display, per algorithm. @param {FacadeSettings} s */
export const facadeItems = (s) => 3 + s.pathSizes.length;

/** @param {unknown} message */
export const send = (message) => {
  if (process.send) process.send(message);
};

/**
 * @param {string} item
 * @param {() => Promise<string>} body  returns the progress summary
 * @param {string[]} errors
 */
async function step(item, body, errors) {
  send({ type: 'start', item });
  try {
    send({ type: 'done', item, summary: await body() });
  } catch (error) {
    const message = `${item}: ${/** @type {Error} */ (error).message}`;
    errors.push(message);
    send({ type: 'done', item, summary: `error: ${/** @type {Error} */ (error).message}` });
  }
  collectGarbage();
}

/**
 * @param {import('./algorithms/index.mjs').Variant} variant
 * @param {FacadeSettings} s
 * @returns {Promise<FacadeResult>}
 */
export async function measureFacade(variant, s) {
  const id = variant.id;
  /** @type {FacadeResult} */
  const result = {
    variant: id,
    rawKernel: { error: 'not run' },
    perCall: null,
    tensors: null,
    paths: [],
    heap: null,
    errors: [],
  };
  const timing = { rounds: s.rounds, round: s.round, minSampleMs: s.minSampleMs };

  await step(
    `${id} facade: step() and step(grads) on ${s.perCallN} elements`,
    async () => {
      const z = zeroCopy(variant, s.perCallN, 'simd', 'torch');
      const d = dropIn(variant, s.perCallN, 'simd');
      const m = await measureInterleaved({ zeroCopy: z.fn, dropIn: d.fn }, timing);
      z.check();
      d.check();
      result.perCall = { zeroCopyNs: m.zeroCopy.medianNs, dropInNs: m.dropIn.medianNs, measurements: m };
      return `step() ${m.zeroCopy.medianNs.toFixed(0)} ns, step(grads) ${m.dropIn.medianNs.toFixed(0)} ns per call`;
    },
    result.errors,
  );

  await step(
    `${id} facade: ${s.tensors.count} × ${s.tensors.length} against 1 × ${s.tensors.count * s.tensors.length}`,
    async () => {
      const { count, length } = s.tensors;
      const many = manyTensors(variant, count, length);
      const one = zeroCopy(variant, count * length, 'simd', 'torch');
      const m = await measureInterleaved({ many: many.fn, one: one.fn }, timing);
      many.check();
      one.check();
      const manyNs = m.many.medianNs / (count * length);
      const oneNs = m.one.medianNs / (count * length);
      const ratio = pairedRatio(m.many, m.one);
      result.tensors = { count, length, manyNs, oneNs, ratio, measurements: m };
      return `${manyNs.toFixed(3)} vs ${oneNs.toFixed(3)} ns/element: ${ratio.toFixed(3)}×`;
    },
    result.errors,
  );

  try {
    result.rawKernel = verifyRawKernel(variant);
  } catch (error) {
    result.rawKernel = { error: /** @type {Error} */ (error).message };
    result.errors.push(`${id} raw kernel: ${/** @type {Error} */ (error).message}`);
  }
  for (const { label, n } of s.pathSizes) {
    await step(
      `${id} facade: raw kernel, zero-copy, drop-in at ${label}`,
      async () => {
        const z = zeroCopy(variant, n, 'simd', 'torch');
        const d = dropIn(variant, n, 'simd');
        const raw = 'error' in result.rawKernel ? null : rawKernel(variant, n, result.rawKernel.kernel);
        // The copies a drop-in step makes, alone: param and grad in, param out.
        const handle = d.opt.params[0];
        const data = handle.data;
        const grad = handle.grad;
        const copies = () => {
          data.set(d.param);
          grad.set(d.grad);
          d.param.set(data);
        };
        /** @type {Record<string, () => unknown>} */
        const fns = { zeroCopy: z.fn, dropIn: d.fn, copies };
        if (raw !== null) fns.raw = raw.fn;
        const m = await measureInterleaved(fns, timing);
        z.check();
        d.check();
        raw?.check();
        const per = (/** @type {string} */ k) => m[k].medianNs / n;
        /** @type {PathResult} */
        const path = {
          size: label,
          n,
          rawNs: raw === null ? null : per('raw'),
          zeroCopyNs: per('zeroCopy'),
          dropInNs: per('dropIn'),
          copiesNs: per('copies'),
          zeroCopyRatio: raw === null ? null : pairedRatio(m.zeroCopy, m.raw),
          dropInRatio: raw === null ? null : pairedRatio(m.dropIn, m.raw),
          measurements: m,
        };
        result.paths.push(path);
        return path.rawNs === null
          ? `zero-copy ${path.zeroCopyNs.toFixed(3)}, drop-in ${path.dropInNs.toFixed(3)} ns/element (no raw kernel)`
          : `raw ${path.rawNs.toFixed(3)} ns/element,` +
              ` zero-copy ×${path.zeroCopyRatio?.toFixed(3)}, drop-in ×${path.dropInRatio?.toFixed(3)}`;
      },
      result.errors,
    );
  }

  await step(
    `${id} facade: JS heap over ${s.heap.steps} steps`,
    async () => {
      const z = zeroCopy(variant, s.heap.n, 'simd', 'torch');
      const d = dropIn(variant, s.heap.n, 'simd');
      const zeroCopyHeap = await heapGrowth(z.fn, s.heap.steps);
      const dropInHeap = await heapGrowth(d.fn, s.heap.steps);
      z.check();
      d.check();
      result.heap = { zeroCopy: zeroCopyHeap, dropIn: dropInHeap };
      const b = (/** @type {import('./heap.mjs').HeapGrowth} */ h) =>
        `${h.allocatedPerStep.toFixed(2)} B/step, ${h.gcEvents} GCs`;
      return `zero-copy ${b(zeroCopyHeap)}; drop-in ${b(dropInHeap)}`;
    },
    result.errors,
  );
  return result;
}
