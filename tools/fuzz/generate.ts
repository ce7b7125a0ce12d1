// The case generator. A case is built deterministically from a few integer "knobs" (how many
// steps, which lengths, which data regimes, which interleaved operations…) and a seed for
// everything drawn inside: the CLI samples the knobs from its seeded random source, the test
// suite from fast-check arbitraries (whose shrinking then simplifies knobs toward 0 = simplest).
// Data streams are keyed by (seed, purpose, step, tensor), so removing steps or tensors keeps
// the data of the rest.
import { availableBackends, type BackendName } from '#lib/backend/index.js';
import type { Flavor } from '#lib/spec.js';
import type {
  BadOp,
  FuzzCase,
  Grad,
  GroupSpec,
  Law,
  Op,
  Options,
  SparseBadOp,
  SparseGradSpec,
  TensorSpec,
} from './case.js';
import { BAD_PARAMS, badOptionValue } from './bad-values.js';
import { encodeAny } from './f32.js';
import { randomFailedAdd, type FailedAddContext } from './failed-add.js';
import { algorithmInfo, sameValue, sampleDomain, type AlgorithmInfo } from './info.js';
import { Random } from './random.js';

/** The integer knobs a case is built from; 0 is always the simplest choice. */
export interface Knobs {
  algorithm: string;
  flavor: Flavor;
  /** Seed of everything drawn inside the case (uint32). */
  seed: number;
  /** Number of steps, 1–50. */
  steps: number;
  /** Lengths of the initial tensors (1–6 of them), 0–5000. */
  lengths: number[];
  /** Initial groups − 1 (clamped). */
  groups: number;
  /** 0 defaults, 1 one or two options changed, 2 about half, 3 every supported option at an edge. */
  options: number;
  /** 0 none, 1 per-group option overrides. */
  overrides: number;
  /** 0 normal, 1 scaled, 2 mixed magnitudes, 3 a regime per tensor, 4 a regime per tensor and step. */
  grads: number;
  /** 0 uniform(−1, 1), 1 3·normal, 2 ±10^U(−3, 3), 3 zeros, 4 a regime per tensor. */
  init: number;
  /** 0 independent steps, 1 constant, 2 sign-flipping, 3 all-zero steps mixed in, 4 per tensor. */
  sequence: number;
  /** 0 drop-in, 1 zero-copy, 2 mixed. */
  mode: number;
  /** 0 the caller's Float32Arrays, 1 lengths (optimizer-owned), 2 mixed. */
  sources: number;
  /** 0 none, 1 some null gradients in drop-in steps. */
  nullGrads: number;
  /** 0 none, 1 lr changes between steps, 2 any option changes. */
  sets: number;
  /** 0 none, 1 addParamGroup between steps (sometimes a large one: memory growth). */
  addGroups: number;
  /** 0 none, 1 stateDict → JSON → loadStateDict into a fresh optimizer between steps. */
  checkpoints: number;
  /** 0 none, 1 invalid input between steps. */
  bad: number;
  /** Laws to check, a bit mask: 1 maximize, 2 resume, 4 split, 8 permute, 16 twin (when there is invalid input). */
  laws: number;
  /** 0 none, 1 failing addParamGroup calls between steps (failed-add.ts; with the twin law). */
  failedAdds?: number;
  /**
   * 0 none; 1 row-shaped tensors (`{ data, rows }`) whose steps mix dense, null and row-sparse
   * gradients (where the flavor and the group's options take them); 2 the same with invalid
   * row-sparse gradients between steps (with the twin law).
   */
  sparse?: number;
}

export const REGIMES = ['normal', 'scaled', 'positive', 'zero', 'tiny', 'huge', 'mixed', 'special', 'wide'] as const;
export type Regime = (typeof REGIMES)[number];
/** How often each regime is drawn where the regime is random. */
const REGIME_WEIGHTS = [30, 15, 5, 5, 8, 8, 12, 12, 5];

const SPECIALS = [
  0,
  -0,
  1e-45,
  -1e-45,
  2.9e-39,
  -5.8e-40,
  1.1754942e-38,
  -1.1754942e-38,
  1e-38,
  3.4028235e38,
  -3.4028235e38,
  3e38,
  NaN,
  Infinity,
  -Infinity,
  1,
  -1,
];
const MAGNITUDES = [0, 1e-45, 1e-41, 1e-38, 1e-20, 1e-8, 1e-3, 1, 1e3, 1e10, 1e20, 1e30, 1.5e38];

/** n float32 values of a regime. */
export function fillRegime(r: Random, n: number, regime: Regime): Float32Array {
  const out = new Float32Array(n);
  const sign = (): number => (r.chance(0.5) ? -1 : 1);
  switch (regime) {
    case 'normal':
      for (let i = 0; i < n; i++) out[i] = r.normal();
      break;
    case 'scaled': {
      const s = r.logUniform(-3, 3);
      for (let i = 0; i < n; i++) out[i] = r.normal() * s;
      break;
    }
    case 'positive':
      for (let i = 0; i < n; i++) out[i] = Math.abs(r.normal()) + 0.05;
      break;
    case 'zero':
      if (r.chance(0.2)) out.fill(-0);
      break;
    case 'tiny':
      for (let i = 0; i < n; i++) out[i] = sign() * r.logUniform(-45.8, -36);
      break;
    case 'huge':
      for (let i = 0; i < n; i++) out[i] = sign() * r.logUniform(30, 38.5);
      break;
    case 'mixed':
      for (let i = 0; i < n; i++) out[i] = sign() * r.uniform(0.5, 2) * r.pick(MAGNITUDES);
      break;
    case 'special':
      for (let i = 0; i < n; i++) out[i] = r.chance(0.15) ? r.pick(SPECIALS) : r.normal();
      break;
    case 'wide':
      for (let i = 0; i < n; i++) out[i] = sign() * r.logUniform(-45.8, 38.5);
      break;
  }
  return out;
}

function randomRegime(r: Random): Regime {
  return REGIMES[r.weighted(REGIME_WEIGHTS)]!;
}

/** A tensor length: small ones most often, every residue mod 16, up to 5000. */
export function randomLength(r: Random): number {
  switch (r.weighted([45, 25, 12, 9, 9])) {
    case 0:
      return r.range(0, 40);
    case 1:
      return 16 * r.range(0, 20) + r.range(0, 15);
    case 2:
      return r.pick([
        0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 4095, 4096, 4097, 4999, 5000,
      ]);
    case 3:
      return r.range(0, 5000);
    default:
      return Math.min(5000, 16 * r.range(0, 312) + r.range(0, 15));
  }
}

/** Knobs drawn from a seeded random source, weighted toward the cases that find bugs cheaply. */
export function randomKnobs(r: Random, algorithm: string, flavor: Flavor): Knobs {
  const steps = r.weighted([50, 30, 20]) === 0 ? r.range(1, 10) : r.chance(0.6) ? r.range(11, 30) : r.range(31, 50);
  const tensors = 1 + r.weighted([30, 25, 20, 10, 8, 7]);
  const lengths = Array.from({ length: tensors }, () => randomLength(r));
  return {
    algorithm,
    flavor,
    seed: r.next(),
    steps,
    lengths,
    groups: r.chance(0.6) ? 0 : r.range(1, 3),
    options: r.weighted([10, 35, 40, 15]),
    overrides: r.chance(0.3) ? 1 : 0,
    grads: r.weighted([25, 20, 15, 20, 20]),
    init: r.weighted([30, 25, 20, 5, 20]),
    sequence: r.weighted([50, 10, 10, 15, 15]),
    mode: r.weighted([35, 25, 40]),
    sources: r.weighted([50, 20, 30]),
    nullGrads: r.chance(0.3) ? 1 : 0,
    sets: r.weighted([50, 30, 20]),
    addGroups: r.chance(0.25) ? 1 : 0,
    checkpoints: r.chance(0.25) ? 1 : 0,
    bad: r.chance(0.3) ? 1 : 0,
    laws:
      (r.chance(0.3) ? 1 : 0) |
      (r.chance(0.8) ? 2 : 0) |
      (r.chance(0.25) ? 4 : 0) |
      (r.chance(0.25) ? 8 : 0) |
      (r.chance(0.25) ? 16 : 0),
    // Drawn last, so that the knobs above (and the cases of a seed) are as before they existed.
    failedAdds: r.chance(0.15) ? 1 : 0,
    // Most often where the flavor has a sparse path; elsewhere row-shaped tensors take dense
    // steps and a row-sparse gradient must be refused.
    sparse: r.chance(algorithmInfo(algorithm).flavors[flavor]?.sparse ? 0.45 : 0.15) ? r.range(1, 2) : 0,
  };
}

// ---------------------------------------------------------------- options

function fixValidity(info: AlgorithmInfo, flavor: Flavor, o: Options, base: Options, r: Random): void {
  const keys = Object.keys(o).filter((k) => !sameValue(o[k], base[k]));
  for (let attempt = 0; attempt < 20 && !info.valid({ ...base, ...o }, flavor); attempt++) {
    const key = keys.length > 0 ? keys.splice(r.int(keys.length), 1)[0]! : r.pick(info.flavors[flavor]!.supported);
    delete o[key];
  }
  if (!info.valid({ ...base, ...o }, flavor)) for (const k of Object.keys(o)) delete o[k];
}

/** Option overrides over `base`: `level` as in Knobs.options. Always valid. */
export function randomOptions(info: AlgorithmInfo, flavor: Flavor, base: Options, level: number, r: Random): Options {
  const supported = info.flavors[flavor]!.supported;
  const o: Options = {};
  if (level === 0 || supported.length === 0) return o;
  const chosen =
    level === 1
      ? Array.from({ length: r.range(1, 2) }, () => r.pick(supported))
      : level === 2
        ? supported.filter(() => r.chance(0.5))
        : [...supported];
  for (const key of chosen) o[key] = sampleDomain(info.domains[key]!, r, level === 3 ? 1 : level === 2 ? 0.5 : 0.3);
  fixValidity(info, flavor, o, base, r);
  return o;
}

// ---------------------------------------------------------------- bad input

interface Shape {
  lengths: number[];
  sources: boolean[];
  groups: number;
}

function randomBad(info: AlgorithmInfo, flavor: Flavor, shape: Shape, r: Random): BadOp {
  const keys = info.keys;
  const sourceTensors = shape.sources.map((s, i) => (s ? i : -1)).filter((i) => i >= 0);
  const enc = encodeAny;
  switch (r.weighted([20, 20, 20, 30, 10])) {
    case 0: {
      // constructor
      const what = r.pick([
        'option',
        'option',
        'options',
        'flavor',
        'backend',
        'params',
        'param',
        'duplicate',
        'mixed',
      ] as const);
      switch (what) {
        case 'option': {
          const combos = info.description?.invalidCombos?.[flavor] ?? [];
          if (combos.length > 0 && r.chance(0.2))
            return { kind: 'construct', what: 'combo', value: enc(r.pick(combos)) };
          const key = r.pick(keys);
          return { kind: 'construct', what, key, value: enc(badOptionValue(info, flavor, key, r, false)) };
        }
        case 'options':
          return { kind: 'construct', what, value: enc(r.pick([null, 5, 'x', true])) };
        case 'flavor':
          return { kind: 'construct', what, value: enc(r.pick(['pytorch', 'TORCH', 1, null, {}])) };
        case 'backend':
          return { kind: 'construct', what, value: enc(r.pick(['gpu', 'SIMD', 1, null, 'wasm32'])) };
        case 'params':
          return {
            kind: 'construct',
            what,
            value: enc(r.pick(['x', 5, null, {}, [], new Float32Array(3), undefined])),
          };
        case 'param':
          return { kind: 'construct', what, pick: r.next(), value: enc(r.pick(BAD_PARAMS)) };
        case 'duplicate':
          return sourceTensors.length > 0
            ? { kind: 'construct', what, pick: r.next() }
            : { kind: 'construct', what: 'params', value: enc([]) };
        case 'mixed':
          return { kind: 'construct', what };
      }
      break;
    }
    case 1: {
      // an option of a live group
      const key = r.pick(keys);
      return { kind: 'set', group: r.int(shape.groups), key, value: enc(badOptionValue(info, flavor, key, r, true)) };
    }
    case 2: {
      // step(grads)
      const what = r.pick(['list', 'count', 'element', 'length'] as const);
      if (what === 'list')
        return { kind: 'step', what, value: enc(r.pick(['x', 5, null, {}, new Float32Array(2), true])) };
      if (what === 'count') return { kind: 'step', what, delta: r.chance(0.5) ? 1 : -1 };
      if (what === 'element')
        return {
          kind: 'step',
          what,
          pick: r.next(),
          value: enc(r.pick(['Float64Array', 'Array', 'x', 5, {}, 'Int32Array', true])),
        };
      return { kind: 'step', what, pick: r.next(), delta: r.pick([1, -1, 16]) };
    }
    case 3: {
      // loadStateDict
      const what = r.pick([
        'dict',
        'state',
        'param_groups',
        'groupCount',
        'group',
        'groupKey',
        'groupKey',
        'deleteGroupKey',
        'groupParams',
        'stateKey',
        'entry',
        'step',
        'buffer',
        'bufferLength',
        'bufferElement',
        'extraBuffer',
        'deleteBuffer',
      ] as const);
      switch (what) {
        case 'dict':
          return { kind: 'load', what, value: enc(r.pick([null, 5, 'x', [], true])) };
        case 'state':
          return { kind: 'load', what, value: enc(r.pick([null, [], 5, 'x'])) };
        case 'param_groups':
          return { kind: 'load', what, value: enc(r.pick([null, {}, 5, 'x'])) };
        case 'groupCount':
          return { kind: 'load', what, delta: r.chance(0.5) ? 1 : -1 };
        case 'group':
          return { kind: 'load', what, pick: r.next(), value: enc(r.pick([null, 5, 'x', []])) };
        case 'groupKey': {
          if (r.chance(0.15)) return { kind: 'load', what, pick: r.next(), key: 'lrr', value: 0.1 };
          const key = r.pick(keys);
          return { kind: 'load', what, pick: r.next(), key, value: enc(badOptionValue(info, flavor, key, r, true)) };
        }
        case 'deleteGroupKey': {
          // An option that loads without its key (RMSprop's and Adam's lazy: older checkpoints
          // lack it) is not a bad input.
          const rules = info.Class.spec.rules as Record<string, { kind: string; defaultOnLoad?: true }>;
          const required = info.keys.filter((key) => rules[key]?.defaultOnLoad !== true);
          return { kind: 'load', what, pick: r.next(), key: r.pick([...required, 'params']) };
        }
        case 'groupParams':
          return {
            kind: 'load',
            what,
            pick: r.next(),
            value: r.pick(['reverse', 'extra', 'drop', 'x', null, [-1], 'replace']),
          };
        case 'stateKey':
          return { kind: 'load', what, key: r.pick(['99999', '-1', '1.5', 'abc', '01', 'count']) };
        case 'entry':
          return { kind: 'load', what, pick: r.next(), value: enc(r.pick([null, 5, 'x', []])) };
        case 'step':
          return {
            kind: 'load',
            what,
            pick: r.next(),
            value: enc(r.pick([-1, 1.5, NaN, Infinity, '1', null, undefined])),
          };
        case 'buffer':
          return { kind: 'load', what, pick: r.next(), value: enc(r.pick([null, 'x', 5, { a: 1 }, true, ['x']])) };
        case 'bufferLength':
          return { kind: 'load', what, pick: r.next(), delta: r.pick([1, -1, 4]) };
        case 'bufferElement':
          return { kind: 'load', what, pick: r.next(), value: enc(r.pick(['x', null, undefined, true, {}])) };
        case 'extraBuffer':
          return {
            kind: 'load',
            what,
            pick: r.next(),
            key: r.pick(['foo', 'momentum_buffer', 'grad_avg', 'sum', 'square_avg', 'exp_avg']),
          };
        case 'deleteBuffer':
          return { kind: 'load', what, pick: r.next() };
      }
      break;
    }
    default: {
      // addParamGroup
      const what = r.pick(['group', 'params', 'param', 'duplicate', 'option', 'option', 'unknownOption'] as const);
      switch (what) {
        case 'group':
          return { kind: 'addGroup', what, value: enc(r.pick([null, 5, 'x', [], new Float32Array(3)])) };
        case 'params':
          return { kind: 'addGroup', what, value: enc(r.pick([[], 'x', null, 5, new Float32Array(3), undefined])) };
        case 'param':
          return { kind: 'addGroup', what, value: enc(r.pick(BAD_PARAMS)) };
        case 'duplicate':
          return sourceTensors.length > 0
            ? { kind: 'addGroup', what, pick: r.next() }
            : { kind: 'addGroup', what: 'params', value: [] };
        case 'option': {
          const key = r.pick(keys);
          return { kind: 'addGroup', what, key, value: enc(badOptionValue(info, flavor, key, r, false)) };
        }
        case 'unknownOption':
          return { kind: 'addGroup', what, key: r.pick(['lrr', 'momentun', 'foo']) };
      }
    }
  }
  return { kind: 'step', what: 'count', delta: 1 };
}

// ---------------------------------------------------------------- row-sparse gradients

/** Row widths worth hitting: 1, the SIMD tails (3, 5, 17) and whole vectors (4, 8). */
const ROW_WIDTHS = [1, 3, 4, 5, 8, 17, 1, 4, 16, 33];

/** An invalid row-sparse gradient (runner.ts picks the tensor it fits when it runs). */
export function randomSparseBad(r: Random): SparseBadOp {
  const what = r.pick([
    'outOfRange',
    'outOfRange',
    'negative',
    'valuesLength',
    'indicesType',
    'noRows',
    'zerocopyNoRows',
    'refused',
    'refused',
    'sparseGradCount',
  ] as const);
  switch (what) {
    case 'outOfRange':
      return {
        kind: 'sparse',
        what,
        pick: r.next(),
        delta: r.pick([0, 0, 1, 1000]),
        value: r.pick(['Int32Array', 'Uint32Array']),
      };
    case 'negative':
      return { kind: 'sparse', what, pick: r.next(), delta: r.pick([0, 5, 2147483647]) };
    case 'valuesLength':
      return {
        kind: 'sparse',
        what,
        pick: r.next(),
        delta: r.pick([1, -1, 3, -2]),
        value: r.pick(['Int32Array', 'Uint32Array']),
      };
    case 'indicesType':
      return {
        kind: 'sparse',
        what,
        pick: r.next(),
        value: r.pick(['Float64Array', 'Float32Array', 'Int16Array', 'BigInt64Array', 'Array']),
      };
    case 'sparseGradCount':
      return { kind: 'sparse', what, pick: r.next(), value: r.pick([-1, 1.5, 4294967296]) };
    default:
      return { kind: 'sparse', what, pick: r.next(), value: r.pick(['Int32Array', 'Uint32Array']) };
  }
}

// ---------------------------------------------------------------- the case

export interface BuildOptions {
  /** Backends a law may run on (default: those available here). */
  backends?: readonly BackendName[];
}

/** The case of these knobs (deterministic). */
export function buildCase(k: Knobs, build: BuildOptions = {}): FuzzCase {
  const info = algorithmInfo(k.algorithm);
  const flavor = k.flavor;
  const fi = info.flavors[flavor];
  if (fi === undefined) throw new RangeError(`${k.algorithm} has no ${flavor} flavor`);
  const rng = (...purpose: number[]): Random => new Random(k.seed, ...purpose);
  const r = rng(1);
  const steps = Math.max(1, Math.min(50, k.steps));
  const lengths = (k.lengths.length === 0 ? [1] : k.lengths.slice(0, 6)).map((n) => Math.max(0, Math.min(5000, n)));
  // Row-shaped tensors (their own stream: with the knob off the case is as before).
  const sparse = k.sparse ?? 0;
  const rs = rng(20);
  const rowsOf: (number | undefined)[] = lengths.map(() => undefined);
  if (sparse !== 0) {
    lengths.forEach((_, i) => {
      if (i > 0 && !rs.chance(0.6)) return;
      const width = rs.chance(0.7) ? rs.pick(ROW_WIDTHS) : rs.range(1, 40);
      const rows = rs.pick([1, 2, 3, rs.range(1, 40), rs.range(1, 40), rs.range(40, 300)]);
      rowsOf[i] = Math.min(rows, Math.floor(5000 / width));
      lengths[i] = rowsOf[i]! * width;
    });
  }

  const ctor = randomOptions(info, flavor, fi.defaults, k.options, r);
  // Mostly options that take row-sparse gradients (lazy: true; PyTorch Adagrad without weight decay).
  if (sparse !== 0 && fi.sparse && rs.chance(0.85)) {
    for (const [key, value] of [
      ['lazy', true],
      ['weightDecay', 0],
    ] as const) {
      const next = { ...fi.defaults, ...ctor, [key]: value };
      if (!fi.acceptsSparse({ ...fi.defaults, ...ctor }) && fi.supported.includes(key) && info.valid(next, flavor))
        ctor[key] = value;
    }
  }
  const base: Options = { ...fi.defaults, ...ctor };
  // Initial groups: consecutive runs of tensors.
  const groupCount = Math.max(1, Math.min(lengths.length, 1 + k.groups));
  const cuts = new Set<number>();
  while (cuts.size < groupCount - 1) cuts.add(r.range(1, lengths.length - 1));
  const bounds = [0, ...[...cuts].sort((a, b) => a - b), lengths.length];
  const groups: GroupSpec[] = [];
  const groupOptions: Options[] = [];
  for (let g = 0; g + 1 < bounds.length; g++) {
    const overrides = k.overrides !== 0 && r.chance(0.6) ? randomOptions(info, flavor, base, 1, r) : {};
    groups.push({ size: bounds[g + 1]! - bounds[g]!, options: overrides });
    groupOptions.push({ ...base, ...overrides });
  }

  const isSource = (i: number): boolean => (k.sources === 0 ? true : k.sources === 1 ? false : rng(2, i).chance(0.5));
  const initRegime = (i: number): Regime => {
    switch (k.init) {
      case 0:
        return 'normal';
      case 1:
        return 'scaled';
      case 2:
        return 'wide';
      case 3:
        return 'zero';
      default:
        return randomRegime(rng(3, i));
    }
  };
  const initOf = (i: number, n: number): Float32Array => {
    const ri = rng(4, i);
    const out = new Float32Array(n);
    switch (k.init) {
      case 0:
        for (let j = 0; j < n; j++) out[j] = ri.uniform(-1, 1);
        return out;
      case 1:
        for (let j = 0; j < n; j++) out[j] = 3 * ri.normal();
        return out;
      case 2:
        for (let j = 0; j < n; j++) out[j] = (ri.chance(0.5) ? -1 : 1) * ri.logUniform(-3, 3);
        return out;
      default:
        return fillRegime(ri, n, initRegime(i));
    }
  };
  const tensors: TensorSpec[] = lengths.map((n, i) => ({
    init: initOf(i, n),
    source: isSource(i),
    ...(rowsOf[i] === undefined ? {} : { rows: rowsOf[i] }),
  }));
  const groupOfTensor = lengths.map((_, i) => bounds.findIndex((b, g) => i >= b && i < bounds[g + 1]!));
  const allLengths = [...lengths];
  const allSources = tensors.map((t) => t.source);

  // Gradient streams: per tensor a regime and a sequence pattern.
  const regimeOf = (i: number, t: number): Regime => {
    switch (k.grads) {
      case 0:
        return 'normal';
      case 1:
        return 'scaled';
      case 2:
        return 'mixed';
      case 3:
        return randomRegime(rng(5, i));
      default:
        return randomRegime(rng(6, i, t));
    }
  };
  const sequenceOf = (i: number): number => (k.sequence >= 4 ? rng(7, i).int(4) : k.sequence);
  const first = new Map<number, Float32Array>();
  const gradOf = (i: number, t: number): Float32Array => {
    const n = allLengths[i]!;
    const seq = sequenceOf(i);
    if (seq === 1 || seq === 2) {
      let g0 = first.get(i);
      if (g0 === undefined) {
        g0 = fillRegime(rng(8, i), n, regimeOf(i, 0));
        first.set(i, g0);
      }
      if (seq === 1 || t % 2 === 0) return g0;
      const flipped = new Float32Array(n);
      for (let j = 0; j < n; j++) flipped[j] = -g0[j]!;
      return flipped;
    }
    if (seq === 3 && rng(9, i, t).chance(0.4)) return new Float32Array(n);
    return fillRegime(rng(10, i, t), n, regimeOf(i, t));
  };

  /** A row-sparse gradient of tensor i at step t: duplicates, empty lists, all rows, both index types. */
  const sparseGradOf = (i: number, t: number, mode: 'dropin' | 'zerocopy'): SparseGradSpec => {
    const rg = rng(21, i, t);
    const rows = rowsOf[i]!;
    const width = lengths[i]! / rows;
    let indices: number[];
    switch (rg.weighted([8, 12, 45, 15, 20])) {
      case 0:
        indices = [];
        break;
      case 1:
        indices = rg.chance(0.5) ? Array.from({ length: rows }, (_, j) => j) : rg.permutation(rows);
        break;
      case 2:
        indices = Array.from({ length: rg.range(1, 2 * rows + 2) }, () => rg.int(rows));
        break;
      case 3: {
        // One row three or more times among others.
        const row = rg.int(rows);
        indices = Array.from({ length: rg.range(0, 4) }, () => rg.int(rows));
        for (let m = rg.range(3, 5); m > 0; m--) indices.splice(rg.int(indices.length + 1), 0, row);
        break;
      }
      default:
        indices = Array.from({ length: rg.range(1, 3) }, () => rg.int(rows));
    }
    const values = fillRegime(rng(22, i, t), indices.length * width, regimeOf(i, t));
    return { indices, unsigned: mode === 'dropin' && rg.chance(0.5), values };
  };
  const rsb = rng(23);
  let sparseBadCount = 0;

  const ops: Op[] = [];
  const ro = rng(11);
  const rf = rng(14);
  let failedCount = 0;
  const failedContext = (hasSources: boolean): FailedAddContext => ({
    info,
    flavor,
    hasSources,
    validOptions: (r) => randomOptions(info, flavor, base, 1, r),
  });
  let added = 0;
  let badCount = 0;
  let checkpointCount = 0;
  for (let t = 0; t < steps; t++) {
    if (t > 0) {
      // Between steps: option changes, new groups, checkpoints, invalid input.
      if (k.sets !== 0 && ro.chance(k.sets === 1 ? 0.15 : 0.3)) {
        const g = ro.int(groupOptions.length);
        const key = k.sets === 1 || ro.chance(0.5) ? 'lr' : ro.pick(fi.supported);
        if (fi.supported.includes(key)) {
          const value = sampleDomain(info.domains[key]!, ro, 0.4);
          const next = { ...groupOptions[g]!, [key]: value };
          if (info.valid(next, flavor)) {
            ops.push({ op: 'set', group: g, key, value });
            groupOptions[g] = next;
          }
        }
      }
      if (k.addGroups !== 0 && added < 3 && ro.chance(0.08)) {
        const count = ro.range(1, 2);
        const newTensors: TensorSpec[] = [];
        for (let j = 0; j < count; j++) {
          const index = allLengths.length;
          const n = ro.chance(0.04) ? ro.range(16384, 40000) : randomLength(ro);
          allLengths.push(n);
          const t0: TensorSpec = {
            init: fillRegime(rng(12, index), n, k.init === 4 ? randomRegime(rng(3, index)) : 'normal'),
            source: isSource(index),
          };
          allSources.push(t0.source);
          newTensors.push(t0);
        }
        const options = k.overrides !== 0 || ro.chance(0.5) ? randomOptions(info, flavor, base, 1, ro) : {};
        ops.push({ op: 'addGroup', tensors: newTensors, options });
        groupOptions.push({ ...base, ...options });
        added++;
      }
      if (k.checkpoints !== 0 && (ro.chance(0.06) || (checkpointCount === 0 && t === steps - 1))) {
        ops.push({ op: 'checkpoint' });
        checkpointCount++;
      }
      if (k.bad !== 0 && (ro.chance(0.15) || (badCount === 0 && t === steps - 1))) {
        ops.push({
          op: 'bad',
          bad: randomBad(info, flavor, { lengths: allLengths, sources: allSources, groups: groupOptions.length }, ro),
        });
        badCount++;
      }
      // Their own stream: with the knob off the rest of the case is the same.
      if ((k.failedAdds ?? 0) !== 0 && (rf.chance(0.12) || (failedCount === 0 && t === steps - 1))) {
        ops.push({ op: 'bad', bad: randomFailedAdd(failedContext(allSources.some((x) => x)), rf) });
        failedCount++;
      }
    }
    // Invalid row-sparse gradients: their own stream.
    if (sparse === 2 && t > 0 && (rsb.chance(0.15) || (sparseBadCount === 0 && t === steps - 1))) {
      ops.push({ op: 'bad', bad: randomSparseBad(rsb) });
      sparseBadCount++;
    }
    const mode = k.mode === 0 ? 'dropin' : k.mode === 1 ? 'zerocopy' : ro.chance(0.5) ? 'dropin' : 'zerocopy';
    const grads: Grad[] = allLengths.map((_, i) =>
      mode === 'dropin' && k.nullGrads !== 0 && ro.chance(0.15) ? null : gradOf(i, t),
    );
    if (sparse !== 0) {
      // Row-sparse steps where the group takes them (the options in force at this step).
      const rp = rng(24, t);
      rowsOf.forEach((rows, i) => {
        if (rows === undefined || grads[i] === null) return;
        if (mode === 'dropin' && rp.chance(0.1)) grads[i] = null;
        else if (fi.acceptsSparse(groupOptions[groupOfTensor[i]!]!) && rp.chance(0.65))
          grads[i] = sparseGradOf(i, t, mode);
      });
    }
    ops.push({ op: 'step', mode, grads });
  }
  if (k.bad !== 0 && steps === 1) {
    ops.unshift({
      op: 'bad',
      bad: randomBad(info, flavor, { lengths, sources: tensors.map((x) => x.source), groups: groups.length }, ro),
    });
  }
  if ((k.failedAdds ?? 0) !== 0 && steps === 1) {
    ops.unshift({ op: 'bad', bad: randomFailedAdd(failedContext(tensors.some((x) => x.source)), rf) });
  }

  // Laws, each on a random backend.
  const backends = build.backends ?? availableBackends();
  const rl = rng(13);
  const laws: Law[] = [];
  const splittable = groups.map((g, i) => (g.size >= 2 ? i : -1)).filter((i) => i >= 0);
  if ((k.laws & 1) !== 0 && fi.supported.includes('maximize') && info.domains['maximize']?.kind === 'boolean') {
    laws.push({ law: 'maximize', backend: rl.pick(backends) });
  }
  if ((k.laws & 2) !== 0 && checkpointCount > 0) laws.push({ law: 'resume', backend: rl.pick(backends) });
  if ((k.laws & 4) !== 0 && splittable.length > 0) {
    const g = rl.pick(splittable);
    laws.push({ law: 'split', backend: rl.pick(backends), group: g, at: rl.range(1, groups[g]!.size - 1) });
  }
  if ((k.laws & 8) !== 0 && lengths.length >= 2) {
    // A permutation within each group (membership, hence options, unchanged).
    const perm: number[] = [];
    let start = 0;
    for (const g of groups) {
      perm.push(...rl.permutation(g.size).map((j) => start + j));
      start += g.size;
    }
    laws.push({ law: 'permute', backend: rl.pick(backends), perm });
  }
  if (((k.laws & 16) !== 0 || (k.failedAdds ?? 0) !== 0 || sparse === 2) && ops.some((op) => op.op === 'bad')) {
    laws.push({ law: 'twin', backend: rl.pick(backends) });
  }

  return { algorithm: k.algorithm, flavor, options: ctor, tensors, groups, ops, laws };
}
