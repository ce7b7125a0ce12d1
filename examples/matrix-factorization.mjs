// Matrix factorization with row-sparse Adagrad: learn user and item embeddings from ratings.
//
//   npm run build && node examples/matrix-factorization.mjs [--epochs N]
//
// The ratings are generated: users and items have hidden 8-dimensional tastes, a rating is their
// dot product plus noise, and popular users and items rate more often (so a batch repeats rows).
// The model predicts rating(u, i) = P[u] · Q[i] with 32-dimensional embeddings P (users) and
// Q (items), trained on the mean squared error with Adagrad. A batch of 256 ratings touches at
// most 256 rows of each table, so its gradient is row-sparse: for each rating, one gradient row
// for its user and one for its item. Rows listed twice are summed by the optimizer. The loss
// printed is the training MSE (no held-out split: the point here is the optimizer).
import { Adagrad } from 'wasm-optim'; // this package (package.json "exports": dist/index.js)

const epochs = Number(process.argv[process.argv.indexOf('--epochs') + 1] || 0) || 8;
const USERS = 20000;
const ITEMS = 5000;
const DIM = 32; // embedding width
const TRUE_DIM = 8; // width of the hidden tastes the ratings come from
const RATINGS = 100000;
const BATCH = 256;

// A small seeded generator (mulberry32), so every run sees the same data.
let seed = 42;
function random() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
// Popularity: row ⌊n·u³⌋ makes low rows much more frequent than high ones.
const popular = (n) => Math.floor(n * random() ** 3);

// --- Data: ratings from hidden tastes. ---
const tastes = (n) => Float32Array.from({ length: n * TRUE_DIM }, () => gaussian() / Math.sqrt(TRUE_DIM));
const userTaste = tastes(USERS);
const itemTaste = tastes(ITEMS);
const user = new Int32Array(RATINGS);
const item = new Int32Array(RATINGS);
const rating = new Float32Array(RATINGS);
for (let r = 0; r < RATINGS; r++) {
  const u = popular(USERS);
  const i = popular(ITEMS);
  let dot = 0;
  for (let d = 0; d < TRUE_DIM; d++) dot += userTaste[u * TRUE_DIM + d] * itemTaste[i * TRUE_DIM + d];
  user[r] = u;
  item[r] = i;
  rating[r] = dot + 0.05 * gaussian();
}

// --- Model: two embedding tables in one optimizer, declared as { data: length, rows }. ---
// Made from a length, each table lives in the optimizer's memory (params[k].data, a live view):
// a zero-copy step updates it in place. PyTorch's sparse Adagrad arithmetic (the torch flavor).
const opt = new Adagrad(
  [
    { data: USERS * DIM, rows: USERS },
    { data: ITEMS * DIM, rows: ITEMS },
  ],
  { lr: 0.1 },
);
for (const p of opt.params) {
  const data = p.data;
  for (let k = 0; k < data.length; k++) data[k] = 0.1 * gaussian();
}

/** Mean squared error over all ratings (the training loss). */
function loss(P, Q) {
  let sum = 0;
  for (let r = 0; r < RATINGS; r++) {
    const pu = user[r] * DIM;
    const qi = item[r] * DIM;
    let dot = 0;
    for (let d = 0; d < DIM; d++) dot += P[pu + d] * Q[qi + d];
    sum += (dot - rating[r]) ** 2;
  }
  return sum / RATINGS;
}

// --- Training: per batch, one gradient row per rating for its user and for its item. ---
let stepMs = 0; // time spent in opt.step() (the optimizer alone)
let steps = 0;
const order = Int32Array.from({ length: RATINGS }, (_, r) => r);
const initialLoss = loss(opt.params[0].data, opt.params[1].data);
console.log(`epoch 0: loss ${initialLoss.toFixed(4)}`);
for (let epoch = 1; epoch <= epochs; epoch++) {
  for (let k = RATINGS - 1; k > 0; k--) {
    const j = Math.floor(random() * (k + 1));
    [order[k], order[j]] = [order[j], order[k]];
  }
  for (let start = 0; start + BATCH <= RATINGS; start += BATCH) {
    // Zero-copy sparse gradients: views into the optimizer's memory for BATCH rows each. Taken
    // before reading the tables: the first call may grow the memory (and renew every view).
    const gu = opt.params[0].sparseGrad(BATCH);
    const gi = opt.params[1].sparseGrad(BATCH);
    const P = opt.params[0].data;
    const Q = opt.params[1].data;
    for (let b = 0; b < BATCH; b++) {
      const r = order[start + b];
      const pu = user[r] * DIM;
      const qi = item[r] * DIM;
      let dot = 0;
      for (let d = 0; d < DIM; d++) dot += P[pu + d] * Q[qi + d];
      // d/dP[u] of (P[u]·Q[i] − rating)² / BATCH is 2·err·Q[i] / BATCH, and symmetrically for Q[i].
      const scale = (2 * (dot - rating[r])) / BATCH;
      gu.indices[b] = user[r];
      gi.indices[b] = item[r];
      for (let d = 0; d < DIM; d++) {
        gu.values[b * DIM + d] = scale * Q[qi + d];
        gi.values[b * DIM + d] = scale * P[pu + d];
      }
    }
    const t0 = performance.now();
    opt.step(); // steps only the listed rows of both tables (repeated rows summed first)
    stepMs += performance.now() - t0;
    steps++;
  }
  console.log(`epoch ${epoch}: loss ${loss(opt.params[0].data, opt.params[1].data).toFixed(4)}`);
}

// --- Timing: the same Adagrad step with dense gradients, over both whole tables. ---
// A dense gradient holds a value for every row (zero for the rows not in the batch), so the
// optimizer reads and writes all 800,000 parameters and their state on every step.
const dense = new Adagrad([USERS * DIM, ITEMS * DIM], { lr: 0.1 });
for (const p of dense.params) p.grad.fill(1e-3); // the kernel's time does not depend on the values
dense.step(); // first step: state allocation and page faults, not timed
const denseSteps = 20;
const t0 = performance.now();
for (let s = 0; s < denseSteps; s++) dense.step();
const denseMs = (performance.now() - t0) / denseSteps;
const sparseMs = stepMs / steps;
const us = (ms) => `${(ms * 1000).toFixed(1)} µs`;
console.log(`Adagrad sparse step (${BATCH} ratings): ${us(sparseMs)} per step`);
console.log(`Adagrad dense step (${USERS + ITEMS} rows × ${DIM}): ${us(denseMs)} per step`);
console.log(`sparse is ${(denseMs / sparseMs).toFixed(1)}× faster per step`);
