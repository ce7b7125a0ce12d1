// Child process of test/limits.test.ts: steps large zero-copy parameters and checks them at
// sampled indices against a small reference optimizer. Run alone so that the gigabytes it
// touches go back to the operating system when it exits.
//
//   node test/limits/step-sampled.mjs '<json job>'
//
// job: { algorithm, flavor, options, buffers, backend, lengths, samples?, seed?, referenceBackend?,
//        referenceOptions? (merged into the reference's options: the self-test's deliberate error) }
//   algorithm  registry name ('adam', …): the exported class whose name is it, case-insensitively
//   buffers    state buffers per parameter under `options` (test/helpers/full-options.ts); used
//              only to find the indices whose bytes cross 2 GiB in each state buffer
//   lengths    the parameters' lengths, one group
//
// Every parameter is created from its length (all zeros, nothing touched). At the sampled
// indices — the first and last eight, around element 2^27, 2^28 and 2^29 where the tensor has
// them, where the byte offset of the parameter, its gradient or any of its state buffers crosses
// 1, 2 or 3 GiB (2^31: where a signed shift would go wrong), and random ones — it writes
// a parameter value and a gradient, steps (zero-copy), writes a second gradient, steps again and
// reads the parameters back. The reference optimizer holds, per parameter, a tensor of the
// sampled values plus one zero element, steps with the same gradients; sampled element i of the
// large tensor must equal element k of the reference bit for bit (NaN equal to NaN), and the
// unsampled elements checked must equal the reference's zero element (zero gradient, zero value).
//
// Prints one line of JSON: { ok, backend, memoryBytes, mismatches, timesMs, ... }.
import * as lib from '../../dist/index.js';

const job = JSON.parse(process.argv[2] ?? '{}');
const {
  algorithm,
  flavor,
  options = {},
  buffers,
  backend,
  lengths,
  samples = 300,
  seed = 1,
  referenceBackend = 'js',
  referenceOptions = {},
} = job;

const Class = Object.values(lib).find((value) => typeof value === 'function' && value.name.toLowerCase() === algorithm);
if (Class === undefined) fail(`no exported optimizer class named ${algorithm}`);
if (!Array.isArray(lengths) || lengths.length === 0) fail('lengths must be a non-empty array');

const GIB = 2 ** 30;
const TWO_GIB = 2 ** 31;
const alignUp = (bytes) => Math.ceil(bytes / 16) * 16;
const times = {};
let clock = performance.now();
function lap(name) {
  const now = performance.now();
  times[name] = Math.round(now - clock);
  clock = now;
}

// mulberry32: deterministic values without depending on the test helpers (TypeScript).
let state = seed >>> 0;
function random() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
/** A float32 of either sign with a magnitude spread over 2^-12 … 2^8. */
function value() {
  return Math.fround((random() * 2 - 1) * 2 ** Math.floor(random() * 20 - 12));
}

const big = new Class(lengths, { ...options, flavor, backend });
lap('construct');
const handles = big.params;

// Where each buffer starts: data and gradient per parameter (the handles say), then the state
// buffers parameter by parameter in the order the optimizer allocates them. Only used to pick
// indices near the 2 GiB byte offset; if the layout ever changes the check still holds, it
// just samples less interesting places (`crossings` in the output shows which were found).
const stateStart = handles.reduce((end, h) => Math.max(end, h.gradOffset + alignUp(4 * h.length)), 0);
const bufferStarts = [];
{
  let at = stateStart;
  for (const h of handles) {
    const starts = [h.dataOffset, h.gradOffset];
    for (let k = 0; k < buffers; k++) {
      starts.push(at);
      at += alignUp(4 * h.length);
    }
    bufferStarts.push(starts);
  }
}

const crossings = [];
const sampled = handles.map((h, j) => {
  const n = h.length;
  const set = new Set();
  const add = (i) => {
    if (Number.isInteger(i) && i >= 0 && i < n) set.add(i);
  };
  for (let i = 0; i < 8; i++) {
    add(i);
    add(n - 1 - i);
  }
  // Element 2^29 lies past every tensor that fits (it would need a 2 GiB buffer); the byte
  // offsets of the memory's 1, 2 and 3 GiB marks, where word index 2^28, 2^29 and 3·2^28 lie,
  // are found in whichever buffers cross them.
  for (const p of [2 ** 27, 2 ** 28, 2 ** 29]) for (let d = -2; d < 2; d++) add(p + d);
  bufferStarts[j].forEach((start, b) => {
    for (const mark of [GIB, TWO_GIB, 3 * GIB]) {
      const c = Math.ceil((mark - start) / 4);
      if (c > 0 && c < n) {
        crossings.push({ param: j, buffer: b, byte: mark, index: c });
        for (let d = -2; d < 2; d++) add(c + d);
      }
    }
  });
  const want = Math.min(n, Math.max(samples, set.size));
  while (set.size < want) add(Math.floor(random() * n));
  return Int32Array.from([...set].sort((a, b) => a - b));
});

// Unsampled indices to check against the zero element: neighbours of sampled ones and random.
const unsampled = handles.map((h, j) => {
  const n = h.length;
  const taken = new Set(sampled[j]);
  const set = new Set();
  const add = (i) => {
    if (Number.isInteger(i) && i >= 0 && i < n && !taken.has(i)) set.add(i);
  };
  for (const i of sampled[j]) {
    add(i - 1);
    add(i + 1);
    if (set.size >= 24) break;
  }
  for (let tries = 0; set.size < 48 && tries < 1000; tries++) add(Math.floor(random() * n));
  add(Math.floor(n / 2));
  return Int32Array.from([...set].sort((a, b) => a - b));
});

const values0 = sampled.map((s) => Float32Array.from(s, value));
const grads1 = sampled.map((s) => Float32Array.from(s, value));
const grads2 = sampled.map((s) => Float32Array.from(s, value));

function writeAt(view, indices, source) {
  for (let k = 0; k < indices.length; k++) view[indices[k]] = source[k];
}

handles.forEach((h, j) => {
  writeAt(h.data, sampled[j], values0[j]);
  writeAt(h.grad, sampled[j], grads1[j]);
});
lap('write');
big.step();
lap('step1');
handles.forEach((h, j) => writeAt(h.grad, sampled[j], grads2[j]));
big.step();
lap('step2');
const gotSampled = handles.map((h, j) => Float32Array.from(sampled[j], (i) => h.data[i]));
const gotUnsampled = handles.map((h, j) => Float32Array.from(unsampled[j], (i) => h.data[i]));
const memoryBytes = big.memoryBytes;
const usedBackend = big.backend;
const fma = big.fma;
const rssBytes = process.memoryUsage().rss;
big.dispose();

// The reference: per parameter, its sampled values and one zero element at the end.
const reference = new Class(
  sampled.map((s) => s.length + 1),
  { ...options, ...referenceOptions, flavor, backend: referenceBackend },
);
const fill = (view, source) => {
  view.fill(0);
  view.set(source);
};
reference.params.forEach((h, j) => {
  fill(h.data, values0[j]);
  fill(h.grad, grads1[j]);
});
reference.step();
reference.params.forEach((h, j) => fill(h.grad, grads2[j]));
reference.step();
const want = reference.params.map((h) => h.data.slice());
reference.dispose();
lap('reference');

const bits = new Uint32Array(1);
const f32 = new Float32Array(bits.buffer);
function same(a, b) {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  return Object.is(a, b);
}
function hex(x) {
  f32[0] = x;
  return `0x${bits[0].toString(16).padStart(8, '0')}`;
}
const mismatches = [];
let compared = 0;
handles.forEach((_h, j) => {
  const zero = want[j][sampled[j].length];
  sampled[j].forEach((i, k) => {
    compared++;
    const got = gotSampled[j][k];
    const expected = want[j][k];
    if (!same(got, expected))
      mismatches.push({ param: j, index: i, kind: 'sampled', got: hex(got), want: hex(expected) });
  });
  unsampled[j].forEach((i, k) => {
    compared++;
    const got = gotUnsampled[j][k];
    if (!same(got, zero)) mismatches.push({ param: j, index: i, kind: 'unsampled', got: hex(got), want: hex(zero) });
  });
});

process.stdout.write(
  `${JSON.stringify({
    ok: mismatches.length === 0,
    algorithm,
    flavor,
    backend: usedBackend,
    fma,
    lengths,
    elements: lengths.reduce((a, b) => a + b, 0),
    memoryBytes,
    rssBytes,
    compared,
    sampled: sampled.reduce((a, s) => a + s.length, 0),
    crossings,
    mismatches: mismatches.slice(0, 10),
    mismatchCount: mismatches.length,
    timesMs: times,
  })}\n`,
);

function fail(message) {
  process.stdout.write(`${JSON.stringify({ ok: false, error: message })}\n`);
  process.exit(2);
}
