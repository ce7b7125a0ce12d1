// Where a row-sparse Adagrad step's time goes: `node --expose-gc bench/sparse-breakdown.mjs
// [rows width fraction]` (default 1M 64 0.01; run `npm run build` first). Not part of the suite:
// a diagnostic for the report's sparse section (sparse.mjs).
//
// The embedded SIMD binary is instantiated here over a memory laid out as the facade lays out a
// row-shaped parameter (param, sum, a row map, staged indices and values, a template record and a
// descriptor: assembly/sparse.ts), and the stages of a step are timed apart, each the median of
// interleaved rounds:
//
//   stage      the batch written into the staging area (what a zero-copy user does, and what
//              undoes the in-place compaction of the previous step)
//   expand     expandSparseRows: duplicates summed, one 64-byte record per distinct row
//   kernel     adagradSparseStep over those records (PyTorch's sparse arithmetic)
//   tfjs       adagradStepTfjs (the tfjs flavor's kernel: no FMA to emulate) over the same
//              records: the cost of PyTorch's fused multiply-add, emulated, is kernel − tfjs
//   in order   the same kernel over as many rows, contiguous (rows 0 … d−1): the cost of random
//              rows in the table (cache and TLB misses) is kernel − in order
//   dense      adagradStep over one record of d × width contiguous elements (the dense kernel)
//   facade     p.sparseGrad(n), the batch written, opt.step() through the public API
import { Adagrad } from '../dist/index.js';
import {
  AdagradSparseStep,
  AdagradStep,
  RECORD_BYTES,
  REC_COUNT,
  REC_FLAGS,
  REC_GRAD,
  REC_PARAM,
  REC_STATE0,
} from '../dist/backend/contract.generated.js';
import { fmaWasmBase64, simdWasmBase64 } from '../dist/backend/wasm-bytes.generated.js';
import { fillGrads, fillParams } from './data.mjs';
import { measureInterleaved } from './measure.mjs';
import { batchIndices } from './sparse.mjs';

const [rows, width, fraction] = [
  Number(process.argv[2] ?? 1024 * 1024),
  Number(process.argv[3] ?? 64),
  Number(process.argv[4] ?? 0.01),
];
const distinct = Math.max(1, Math.round(rows * fraction));
const indices = batchIndices(rows, distinct, 0.2, 100);
const n = indices.length;
const values = fillGrads(new Float32Array(n * width));
const rowBytes = width * 4;
// WASM_OPTIM_BINARY=fma (with node --experimental-wasm-relaxed-simd, on a CPU with FMA): the
// kernels' relaxed-SIMD build, whose fused multiply-adds are one instruction, not emulated.
const fma = process.env.WASM_OPTIM_BINARY === 'fma';
const binary = fma ? fmaWasmBase64 : simdWasmBase64;

// Memory: param, sum, map, indices, values, records (n + 1), descriptor, a dense block.
const memory = new WebAssembly.Memory({ initial: 1 });
const abort = () => {
  throw new Error('kernel aborted');
};
const exports = /** @type {Record<string, any>} */ (
  new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(binary, 'base64')), { env: { memory, abort } }).exports
);
let top = Math.ceil(Math.max(exports.heapBase(), 16) / 16) * 16;
const alloc = (/** @type {number} */ bytes) => {
  const at = top;
  top = Math.ceil((top + bytes) / 16) * 16;
  return at;
};
const param = alloc(rows * rowBytes);
const sum = alloc(rows * rowBytes);
const map = alloc(rows * 4);
const idx = alloc(n * 4);
const vals = alloc(n * rowBytes);
const template = alloc(RECORD_BYTES);
const desc = alloc(32);
const records = alloc((n + 1) * RECORD_BYTES);
const ordered = alloc(n * RECORD_BYTES);
const denseParam = alloc(distinct * rowBytes);
const denseSum = alloc(distinct * rowBytes);
const denseGrad = alloc(distinct * rowBytes);
const denseRecord = alloc(RECORD_BYTES);
memory.grow(Math.ceil(top / 65536) - memory.buffer.byteLength / 65536);
const f32 = new Float32Array(memory.buffer);
const u32 = new Uint32Array(memory.buffer);
fillParams(f32.subarray(param >>> 2, (param >>> 2) + rows * width));
fillParams(f32.subarray(denseParam >>> 2, (denseParam >>> 2) + distinct * width));
f32.set(values.subarray(0, distinct * width), denseGrad >>> 2);

// The template record as the facade writes it for the torch flavor's sparse twin (lr 1e-2).
const t = template >>> 2;
u32[t + REC_PARAM] = param;
u32[t + REC_STATE0] = sum;
u32[t + REC_COUNT] = width;
u32[t + REC_FLAGS] = 0;
f32[t + AdagradSparseStep.negClr] = -1e-2;
f32[t + AdagradSparseStep.eps] = 1e-10;
const d = desc >>> 2;
u32.set([template, idx, n, vals, map, rowBytes, 0, 1], d);
const r = denseRecord >>> 2;
u32[r + REC_PARAM] = denseParam;
u32[r + REC_GRAD] = denseGrad;
u32[r + REC_STATE0] = denseSum;
u32[r + REC_COUNT] = distinct * width;
u32[r + REC_FLAGS] = 0;
f32[r + AdagradStep.negClr] = -1e-2;
f32[r + AdagradStep.eps] = 1e-10;
f32[r + AdagradStep.weightDecay] = 0;

const stage = () => {
  u32.set(indices, idx >>> 2);
  f32.set(values, vals >>> 2);
};
const expand = () => {
  stage();
  return exports.expandSparseRows(desc, 1, records);
};
const unique = expand();
if (unique !== distinct) throw new Error(`expandSparseRows wrote ${unique} records, expected ${distinct}`);
const kernel = () => {
  expand();
  exports.adagradSparseStep(records, distinct);
};
// The same records, pointed at rows 0 … d−1 in order.
u32.copyWithin(ordered >>> 2, records >>> 2, (records + distinct * RECORD_BYTES) >>> 2);
for (let k = 0; k < distinct; k++) {
  const w = (ordered >>> 2) + k * (RECORD_BYTES / 4);
  u32[w + REC_PARAM] = param + k * rowBytes;
  u32[w + REC_STATE0] = sum + k * rowBytes;
}
const tfjs = () => {
  expand();
  exports.adagradStepTfjs(records, distinct);
};
const inOrder = () => {
  expand();
  exports.adagradSparseStep(ordered, distinct);
};
const dense = () => exports.adagradStep(denseRecord, 1);

let opt = new Adagrad([{ data: rows * width, rows }], { backend: 'simd' });
const handle = opt.params[0];
fillParams(handle.data);
const facade = () => {
  const g = handle.sparseGrad(n);
  g.indices.set(indices);
  g.values.set(values);
  opt.step();
};

const m = await measureInterleaved(
  { stage, expand, kernel, tfjs, inOrder, dense, facade },
  { rounds: 5, round: { timeMs: 200, warmupMs: 50, minSamples: 5 }, minSampleMs: 0.1 },
);
opt = /** @type {any} */ (null);
const us = (/** @type {number} */ ns) => `${(ns / 1000).toFixed(1)} µs`;
const per = (/** @type {number} */ ns) => `${(ns / (distinct * width)).toFixed(2)} ns/element`;
const ms = Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.medianNs]));
/** @type {[string, number][]} */
const parts = [
  ['stage the batch (JS copies)', ms.stage],
  ['expandSparseRows', ms.expand - ms.stage],
  ['adagradSparseStep, rows as listed', ms.kernel - ms.expand],
  ['  of which random rows (vs the same rows in order)', ms.kernel - ms.inOrder],
  ['  of which the emulated FMA (vs the tfjs kernel)', ms.kernel - ms.tfjs],
  ['facade step, total (its own memory and values)', ms.facade],
  ['dense kernel on the touched elements', ms.dense],
];
console.log(
  `Adagrad (torch) sparse step, ${fma ? 'relaxed-SIMD (hardware FMA)' : 'SIMD (FMA emulated)'} kernels,` +
    ` table ${rows} × ${width}, ${distinct} distinct rows (${fraction * 100} %), ${n} indices;` +
    ' medians of 5 interleaved rounds',
);
for (const [what, ns] of parts) console.log(`${String(what).padEnd(52)} ${us(ns).padStart(10)}  ${per(ns)}`);
console.log(`facade step ÷ dense kernel: ${(ms.facade / ms.dense).toFixed(2)}×`);
console.log(`adagradSparseStep in order ÷ dense kernel: ${((ms.inOrder - ms.expand) / ms.dense).toFixed(2)}×`);
