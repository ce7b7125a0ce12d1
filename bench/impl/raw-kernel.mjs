// The kernel without the facade: the embedded SIMD binary instantiated here over a memory laid
// out as the facade lays it out (src/backend/arena.ts: param, grad, state buffers, then the
// record table, each 16-byte aligned from heapBase), one 64-byte record written once
// (src/backend/record.ts), and the timed call `exports.<algorithm>Step(table, 1)`: the work of
// a zero-copy step() minus its JavaScript.
//
// A description's `raw` gives the record's flags and scalars by hand. Without one, the memory
// and record are copied from a facade optimizer at its second step. Either way,
// verifyRawKernel() checks the layout and the record against the facade's, and one kernel call
// against one facade step, bit for bit.
import {
  KERNEL_NAMES,
  RECORD_BYTES,
  REC_COUNT,
  REC_GRAD,
  REC_PARAM,
  REC_STATE0,
} from '../../dist/backend/contract.generated.js';
import { simdWasmBase64 } from '../../dist/backend/wasm-bytes.generated.js';
import { inputs } from '../data.mjs';
import { assertFinite } from '../task.mjs';

const PAGE = 65536;
/** A copied record is the one of the facade's second step. */
const COPIED_AFTER = 1;
const RECORD_WORDS = RECORD_BYTES / 4;
const alignUp = (/** @type {number} */ n) => Math.ceil(n / 16) * 16;

/** @type {WebAssembly.Module | null} */
let simdModule = null;

/** The SIMD build, decoded from the base64 the package embeds. */
function module() {
  simdModule ??= new WebAssembly.Module(Buffer.from(simdWasmBase64, 'base64'));
  return simdModule;
}

/**
 * @typedef {object} RawSetup
 * @property {WebAssembly.Memory} memory
 * @property {(table: number, count: number) => void} kernel
 * @property {string} kernelName
 * @property {number} table      byte offset of the record
 * @property {number} param
 * @property {number} grad
 * @property {number[]} states   byte offsets of the state buffers
 * @property {'by hand' | 'copied from the facade'} record
 */

/**
 * @param {WebAssembly.Memory} memory
 * @returns {Record<string, unknown>}
 */
function instantiate(memory) {
  const abort = () => {
    throw new Error('kernel aborted');
  };
  return /** @type {Record<string, unknown>} */ (
    new WebAssembly.Instance(module(), { env: { memory, abort } }).exports
  );
}

/** @param {Record<string, unknown>} exports @param {string} name */
function kernelOf(exports, name) {
  const kernel = exports[name];
  if (typeof kernel !== 'function') throw new Error(`the SIMD binary has no export ${name}`);
  return /** @type {(table: number, count: number) => void} */ (kernel);
}

/**
 * Memory and record laid out by hand from the description's `raw`.
 * @param {import('../algorithms/index.mjs').RawKernel} raw
 * @param {Float32Array} params
 * @param {Float32Array} grads
 * @returns {RawSetup}
 */
function byHand(raw, params, grads) {
  const n = params.length;
  const memory = new WebAssembly.Memory({ initial: 1 });
  const exports = instantiate(memory);
  const kernel = kernelOf(exports, raw.kernel);
  const heapBase = /** @type {() => number} */ (exports.heapBase)();
  let top = alignUp(Math.max(heapBase, 16));
  const alloc = (/** @type {number} */ bytes) => {
    const at = top;
    top = alignUp(top + bytes);
    return at;
  };
  const param = alloc(n * 4);
  const grad = alloc(n * 4);
  const states = Array.from({ length: raw.states }, () => alloc(n * 4));
  const table = alloc(RECORD_WORDS * 4);
  const pages = Math.ceil(top / PAGE) - memory.buffer.byteLength / PAGE;
  if (pages > 0) memory.grow(pages);
  const f32 = new Float32Array(memory.buffer);
  const u32 = new Uint32Array(memory.buffer);
  f32.set(params, param >>> 2);
  f32.set(grads, grad >>> 2);
  const w = table >>> 2;
  u32[w + REC_PARAM] = param;
  u32[w + REC_GRAD] = grad;
  for (let k = 0; k < 3; k++) u32[w + REC_STATE0 + k] = states[k] ?? 0;
  u32[w + REC_COUNT] = n;
  raw.record(f32, u32, w);
  return { memory, kernel, kernelName: raw.kernel, table, param, grad, states, record: 'by hand' };
}

/**
 * Where the facade wrote a parameter's record: its param and grad offsets and its count.
 * @param {Uint32Array} u32  the facade's memory
 * @param {{ dataOffset: number, gradOffset: number, length: number }} handle
 * @returns {number} word index
 */
function findRecord(u32, handle) {
  for (let w = 0; w + RECORD_WORDS <= u32.length; w += 4) {
    if (
      u32[w + REC_PARAM] === handle.dataOffset &&
      u32[w + REC_GRAD] === handle.gradOffset &&
      u32[w + REC_COUNT] === handle.length
    ) {
      return w;
    }
  }
  throw new Error("no record of the parameter found in the facade's memory");
}

/**
 * A facade optimizer over the same inputs after `before` steps: its memory then, and after one
 * more step, with the record it wrote for that step.
 * @param {import('../algorithms/index.mjs').Variant} variant
 * @param {Float32Array} params
 * @param {Float32Array} grads
 * @param {number} before
 */
function facadeStep(variant, params, grads, before) {
  const opt = new variant.Class([params.length], { ...variant.options, backend: 'simd' });
  const handle = opt.params[0];
  handle.data.set(params);
  handle.grad.set(grads);
  for (let k = 0; k < before; k++) opt.step();
  const snapshot = new Uint8Array(/** @type {ArrayBuffer} */ (handle.data.buffer)).slice();
  opt.step();
  const after = new Uint32Array(/** @type {ArrayBuffer} */ (handle.data.buffer));
  const word = findRecord(after, handle);
  // The state buffers the parameter has: the record's first state words (a word past them may
  // hold a scalar, e.g. RAdam's tenth).
  const entry = /** @type {Record<string, unknown>} */ (opt.stateDict().state[0] ?? {});
  const buffers = Object.values(entry).filter((x) => x instanceof Float32Array).length;
  return { handle, snapshot, after, word, buffers };
}

/**
 * Memory copied from a facade optimizer before its second step (or its `copiedAfter` + 1-th), with the record it wrote
 * for
 * that step: the steady state (e.g. SGD's first momentum step only copies the gradient).
 * @param {import('../algorithms/index.mjs').Variant} variant
 * @param {Float32Array} params
 * @param {Float32Array} grads
 * @param {string} kernelName
 * @returns {RawSetup}
 */
function copied(variant, params, grads, kernelName) {
  const { handle, snapshot, after, word, buffers } = facadeStep(
    variant,
    params,
    grads,
    variant.copiedAfter ?? COPIED_AFTER,
  );
  const memory = new WebAssembly.Memory({ initial: snapshot.byteLength / PAGE });
  const exports = instantiate(memory);
  const kernel = kernelOf(exports, kernelName);
  new Uint8Array(memory.buffer).set(snapshot);
  const u32 = new Uint32Array(memory.buffer);
  u32.set(after.subarray(word, word + RECORD_WORDS), word);
  const states = [0, 1, 2]
    .map((k) => u32[word + REC_STATE0 + k])
    .filter((x) => x !== 0)
    .slice(0, buffers);
  return {
    memory,
    kernel,
    kernelName,
    table: word * 4,
    param: handle.dataOffset,
    grad: handle.gradOffset,
    states,
    record: 'copied from the facade',
  };
}

/**
 * @param {import('../algorithms/index.mjs').Variant} variant
 * @param {Float32Array} params
 * @param {Float32Array} grads
 * @param {string} kernelName  ignored with a `raw` description, which names its kernel
 */
function setup(variant, params, grads, kernelName) {
  return variant.raw === undefined ? copied(variant, params, grads, kernelName) : byHand(variant.raw, params, grads);
}

/**
 * The timed raw kernel at size n.
 * @param {import('../algorithms/index.mjs').Variant} variant
 * @param {number} n
 * @param {string} kernelName  from verifyRawKernel()
 * @returns {import('../task.mjs').Instance & { setup: RawSetup }}
 */
export function rawKernel(variant, n, kernelName) {
  const { params, grads } = inputs(n);
  const s = setup(variant, params, grads, kernelName);
  const { kernel, table } = s;
  return {
    setup: s,
    fn: () => kernel(table, 1),
    check: () => assertFinite(new Float32Array(s.memory.buffer, s.param, n), `${variant.id} raw kernel params`),
    dispose: () => {},
  };
}

/**
 * The difference between the raw kernel's memory after one call and the facade's after its
 * step: record (and so layout), then parameter and state bits.
 * @param {RawSetup} s
 * @param {{ after: Uint32Array, word: number }} facade
 * @param {number} n
 * @returns {string | null}
 */
function difference(s, facade, n) {
  const theirs = facade.after;
  const w = facade.word;
  if (s.table !== w * 4) return `record at byte ${s.table}, the facade's at ${w * 4}`;
  const ours = new Uint32Array(s.memory.buffer);
  for (let k = 0; k < RECORD_WORDS; k++) {
    if (ours[w + k] !== theirs[w + k]) {
      return `record word ${k} is 0x${ours[w + k].toString(16)}, the facade wrote 0x${theirs[w + k].toString(16)}`;
    }
  }
  s.kernel(s.table, 1);
  /** @type {[string, number][]} */
  const arrays = [['param', s.param], ...s.states.map((o, k) => /** @type {[string, number]} */ ([`state${k}`, o]))];
  for (const [what, at] of arrays) {
    const a = new Uint32Array(s.memory.buffer, at, n);
    const b = theirs.subarray(at >>> 2, (at >>> 2) + n);
    const i = a.findIndex((x, k) => x !== b[k]);
    if (i >= 0) return `after one call ${what}[${i}] is 0x${a[i].toString(16)}, the facade's 0x${b[i].toString(16)}`;
  }
  return null;
}

/**
 * Checks, on an odd size (every SIMD tail), that the raw kernel does exactly the work of a
 * zero-copy step(): same offsets, same 64-byte record, and after one call the same parameter
 * and state bits as the facade after the same step. Without a `raw` description the kernel is
 * the export that reproduces the facade's step: `<algorithm>Step` is tried first, then the
 * others (the library's 'momentum' runs 'sgdStep').
 * @param {import('../algorithms/index.mjs').Variant} variant
 * @param {number} [n]
 * @returns {{ record: string, kernel: string }} how the record was made, and the kernel
 * @throws when nothing matches
 */
export function verifyRawKernel(variant, n = 1003) {
  const { params, grads } = inputs(n);
  if (variant.raw !== undefined) {
    const s = byHand(variant.raw, params, grads);
    const problem = difference(s, facadeStep(variant, params, grads, 0), n);
    if (problem !== null) throw new Error(`${s.kernelName}: ${problem}`);
    return { record: s.record, kernel: s.kernelName };
  }
  const facade = facadeStep(variant, params, grads, variant.copiedAfter ?? COPIED_AFTER);
  // The kernels only (not heapBase, expandSparseRows, …, which take other arguments).
  const exported = new Set(WebAssembly.Module.exports(module()).map((e) => e.name));
  const names = KERNEL_NAMES.filter((name) => exported.has(name));
  const first = names.find((x) => x.toLowerCase() === `${variant.algorithm}step`);
  const ordered = [
    ...names.filter((x) => x === first),
    ...names.filter((x) => x !== first && !x.endsWith('Tfjs')),
    ...names.filter((x) => x !== first && x.endsWith('Tfjs')),
  ];
  /** @type {string[]} */
  const tried = [];
  for (const name of ordered) {
    const s = copied(variant, params, grads, name);
    const problem = difference(s, facade, n);
    if (problem === null) return { record: s.record, kernel: name };
    tried.push(`${name}: ${problem}`);
  }
  throw new Error(`no export of the SIMD binary reproduces the facade's step (${tried.join('; ')})`);
}
