// Row-sparse steps on embedding tables: a batch touches a few rows of a big table, and the
// optimizer should cost what those rows cost, not what the table costs. For each table and
// share of rows touched, measured in interleaved rounds (measure.mjs):
//
//   sparse zero-copy   p.sparseGrad(n), the batch's indices and values written into the
//                      views, opt.step() (a step compacts the staged batch in place)
//   sparse drop-in     opt.step([{ indices, values }])  (the table declared from a length, so
//                      no table copy: only indices and values are read)
//   dense kernel       opt.step() on a plain parameter of (distinct rows × width) elements: what
//                      the dense kernel costs on as many elements as the sparse step updates
//
// and, once per table: the dense zero-copy step over the whole table (same optimizer class and
// instance) and TF.js's dense path (applyGradients with a dense gradient of the whole table:
// what TF.js does with the gradient of a gathered embedding).
import { Adagrad, SparseAdam } from '../dist/index.js';
import { mulberry32 } from '../dist-tools/fuzz/random.js';
import { fillGrads, fillParams } from './data.mjs';
import { liveTensors, loadTf } from './impl/tfjs.mjs';
import { collectGarbage, measureInterleaved, pairedRatio } from './measure.mjs';
import { num, table, times } from './report.mjs';
import { assertFinite } from './task.mjs';

const K = 1024;
const M = 1024 * 1024;

/**
 * @typedef {object} SparseTable
 * @property {string} label  '1M × 64'
 * @property {number} rows
 * @property {number} width
 */

/**
 * @typedef {object} SparseSettings
 * @property {SparseTable[]} tables
 * @property {number[]} fractions   share of the rows a batch touches (distinct rows)
 * @property {number} duplicates    share of the index list repeating earlier entries
 * @property {string[]} algorithms  'adagrad' and/or 'sparseadam'
 * @property {number} rounds
 * @property {import('./measure.mjs').RoundSettings} round
 * @property {number} minSampleMs
 * @property {{ wasm: boolean, cpuMaxElements: number, minSamples: number, timeCapMs: number }} tfjs
 */

/** @type {Record<'full' | 'quick' | 'smoke', SparseSettings>} */
export const SPARSE_PRESETS = {
  full: {
    tables: [
      { label: '1M × 64', rows: M, width: 64 },
      { label: '100K × 128', rows: 100 * K, width: 128 },
    ],
    fractions: [0.0005, 0.01, 0.1],
    duplicates: 0.2,
    algorithms: ['adagrad', 'sparseadam'],
    rounds: 3,
    round: { timeMs: 200, warmupMs: 50, minSamples: 5 },
    minSampleMs: 0.1,
    // TF.js cpu: ~100 ns/element, over a second a step at 100K × 128; 7 s at 1M × 64.
    tfjs: { wasm: true, cpuMaxElements: 16 * M, minSamples: 1, timeCapMs: 1000 },
  },
  quick: {
    tables: [{ label: '100K × 128', rows: 100 * K, width: 128 }],
    fractions: [0.0005, 0.01, 0.1],
    duplicates: 0.2,
    algorithms: ['adagrad', 'sparseadam'],
    rounds: 3,
    round: { timeMs: 100, warmupMs: 30, minSamples: 3 },
    minSampleMs: 0.1,
    tfjs: { wasm: true, cpuMaxElements: 0, minSamples: 2, timeCapMs: 300 },
  },
  smoke: {
    tables: [{ label: '16K × 64', rows: 16 * K, width: 64 }],
    fractions: [0.0005, 0.01, 0.1],
    duplicates: 0.2,
    algorithms: ['adagrad'],
    rounds: 1,
    round: { timeMs: 60, warmupMs: 20, minSamples: 3 },
    minSampleMs: 0.1,
    tfjs: { wasm: true, cpuMaxElements: 0, minSamples: 2, timeCapMs: 200 },
  },
};

/** The optimizer classes measured, with the TF.js optimizer a user of TF.js would take instead. */
const ALGORITHMS = {
  adagrad: {
    title: 'Adagrad',
    Class: Adagrad,
    options: { flavor: /** @type {const} */ ('torch') },
    tfjs: (/** @type {any} */ tf) => tf.train.adagrad(1e-2),
    tfjsName: 'tf.train.adagrad',
    tfjsWasmMaxElements: 64 * M,
    tfjsCpuMaxElements: 64 * M,
  },
  sparseadam: {
    title: 'SparseAdam',
    Class: SparseAdam,
    options: {},
    tfjs: (/** @type {any} */ tf) => tf.train.adam(1e-3),
    tfjsName: 'tf.train.adam (TF.js has no SparseAdam)',
    // Adam's two slots and its temporaries at 1M × 64 overflow the wasm backend's heap (memory
    // access out of bounds), after which that backend fails every later call in the process.
    tfjsWasmMaxElements: 16 * M,
    // TF.js cpu's Adam: ~15 s a step at 100K × 128 (several steps per measurement).
    tfjsCpuMaxElements: 4 * M,
  },
};

/**
 * A batch's row indices: `distinct` different rows drawn uniformly without replacement, and
 * enough repeats of them that `duplicates` of the list repeats an earlier entry, in random order.
 * @param {number} rows
 * @param {number} distinct
 * @param {number} duplicates  share of the list, e.g. 0.2
 * @param {number} seed
 * @returns {Int32Array}
 */
export function batchIndices(rows, distinct, duplicates, seed) {
  const next = mulberry32(seed);
  const below = (/** @type {number} */ n) => Math.floor((next() / 4294967296) * n);
  const length = Math.round(distinct / (1 - duplicates));
  const list = new Int32Array(length);
  const taken = new Uint8Array(rows);
  for (let k = 0; k < distinct; ) {
    const row = below(rows);
    if (taken[row] === 0) {
      taken[row] = 1;
      list[k++] = row;
    }
  }
  for (let k = distinct; k < length; k++) list[k] = list[below(distinct)];
  // Fisher–Yates: repeats land anywhere after (or before) their first occurrence.
  for (let k = length - 1; k > 0; k--) {
    const j = below(k + 1);
    const t = list[k];
    list[k] = list[j];
    list[j] = t;
  }
  return list;
}

/**
 * @typedef {object} SparseRow
 * @property {string} algorithm
 * @property {string} table
 * @property {number} rows
 * @property {number} width
 * @property {string} implementation
 * @property {number | null} fraction        share of rows touched; null for whole-table rows
 * @property {number | null} indices         length of the index list
 * @property {number | null} touchedRows     distinct rows
 * @property {number | null} stepMs          median step time
 * @property {number | null} nsPerElement    per touched element (distinct rows × width), or per
 *                                           table element for the whole-table rows
 * @property {number | null} vsDense         the dense whole-table step's time ÷ this one's
 * @property {number | null} vsTfjsWasm      TF.js wasm's whole-table step ÷ this one
 * @property {number | null} vsTfjsCpu       TF.js cpu's whole-table step ÷ this one
 * @property {number | null} vsDenseKernel   this ÷ the dense kernel on the touched elements (paired)
 * @property {import('./measure.mjs').Measurement | null} measurement
 * @property {string} [skipped]
 */

/**
 * @param {{ algorithm: string, table: SparseTable, implementation: string }} what
 * @param {Partial<SparseRow>} fields
 * @returns {SparseRow}
 */
function row(what, fields) {
  return {
    algorithm: what.algorithm,
    table: what.table.label,
    rows: what.table.rows,
    width: what.table.width,
    implementation: what.implementation,
    fraction: null,
    indices: null,
    touchedRows: null,
    stepMs: null,
    nsPerElement: null,
    vsDense: null,
    vsTfjsWasm: null,
    vsTfjsCpu: null,
    vsDenseKernel: null,
    measurement: null,
    ...fields,
  };
}

/**
 * TF.js's dense step over the whole table: a variable of rows × width, a dense gradient tensor.
 * @param {(tf: any) => any} make
 * @param {SparseTable} t
 * @param {'cpu' | 'wasm'} backend
 * @param {Float32Array} grads  rows × width
 */
async function tfjsDense(make, t, backend, grads) {
  const tf = await loadTf();
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend '${backend}' failed to initialize`);
  await tf.ready();
  const initial = tf.tensor2d(fillParams(new Float32Array(t.rows * t.width)), [t.rows, t.width]);
  const variable = tf.variable(initial, true);
  initial.dispose();
  const gradient = tf.tensor2d(grads, [t.rows, t.width]);
  const optimizer = make(tf);
  const map = { [variable.name]: gradient };
  const step = () => tf.tidy(() => optimizer.applyGradients(map));
  step();
  const tensors = tf.memory().numTensors;
  return {
    fn: step,
    check: () => {
      if (tf.memory().numTensors !== tensors) throw new Error(`TF.js ${backend} leaked tensors`);
    },
    dispose: () => {
      optimizer.dispose();
      tf.dispose([variable, gradient]);
    },
  };
}

/**
 * Runs the sparse measurements.
 * @param {SparseSettings} s
 * @param {{ update: (text: string) => void, done: (name: string, summary: string) => void,
 *   note: (message: string) => void }} progress
 * @param {boolean} withTfjs
 * @returns {Promise<{ rows: SparseRow[], errors: string[] }>}
 */
export async function measureSparse(s, progress, withTfjs) {
  /** @type {SparseRow[]} */
  const rows = [];
  /** @type {string[]} */
  const errors = [];
  const timing = { rounds: s.rounds, round: s.round, minSampleMs: s.minSampleMs };
  /** A TF.js backend that failed once (e.g. wasm out of memory) is not trusted again. */
  /** @type {Record<string, string>} */
  const broken = {};
  for (const t of s.tables) {
    const n = t.rows * t.width;
    const grads = fillGrads(new Float32Array(n));
    for (const id of s.algorithms) {
      const a = ALGORITHMS[/** @type {keyof typeof ALGORITHMS} */ (id)];
      const name = `${id} ${t.label}`;
      const whole = (/** @type {string} */ implementation) => ({ algorithm: id, table: t, implementation });
      // The TF.js rows first, alone: their copies of the table must be gone before ours exist.
      /** @type {Record<string, number | null>} */
      const tfMs = { wasm: null, cpu: null };
      for (const backend of /** @type {const} */ (['wasm', 'cpu'])) {
        const implementation = `TF.js ${backend}, dense (${a.tfjsName})`;
        const wanted =
          backend === 'wasm'
            ? s.tfjs.wasm && n <= a.tfjsWasmMaxElements
            : n <= Math.min(s.tfjs.cpuMaxElements, a.tfjsCpuMaxElements);
        if (!withTfjs || !wanted || broken[backend] !== undefined) {
          const why = !withTfjs
            ? 'TF.js not installed or not selected'
            : broken[backend] !== undefined
              ? `TF.js ${backend} failed earlier in this run (${broken[backend]})`
              : backend === 'wasm' && s.tfjs.wasm
                ? "the table and TF.js's temporaries do not fit its wasm heap"
                : 'too slow for this preset';
          rows.push(row(whole(implementation), { skipped: why }));
          progress.done(`${name} ${implementation}`, `skipped: ${why}`);
          continue;
        }
        progress.update(`${name} ${implementation}`);
        const before = liveTensors();
        /** @type {Awaited<ReturnType<typeof tfjsDense>> | null} */
        let task = null;
        try {
          task = await tfjsDense(a.tfjs, t, backend, grads);
          const cpu = backend === 'cpu';
          const m = await measureInterleaved(
            { tf: task.fn },
            {
              ...timing,
              rounds: cpu ? 1 : s.rounds,
              round: cpu ? { ...s.round, timeMs: s.tfjs.timeCapMs, minSamples: s.tfjs.minSamples } : s.round,
            },
          );
          task.check();
          tfMs[backend] = m.tf.medianNs / 1e6;
          rows.push(
            row(whole(implementation), { stepMs: tfMs[backend], nsPerElement: m.tf.medianNs / n, measurement: m.tf }),
          );
          progress.done(`${name} ${implementation}`, `${num(tfMs[backend])} ms a step`);
        } catch (error) {
          const message = /** @type {Error} */ (error).message;
          // TF.js's failures are the comparison's, not the library's: reported, not counted.
          broken[backend] = message;
          rows.push(row(whole(implementation), { skipped: `error: ${message}` }));
          progress.done(`${name} ${implementation}`, `error: ${message}`);
        } finally {
          task?.dispose();
        }
        if (liveTensors() !== before) progress.note(`warning: ${name} TF.js ${backend} left tensors alive`);
        collectGarbage();
      }

      // One optimizer for the table: the dense whole-table step and both sparse forms use it.
      let opt = new a.Class([{ data: n, rows: t.rows }], { ...a.options, backend: 'simd' });
      const handle = opt.params[0];
      fillParams(handle.data);
      handle.grad.set(grads);
      const dense = () => opt.step();
      /** @type {SparseRow[]} */
      const tableRows = [];
      let denseMs = /** @type {number | null} */ (null);
      try {
        progress.update(`${name} dense step over the whole table`);
        const m = await measureInterleaved({ dense }, timing);
        denseMs = m.dense.medianNs / 1e6;
        tableRows.push(
          row(whole('wasm-optim simd, dense step (whole table)'), {
            stepMs: denseMs,
            nsPerElement: m.dense.medianNs / n,
            measurement: m.dense,
          }),
        );
        progress.done(`${name} dense step over the whole table`, `${num(denseMs)} ms a step`);

        for (const [f, fraction] of s.fractions.entries()) {
          const distinct = Math.max(1, Math.round(t.rows * fraction));
          const indices = batchIndices(t.rows, distinct, s.duplicates, 100 + f);
          const values = grads.subarray(0, indices.length * t.width);
          // A step compacts the staged batch in place (assembly/sparse.ts), so each timed step writes
          // it again, as a training loop writes each batch's gradient into the views.
          const zeroCopy = () => {
            const g = handle.sparseGrad(indices.length);
            g.indices.set(indices);
            g.values.set(values);
            opt.step();
          };
          const list = [{ indices, values }];
          const dropIn = () => opt.step(list);
          let kernelOpt = new a.Class([distinct * t.width], { ...a.options, backend: 'simd' });
          fillParams(kernelOpt.params[0].data);
          kernelOpt.params[0].grad.set(grads.subarray(0, distinct * t.width));
          const kernel = () => kernelOpt.step();
          const label = `${name} ${fraction * 100} % of rows (${distinct} rows, ${indices.length} indices)`;
          progress.update(label);
          const m = await measureInterleaved({ zeroCopy, dropIn, kernel }, timing);
          assertFinite(kernelOpt.params[0].data, `${label} dense kernel params`);
          kernelOpt = /** @type {any} */ (null);
          const touched = distinct * t.width;
          for (const [key, implementation] of /** @type {const} */ ([
            ['zeroCopy', 'wasm-optim simd, sparse zero-copy'],
            ['dropIn', 'wasm-optim simd, sparse drop-in'],
            ['kernel', 'dense kernel on the touched elements'],
          ])) {
            tableRows.push(
              row(whole(implementation), {
                fraction,
                indices: indices.length,
                touchedRows: distinct,
                stepMs: m[key].medianNs / 1e6,
                nsPerElement: m[key].medianNs / touched,
                vsDenseKernel: key === 'kernel' ? 1 : pairedRatio(m[key], m.kernel),
                measurement: m[key],
              }),
            );
          }
          progress.done(
            label,
            `zero-copy ${num(m.zeroCopy.medianNs / touched)} ns/touched element,` +
              ` ${times(pairedRatio(m.zeroCopy, m.kernel))} the dense kernel on as many elements`,
          );
        }
        assertFinite(handle.data, `${name} params`);
      } catch (error) {
        const message = /** @type {Error} */ (error).message;
        errors.push(`${name}: ${message}`);
        progress.note(`error in ${name}: ${message}`);
      }
      opt = /** @type {any} */ (null);
      collectGarbage();
      for (const r of tableRows) {
        if (r.stepMs === null) continue;
        const over = (/** @type {number | null} */ other) =>
          other === null ? null : other / /** @type {number} */ (r.stepMs);
        r.vsDense = over(denseMs);
        r.vsTfjsWasm = over(tfMs.wasm);
        r.vsTfjsCpu = over(tfMs.cpu);
      }
      for (const backend of /** @type {const} */ (['wasm', 'cpu'])) {
        const r = rows.find(
          (x) => x.algorithm === id && x.table === t.label && x.implementation.startsWith(`TF.js ${backend}`),
        );
        if (r?.stepMs != null && denseMs !== null) r.vsDense = denseMs / r.stepMs;
      }
      rows.push(...tableRows);
    }
  }
  return { rows, errors };
}

/** @param {number} fraction */
const percent = (fraction) => `${+(fraction * 100).toPrecision(3)} %`;

/**
 * The report's section: one table per algorithm, whole-table rows first.
 * @param {SparseRow[]} rows
 * @returns {string}
 */
export function sparseTable(rows) {
  const body = rows.map((r) => [
    r.algorithm,
    r.table,
    r.fraction === null ? 'all' : `${percent(r.fraction)} (${r.touchedRows})`,
    r.indices === null ? '—' : String(r.indices),
    r.implementation,
    r.skipped === undefined ? num(r.stepMs) : 'skipped',
    num(r.nsPerElement),
    times(r.vsDense),
    times(r.vsTfjsWasm),
    times(r.vsTfjsCpu),
    times(r.vsDenseKernel),
  ]);
  return table(
    [
      'algorithm',
      'table',
      'rows touched',
      'indices',
      'implementation',
      'ms/step',
      'ns/element',
      'vs dense step',
      'vs TF.js wasm',
      'vs TF.js cpu',
      '÷ dense kernel, touched',
    ],
    body,
    'lllrlrrrrrr',
  );
}

/**
 * The sparse expectations for embedding tables: a sparse step within 2× of the dense kernel
 * on as many elements, and ≥ 100× faster than the dense step over the table at 0.05 % of rows.
 * @param {SparseRow[]} rows
 * @returns {import('./targets.mjs').Verdict[]}
 */
export function sparseVerdicts(rows) {
  /** @type {import('./targets.mjs').Verdict[]} */
  const out = [];
  const zeroCopy = rows.filter((r) => r.implementation === 'wasm-optim simd, sparse zero-copy' && r.stepMs !== null);
  for (const algorithm of [...new Set(zeroCopy.map((r) => r.algorithm))]) {
    const mine = zeroCopy.filter((r) => r.algorithm === algorithm);
    const worst = Math.max(...mine.map((r) => /** @type {number} */ (r.vsDenseKernel)));
    const each = (/** @type {SparseRow} */ r) => `${r.table} ${percent(r.fraction ?? 0)} ${times(r.vsDenseKernel)}`;
    out.push({
      target: 'sparse step ≤ 2× the dense kernel on the touched elements',
      algorithm,
      measured: `max ${times(worst)} (${mine.map(each).join(', ')})`,
      verdict: worst <= 2 ? 'met' : 'missed',
    });
    const smallest = Math.min(...mine.map((r) => /** @type {number} */ (r.fraction)));
    const few = mine.filter((r) => r.fraction === smallest && r.vsDense !== null);
    if (few.length === 0) continue;
    const least = Math.min(...few.map((r) => /** @type {number} */ (r.vsDense)));
    out.push({
      target: `sparse step ≥ 100× the dense step at ${percent(smallest)} of rows`,
      algorithm,
      measured: `min ${times(least)} (${few.map((r) => `${r.table} ${times(r.vsDense)}`).join(', ')})`,
      verdict: least >= 100 ? 'met' : 'missed',
    });
  }
  return out;
}
