#!/usr/bin/env node
// Golden optimizer vectors from TF.js 4.22 (tfjs-core + tfjs-backend-cpu, backend "cpu").
//
// Writes test/fixtures/golden/tfjs/adamax.json in the schema `optim-golden/1` (see
// test/fixtures/golden/README.md), then checks its own output: the file is read back, every case
// is decoded and re-run through tf.train.adamax from the decoded data, and every stored value must
// equal the framework's float32 result bit for bit (and be the shortest decimal of that float32).
//
//   node scripts/golden/gen_tfjs.mjs            # write + self-check
//   node scripts/golden/gen_tfjs.mjs --check    # only re-check the committed file
//   node scripts/golden/gen_tfjs.mjs --out /tmp/golden/tfjs
//
// tf.train.adamax has no getWeights()/setWeights() (both throw in 4.22), so the state is read from
// the optimizer's own variables: accumulatedFirstMoment[i].variable ("p<i>/m") and
// accumulatedWeightedInfNorm[i].variable ("p<i>/v"), plus the scalars accBeta1 and iteration.
// Deterministic: seed 20261202 (xoshiro128**, splitmix32-seeded; Box–Muller normals).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

const SEED = 20261202;
const GENERATOR = 'scripts/golden/gen_tfjs.mjs';
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

// ---------------------------------------------------------------------------------------------
// float32 <-> string: Python's '%.{p}g' for the smallest p (1..9) that round-trips

function fmtG(x, p) {
  const neg = x < 0;
  const [m, e] = Math.abs(x)
    .toExponential(p - 1)
    .split('e');
  const exp = Number(e);
  const digits = m.replace('.', '');
  let out;
  if (exp < -4 || exp >= p) {
    let mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    if (mant.includes('.')) mant = mant.replace(/0+$/, '').replace(/\.$/, '');
    const ae = Math.abs(exp);
    out = `${mant}e${exp < 0 ? '-' : '+'}${ae < 10 ? `0${ae}` : ae}`;
  } else {
    let int, frac;
    if (exp >= 0) {
      int = digits.slice(0, exp + 1);
      frac = digits.slice(exp + 1);
    } else {
      int = '0';
      frac = '0'.repeat(-exp - 1) + digits;
    }
    frac = frac.replace(/0+$/, '');
    out = frac.length ? `${int}.${frac}` : int;
  }
  return neg ? `-${out}` : out;
}

export function enc(v) {
  const x = Math.fround(v);
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  for (let p = 1; p <= 9; p++) {
    const s = fmtG(x, p);
    if (Math.fround(Number(s)) === x) return s;
  }
  throw new Error(`no round-trip string for ${x}`);
}
const encArr = (a) => Array.from(a, enc);
const decArr = (a) => Float32Array.from(a, Number);

function sameBits(a, b) {
  if (a.length !== b.length) return false;
  const ua = new Uint32Array(Float32Array.from(a).buffer);
  const ub = new Uint32Array(Float32Array.from(b).buffer);
  return ua.every((v, i) => v === ub[i]);
}

// ---------------------------------------------------------------------------------------------
// deterministic random numbers

function makeRng(seed) {
  let s = seed >>> 0;
  const splitmix32 = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  const st = [splitmix32(), splitmix32(), splitmix32(), splitmix32()];
  const rotl = (x, k) => ((x << k) | (x >>> (32 - k))) >>> 0;
  const next = () => {
    // xoshiro128**
    const r = Math.imul(rotl(Math.imul(st[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (st[1] << 9) >>> 0;
    st[2] ^= st[0];
    st[3] ^= st[1];
    st[1] ^= st[2];
    st[0] ^= st[3];
    st[2] ^= t;
    st[3] = rotl(st[3], 11);
    return r;
  };
  const random = () => ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992; // [0, 1), 53 bits
  let spare = null;
  const normal = () => {
    if (spare !== null) {
      const v = spare;
      spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = random();
    const r = Math.sqrt(-2 * Math.log(u));
    const th = 2 * Math.PI * random();
    spare = r * Math.sin(th);
    return r * Math.cos(th);
  };
  const uniform = (lo, hi) => lo + (hi - lo) * random();
  const integer = (lo, hi) => lo + Math.floor(random() * (hi - lo)); // [lo, hi)
  const choice = (arr) => arr[integer(0, arr.length)];
  const shuffle = (arr) => {
    const a = [...arr];
    for (let i = a.length - 1; i > 0; i--) {
      const j = integer(0, i + 1);
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  };
  return { random, normal, uniform, integer, choice, shuffle };
}

// ---------------------------------------------------------------------------------------------
// data regimes (README "Tags")

const MIXED_MAGS = [0, 1e-20, 1e-8, 1e-3, 1, 1e3, 1e10];
const SMALL_LENS = [1, 3, 4, 5, 7, 8, 15, 16, 17];
const MAG_LENS = [4, 5, 7, 8, 15, 16, 17, 31, 33];
const MULTI_LENS = [1, 3, 4, 5, 8, 15, 16, 17, 31, 33];
const SWEEP_LENS = [1, 3, 4, 5, 7, 8, 15, 16, 17, 31, 33, 64, 100, 257];
const f32 = (a) => Float32Array.from(a);
const arr = (n, f) => Array.from({ length: n }, f);

function makeInit(rng, regime, n) {
  const sign = () => (rng.random() < 0.5 ? -1 : 1);
  switch (regime) {
    case 'init-uniform':
      return f32(arr(n, () => rng.uniform(-1, 1)));
    case 'init-normal':
      return f32(arr(n, () => 3 * rng.normal()));
    case 'init-wide':
      return f32(arr(n, () => sign() * 10 ** rng.uniform(-3, 3)));
    case 'init-zeros':
      return new Float32Array(n);
    default:
      throw new Error(regime);
  }
}

function oneStep(rng, regime, n) {
  const sign = () => (rng.random() < 0.5 ? -1 : 1);
  switch (regime) {
    case 'normal':
      return arr(n, () => rng.normal());
    case 'zero':
      return arr(n, () => 0);
    case 'tiny':
      return arr(n, () => sign() * rng.uniform(0.5, 2) * 1e-20);
    case 'large':
      return arr(n, () => sign() * rng.uniform(0.5, 2) * 1e10);
    case 'mixed':
      return arr(n, () => sign() * rng.uniform(0.5, 2) * rng.choice(MIXED_MAGS));
    default:
      throw new Error(regime);
  }
}

function makeGrads(rng, regime, n, steps) {
  let out;
  if (regime === 'scaled') {
    const s = 10 ** rng.uniform(-3, 3);
    out = arr(steps, () => arr(n, () => rng.normal() * s));
  } else if (regime === 'positive') {
    out = arr(steps, () => arr(n, () => Math.abs(rng.normal()) + 0.05));
  } else if (regime === 'zero-steps') {
    out = arr(steps, () => (rng.random() < 0.4 ? arr(n, () => 0) : arr(n, () => rng.normal())));
  } else if (regime === 'sign-flip') {
    const v = arr(n, () => rng.normal());
    out = arr(steps, (_, t) => v.map((x) => x * (-1) ** (t + 1) * rng.uniform(0.9, 1.1)));
  } else if (regime === 'constant') {
    const v = arr(n, () => rng.normal());
    out = arr(steps, () => [...v]);
  } else if (regime === 'mixed-steps') {
    const kinds = ['normal', 'zero', 'tiny', 'large', 'mixed'];
    out = arr(steps, () => oneStep(rng, rng.choice(kinds), n));
  } else {
    out = arr(steps, () => oneStep(rng, regime, n));
  }
  return out.map(f32);
}

/** Distinct option combinations (index tuples) covering every pair of values, then random extras. */
function pairwiseGrid(rng, factors, count) {
  const sizes = factors.map(([, v]) => v.length);
  let full = [[]];
  for (const s of sizes) full = full.flatMap((c) => arr(s, (_, i) => [...c, i]));
  full = rng.shuffle(full);
  const pairs = (c) => {
    const out = [];
    for (let i = 0; i < c.length; i++) for (let j = i + 1; j < c.length; j++) out.push(`${i}:${c[i]}/${j}:${c[j]}`);
    return out;
  };
  const needed = new Set(full.flatMap(pairs));
  const chosen = [];
  while (needed.size > 0) {
    let best = 0,
      bestScore = -1;
    full.forEach((c, i) => {
      const score = pairs(c).filter((p) => needed.has(p)).length;
      if (score > bestScore) {
        best = i;
        bestScore = score;
      }
    });
    const c = full.splice(best, 1)[0];
    chosen.push(c);
    for (const p of pairs(c)) needed.delete(p);
  }
  while (chosen.length < count && full.length > 0) chosen.push(full.shift());
  return rng.shuffle(chosen);
}

// ---------------------------------------------------------------------------------------------
// tf.train.adamax

const ORDER = ['learningRate', 'beta1', 'beta2', 'epsilon', 'decay'];
const DEFAULTS = { learningRate: 0.002, beta1: 0.9, beta2: 0.999, epsilon: null, decay: 0 };
const GRID = [
  ['learningRate', [0.002, 0.01]],
  ['beta1', [0.9, 0.8]],
  ['beta2', [0.999, 0.99]],
  ['epsilon', [null, 1e-3]],
  ['decay', [0, 0.01]],
];

function runCase(options, inits, grads) {
  const vars = inits.map((x, k) => {
    const t = tf.tensor1d(x, 'float32');
    const v = tf.variable(t, true, `p${k}`);
    t.dispose();
    return v;
  });
  const args = ORDER.map((k) => (options[k] === null ? undefined : options[k]));
  const opt = tf.train.adamax(...args);
  const traj = [];
  for (const gs of grads) {
    const named = gs.map((g, k) => ({ name: vars[k].name, tensor: tf.tensor1d(g, 'float32') }));
    opt.applyGradients(named);
    named.forEach(({ tensor }) => tensor.dispose());
    traj.push(vars.map((v) => Float32Array.from(v.dataSync())));
  }
  // getWeights() throws for Adamax in 4.22: read the optimizer's own variables
  const state = vars.map((_, k) => ({
    m: Float32Array.from(opt.accumulatedFirstMoment[k].variable.dataSync()),
    v: Float32Array.from(opt.accumulatedWeightedInfNorm[k].variable.dataSync()),
  }));
  const slotNames = vars.map((_, k) => [
    opt.accumulatedFirstMoment[k].originalName,
    opt.accumulatedWeightedInfNorm[k].originalName,
  ]);
  const extra = {
    accBeta1: opt.accBeta1.dataSync()[0],
    iteration: opt.iteration.dataSync()[0],
    epsilon: opt.epsilon,
    iterations: opt.iterations,
  };
  opt.dispose();
  vars.forEach((v) => v.dispose());
  return { traj, state, slotNames, extra };
}

function buildCases() {
  const rng = makeRng(SEED);
  const cases = [];
  const options = (combo) => {
    const vals = Object.fromEntries(GRID.map(([name, values], i) => [name, values[combo[i]]]));
    return Object.fromEntries(ORDER.map((k) => [k, k in vals ? vals[k] : DEFAULTS[k]]));
  };
  const randomOptions = () => options(GRID.map(([, v]) => rng.integer(0, v.length)));

  const add = (group, opts, steps, lens, regime, initRegime) => {
    const inits = lens.map((n) => makeInit(rng, initRegime, n));
    const perTensor = lens.map((n) => makeGrads(rng, regime, n, steps));
    const grads = arr(steps, (_, t) => lens.map((__, k) => perTensor[k][t]));
    const { traj, state, slotNames, extra } = runCase(opts, inits, grads);
    for (const [m, v] of slotNames) if (!/\/m$/.test(m) || !/\/v$/.test(v)) throw new Error('slot names');
    cases.push({
      id: `tfjs-adamax-public-${String(cases.length).padStart(3, '0')}`,
      tags: [group, regime, initRegime],
      options: opts,
      epsilon_used: extra.epsilon,
      steps,
      shapes: lens.map((n) => [n]),
      init: inits.map(encArr),
      grads: grads.map((gs) => gs.map(encArr)),
      params: traj.map((ps) => ps.map(encArr)),
      state: state.map((s) => ({ m: encArr(s.m), v: encArr(s.v) })),
      iterations: extra.iterations,
      weight_names: null,
      extra_state: { accBeta1: enc(extra.accBeta1), iteration: extra.iteration },
    });
  };

  const DENSE = ['normal', 'scaled', 'positive', 'zero-steps', 'sign-flip', 'mixed'];
  const INITS = ['init-uniform', 'init-uniform', 'init-uniform', 'init-normal', 'init-wide', 'init-zeros'];
  add('defaults', { ...DEFAULTS }, 5, [8], 'normal', 'init-uniform');
  const combos = pairwiseGrid(rng, GRID, 24);
  const initCycle = rng.shuffle(combos.map((_, i) => INITS[i % INITS.length]));
  combos.forEach((combo, i) => {
    add('grid', options(combo), rng.integer(1, 13), [rng.choice(SMALL_LENS)], DENSE[i % DENSE.length], initCycle[i]);
  });
  for (const n of SWEEP_LENS) {
    const steps = n <= 17 ? rng.integer(1, 21) : n <= 33 ? rng.integer(1, 6) : rng.integer(1, 4);
    add('length-sweep', randomOptions(), steps, [n], rng.choice(['normal', 'scaled', 'mixed']), 'init-uniform');
  }
  for (const regime of [
    'zero',
    'zero',
    'tiny',
    'tiny',
    'large',
    'large',
    'mixed',
    'mixed',
    'mixed-steps',
    'mixed-steps',
    'constant',
    'constant',
  ]) {
    const n = rng.choice(MAG_LENS);
    const steps = n <= 17 ? rng.integer(2, 21) : rng.integer(2, 9);
    add('magnitude', randomOptions(), steps, [n], regime, rng.choice(['init-uniform', 'init-normal']));
  }
  for (let i = 0; i < 4; i++) {
    const lens = rng.shuffle(MULTI_LENS).slice(0, rng.integer(2, 5));
    add(
      'multi-tensor',
      randomOptions(),
      rng.integer(2, 8),
      lens,
      rng.choice(['normal', 'positive', 'zero-steps', 'scaled', 'sign-flip']),
      'init-uniform',
    );
  }
  // a long run: accBeta1 -> 0, and the learning-rate decay lr/(1 + iteration*decay) well away from lr
  add('long', { ...randomOptions(), decay: 0.01 }, 40, [5], 'normal', 'init-uniform');
  return cases;
}

function fileFor(cases) {
  const version = (p) => require(`${p}/package.json`).version;
  const backend = tf.backend();
  return {
    schema: 'optim-golden/1',
    framework: {
      name: 'tfjs',
      version: version('@tensorflow/tfjs-core'),
      tfjs_core: version('@tensorflow/tfjs-core'),
      tfjs_backend_cpu: version('@tensorflow/tfjs-backend-cpu'),
      backend: tf.getBackend(),
      dtype: 'float32',
      float_precision: backend.floatPrecision(),
      backend_epsilon: backend.epsilon(),
      node: process.version,
    },
    algorithm: 'adamax',
    api: 'tf.train.adamax(learningRate, beta1, beta2, epsilon, decay)',
    set: 'public',
    seed: SEED,
    generator: GENERATOR,
    encoding: 'f32-decimal-string',
    formula:
      'lr_t = -learningRate / (iteration*decay + 1) (iteration = float32 counter, 0 at the first step); ' +
      'accBeta1 = float32 running product starting at beta1 (= beta1^t at step t); ' +
      'm = beta1*m + (1-beta1)*g; v = max(beta2*v, |g|); ' +
      'param = (lr_t/(1-accBeta1)) * (m/(v + eps)) + param   ' +
      '[eps added to the infinity norm in the division, NOT inside the max (PyTorch: max(b2*u, |g| + eps)); ' +
      'decay is a learning-rate decay, not weight decay]',
    epsilon_note: 'epsilon null = not passed: the optimizer uses ENGINE.backend.epsilon() (1e-7 for the cpu backend)',
    state_note:
      'tf.train.adamax has no getWeights()/setWeights() in 4.22 (both throw "not implemented for Adamax yet"), ' +
      "so weight_names is null and the state was read from the optimizer's internal variables: " +
      'm = accumulatedFirstMoment[i] ("p<i>/m"), v = accumulatedWeightedInfNorm[i] ("p<i>/v", the weighted ' +
      "infinity norm = PyTorch's exp_inf, NOT a second moment); extra_state holds the float32 scalars accBeta1 " +
      '(= beta1^(T+1) after T steps) and iteration (= T, as an integer)',
    defaults: DEFAULTS,
    state_keys: ['m', 'v'],
    cases,
  };
}

function checkFile(path) {
  const data = JSON.parse(readFileSync(path, 'utf8'));
  let values = 0;
  const strings = (list, where) => {
    for (const s of list) if (enc(Number(s)) !== s) throw new Error(`${where}: ${s} is not the shortest f32 string`);
  };
  for (const c of data.cases) {
    const inits = c.init.map(decArr);
    const grads = c.grads.map((gs) => gs.map(decArr));
    c.init.forEach((x) => strings(x, c.id));
    c.grads.forEach((gs) => gs.forEach((g) => strings(g, c.id)));
    const { traj, state, extra } = runCase(c.options, inits, grads);
    if (c.params.length !== c.steps || traj.length !== c.steps) throw new Error(`${c.id}: steps`);
    c.params.forEach((ps, t) =>
      ps.forEach((want, k) => {
        strings(want, c.id);
        if (!sameBits(traj[t][k], decArr(want))) throw new Error(`${c.id}: params after step ${t + 1}, tensor ${k}`);
        values += want.length;
      }),
    );
    c.state.forEach((want, k) => {
      for (const name of ['m', 'v']) {
        strings(want[name], c.id);
        if (!sameBits(state[k][name], decArr(want[name]))) throw new Error(`${c.id}: state[${k}].${name}`);
        values += want[name].length;
      }
    });
    if (!sameBits([extra.accBeta1], decArr([c.extra_state.accBeta1]))) throw new Error(`${c.id}: accBeta1`);
    if (extra.iteration !== c.extra_state.iteration || extra.iterations !== c.iterations || c.iterations !== c.steps)
      throw new Error(`${c.id}: iterations`);
    if (extra.epsilon !== c.epsilon_used) throw new Error(`${c.id}: epsilon`);
  }
  return { cases: data.cases.length, values };
}

async function main() {
  const argv = process.argv.slice(2);
  const check = argv.includes('--check');
  const outIdx = argv.indexOf('--out');
  const outDir = outIdx >= 0 ? resolve(argv[outIdx + 1]) : join(REPO, 'test', 'fixtures', 'golden', 'tfjs');
  await tf.setBackend('cpu');
  await tf.ready();
  if (tf.getBackend() !== 'cpu') throw new Error('cpu backend not active');
  // record that getWeights really is missing
  const probe = tf.train.adamax();
  await probe.getWeights().then(
    () => {
      throw new Error('tf.train.adamax has getWeights() now: record the state from it');
    },
    (e) => console.error(`tf.train.adamax().getWeights(): ${e.message}`),
  );
  probe.dispose();
  console.error(
    `tfjs-core ${tf.version_core}, backend ${tf.getBackend()}, epsilon ${tf.backend().epsilon()},` +
      ` node ${process.version}`,
  );
  const path = join(outDir, 'adamax.json');
  if (!check) {
    mkdirSync(outDir, { recursive: true });
    const before = tf.memory().numTensors;
    const cases = buildCases();
    if (tf.memory().numTensors !== before) throw new Error('tensor leak');
    writeFileSync(path, `${JSON.stringify(fileFor(cases))}\n`);
  }
  const { cases, values } = checkFile(path);
  console.error(`${path}: ${cases} cases, ${values} values re-derived bit for bit, ${readFileSync(path).length} bytes`);
}

await main();
