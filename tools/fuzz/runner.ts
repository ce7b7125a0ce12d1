// Runs one fuzz case. Every backend gets its own "lane" (an optimizer built from the case) and
// the metamorphic laws get extra lanes built from transformed cases; all lanes take the case's
// operations in lockstep, and after each operation:
//   1. cross-backend identity: every backend's params, the caller's arrays, the state dict and
//      the group options equal the JS lane's bit for bit (NaN payloads aside, −0 ≠ +0);
//   2. the float64 oracle checks the step on the JS lane (oracle.ts);
//   3. each law lane equals its reference lane (maximize ≡ −g; resumed ≡ uninterrupted;
//      two groups ≡ one; permuted tensors ≡ permuted results);
//   4. invalid input throws a clear TypeError/RangeError and changes nothing;
// plus the API's contracts (drop-in steps leave the caller's arrays equal to the memory,
// zero-copy steps leave them alone, views held across memory growth are detached while the
// handles' live views keep every value). Row-sparse gradients go the same way: drop-in as
// { indices (Int32Array or Uint32Array), values }, zero-copy staged through params[i].sparseGrad(n);
// the oracle coalesces them and holds the rows they do not list to their values before the step.
import { availableBackends, type BackendName } from '#lib/backend/index.js';
import type { AnyOptimizer } from '#lib/registry.js';
import { runBigCase } from './big-runner.js';
import {
  isSparse,
  type BadOp,
  type FuzzCase,
  type Grad,
  type LawName,
  type NewTensor,
  type Op,
  type Options,
  type SparseBadOp,
  type TensorSpec,
} from './case.js';
import { decodeAny, encodeAny, firstBitDifference } from './f32.js';
import { algorithmInfo, sameValue, type AlgorithmInfo } from './info.js';
import { OracleModel, type OracleStats, type Snapshot } from './oracle.js';

export interface RunConfig {
  /** Backends to compare (default: every one available here). */
  backends?: readonly BackendName[];
  /** Run the float64 oracle (default true; needs a description with an oracle rule). */
  oracle?: boolean;
  /** Check the case's laws (default true). */
  laws?: boolean;
  /** Run the case's invalid-input operations (default true). */
  badInput?: boolean;
  /** Elements per tensor and step the oracle checks (default 64; all of shorter tensors). */
  oracleSample?: number;
  /** Stop at the first mismatch (default true). */
  stopAtFirst?: boolean;
}

export type MismatchKind = 'backend' | 'oracle' | 'law' | 'bad-input' | 'contract' | 'crash';

export interface Mismatch {
  readonly kind: MismatchKind;
  /** Which check: a backend name, a law, a bad-input kind, … */
  readonly check: string;
  /** Index of the operation after which it was seen. */
  readonly op: number;
  readonly where: string;
  readonly message: string;
}

export interface CaseResult {
  readonly mismatches: Mismatch[];
  /** Steps of the history (each compared on every backend, by the oracle and the laws). */
  steps: number;
  /** step() calls over all lanes. */
  optimizerSteps: number;
  /** float32 values compared bit for bit between lanes. */
  valuesCompared: number;
  /** Oracle statistics, or null when there is no oracle. */
  oracle: OracleStats | null;
  lawsChecked: Partial<Record<LawName, number>>;
  badOps: number;
  /** Of those, failing addParamGroup calls. */
  failedAdds: number;
  /** Of those, invalid row-sparse gradients. */
  badSparse: number;
  /** The invalid row-sparse gradients by the kind that ran (where the one asked for fit no tensor, another). */
  badSparseKinds: Partial<Record<SparseBadOp['what'], number>>;
  /** Row-sparse gradients stepped (each compared on every backend, by the oracle and the laws). */
  sparseGrads: number;
  /** Memory growths seen while handles were live. */
  growths: number;
  /** 1 for a memory case past 2 GiB that ran (big-runner.ts), else 0. */
  bigMemory: number;
}

/** A result with nothing counted yet (`steps`: the history's step count, when known up front). */
export function emptyCaseResult(steps: number): CaseResult {
  return {
    mismatches: [],
    steps,
    optimizerSteps: 0,
    valuesCompared: 0,
    oracle: null,
    lawsChecked: {},
    badOps: 0,
    failedAdds: 0,
    badSparse: 0,
    badSparseKinds: {},
    sparseGrads: 0,
    growths: 0,
    bigMemory: 0,
  };
}

/** A mismatch's identity for the shrinker: the same kind of failure. */
export function signature(m: Mismatch): string {
  return `${m.kind}:${m.check}`;
}

interface Transform {
  readonly kind: 'main' | LawName;
  readonly checkpoints: boolean;
  readonly maximize?: boolean;
  readonly negate?: boolean;
  readonly split?: { readonly group: number; readonly at: number };
  readonly perm?: readonly number[];
}

class Lane {
  opt!: AnyOptimizer;
  /** Per case tensor: the caller's array (drop-in) or null (optimizer-owned). */
  readonly user: (Float32Array | null)[] = [];
  /** Per case tensor: its index in this lane's optimizer. */
  readonly index: number[] = [];
  /** Per case tensor: its length. */
  readonly lengths: number[] = [];
  /** Per case tensor: the rows it was declared with (undefined: a plain parameter). */
  readonly rows: (number | undefined)[] = [];
  /** The lane's groups, as lists of case tensors. */
  readonly groups: number[][] = [];
  /** Per case group: the lane's groups it became. */
  readonly groupMap: number[][] = [];
  ctorOptions: Options = {};
  #dict: ReturnType<AnyOptimizer['stateDict']> | null = null;

  constructor(
    readonly name: string,
    readonly backend: BackendName,
    readonly tr: Transform,
  ) {}

  dict(): ReturnType<AnyOptimizer['stateDict']> {
    this.#dict ??= this.opt.stateDict();
    return this.#dict;
  }

  invalidate(): void {
    this.#dict = null;
  }

  /** Options as this lane sees them (the maximize law forces one value everywhere). */
  options(o: Options, ctor: boolean): Options {
    if (this.tr.maximize === undefined) return o;
    const out = { ...o };
    if (ctor) out['maximize'] = this.tr.maximize;
    else delete out['maximize'];
    return out;
  }

  grad(g: Grad): Grad {
    if (g === null || !this.tr.negate) return g;
    const values = isSparse(g) ? g.values : g;
    const out = new Float32Array(values.length);
    for (let j = 0; j < values.length; j++) out[j] = -values[j]!;
    return isSparse(g) ? { ...g, values: out } : out;
  }

  /** What the constructor or addParamGroup takes for case tensor i: its array or length, with its rows. */
  param(i: number): Float32Array | number | { data: Float32Array | number; rows: number } {
    const data = this.user[i] ?? this.lengths[i]!;
    const rows = this.rows[i];
    return rows === undefined ? data : { data, rows };
  }
}

/**
 * A JSON-safe copy of a state dict, as a user would save one: through JSON text, with buffers
 * as number arrays. JSON has no NaN, ±Infinity or −0, so those travel as strings and are
 * turned back into numbers after parsing.
 */
export function jsonSafeCopy(dict: unknown): unknown {
  return fromJsonSafe(JSON.parse(jsonSafeText(dict)));
}

/** The JSON text of a state dict (NaN, ±Infinity and −0 as strings). */
export function jsonSafeText(dict: unknown): string {
  return JSON.stringify(toJsonSafe(dict));
}

/** Parses jsonSafeText's output back into a state dict with number arrays. */
export function parseJsonSafe(text: string): unknown {
  return fromJsonSafe(JSON.parse(text));
}

const SPECIAL = (x: number): string => (Object.is(x, -0) ? '-0' : String(x));

function toJsonSafe(value: unknown): unknown {
  if (value instanceof Float32Array) {
    const out = new Array<number | string>(value.length);
    for (let j = 0; j < value.length; j++) {
      const x = value[j]!;
      out[j] = x - x === 0 && (x !== 0 || 1 / x > 0) ? x : SPECIAL(x);
    }
    return out;
  }
  if (typeof value === 'number')
    return value - value === 0 && (value !== 0 || 1 / value > 0) ? value : `#${SPECIAL(value)}`;
  if (Array.isArray(value)) return value.map(toJsonSafe);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJsonSafe(v);
    return out;
  }
  return value;
}

function fromJsonSafe(value: unknown): unknown {
  if (Array.isArray(value)) {
    for (let j = 0; j < value.length; j++) {
      const x: unknown = value[j];
      value[j] =
        typeof x === 'string'
          ? x.startsWith('#')
            ? Number(x.slice(1))
            : Number(x)
          : typeof x === 'object'
            ? fromJsonSafe(x)
            : x;
    }
    return value;
  }
  if (typeof value === 'string' && value.startsWith('#')) return Number(value.slice(1));
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const k of Object.keys(o)) o[k] = fromJsonSafe(o[k]);
  }
  return value;
}

/** A deep copy with Float32Array buffers as plain number arrays. */
function plainCopy(value: unknown): unknown {
  if (value instanceof Float32Array) return Array.from(value);
  if (Array.isArray(value)) return value.map(plainCopy);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = plainCopy(v);
    return out;
  }
  return value;
}

function fresh(t: TensorSpec): Float32Array | null {
  return t.source ? t.init.slice() : null;
}

function buildLane(c: FuzzCase, info: AlgorithmInfo, name: string, backend: BackendName, tr: Transform): Lane {
  const lane = new Lane(name, backend, tr);
  let start = 0;
  let caseGroups = c.groups.map((g) => {
    const members = Array.from({ length: g.size }, (_, j) => start + j);
    start += g.size;
    return members;
  });
  if (tr.perm !== undefined) {
    let at = 0;
    caseGroups = caseGroups.map((m) => m.map(() => tr.perm![at++]!));
  }
  const overrides: Options[] = [];
  caseGroups.forEach((members, g) => {
    const o = lane.options(c.groups[g]!.options, false);
    if (tr.split !== undefined && tr.split.group === g) {
      lane.groupMap.push([lane.groups.length, lane.groups.length + 1]);
      lane.groups.push(members.slice(0, tr.split.at), members.slice(tr.split.at));
      overrides.push(o, o);
    } else {
      lane.groupMap.push([lane.groups.length]);
      lane.groups.push(members);
      overrides.push(o);
    }
  });
  c.tensors.forEach((t) => {
    lane.user.push(fresh(t));
    lane.lengths.push(t.init.length);
    lane.rows.push(t.rows);
  });
  lane.groups.flat().forEach((i, position) => {
    lane.index[i] = position;
  });
  lane.ctorOptions = lane.options(c.options, true);
  const params = (members: number[]): ReturnType<Lane['param']>[] => members.map((i) => lane.param(i));
  const settings = { ...lane.ctorOptions, flavor: c.flavor, backend };
  const plain = lane.groups.length === 1 && Object.keys(overrides[0]!).length === 0;
  lane.opt = plain
    ? new info.Class(params(lane.groups[0]!), settings)
    : new info.Class(
        lane.groups.map((m, g) => ({ params: params(m), ...overrides[g] })),
        settings,
      );
  c.tensors.forEach((t, i) => {
    if (!t.source) lane.opt.params[lane.index[i]!]!.data.set(t.init);
  });
  return lane;
}

// ---------------------------------------------------------------- comparing lanes

interface Difference {
  where: string;
  message: string;
}

function describeBits(x: number): string {
  const bits = new Uint32Array(new Float32Array([x]).buffer)[0]!;
  return `${Object.is(x, -0) ? '-0' : String(x)} (0x${bits.toString(16).padStart(8, '0')})`;
}

function compareArrays(a: Float32Array, b: Float32Array, where: string): Difference | null {
  const j = firstBitDifference(a, b);
  if (j < 0) return null;
  if (a.length !== b.length) return { where, message: `length ${a.length} vs ${b.length}` };
  return { where: `${where}[${j}]`, message: `${describeBits(a[j]!)} vs ${describeBits(b[j]!)}` };
}

/**
 * Compares two lanes tensor by tensor (through their index maps): params, and state entries.
 * `full`: also the caller's arrays and the group options (lanes of the same shape).
 */
function compareLanes(
  a: Lane,
  b: Lane,
  count: { n: number },
  full: boolean,
  keys: readonly string[],
): Difference | null {
  const da = a.dict().state as Record<number, Record<string, unknown> | undefined>;
  const db = b.dict().state as Record<number, Record<string, unknown> | undefined>;
  const pa = a.opt.params,
    pb = b.opt.params;
  for (let i = 0; i < a.index.length; i++) {
    const x = pa[a.index[i]!]!.data;
    const y = pb[b.index[i]!]!.data;
    count.n += x.length;
    let d = compareArrays(x, y, `params[${i}]`);
    if (d) return d;
    if (full) {
      const ua = a.user[i],
        ub = b.user[i];
      if (ua && ub) {
        d = compareArrays(ua, ub, `caller's array ${i}`);
        if (d) return d;
      }
    }
    const ea = da[a.index[i]!],
      eb = db[b.index[i]!];
    if ((ea === undefined) !== (eb === undefined))
      return {
        where: `state[${i}]`,
        message: `entry ${ea === undefined ? 'missing' : 'present'} vs ${eb === undefined ? 'missing' : 'present'}`,
      };
    if (ea === undefined || eb === undefined) continue;
    let names = 0;
    for (const key in ea) {
      names++;
      const u = ea[key],
        v = eb[key];
      if (u instanceof Float32Array && v instanceof Float32Array) {
        count.n += u.length;
        d = compareArrays(u, v, `state[${i}].${key}`);
        if (d) return d;
      } else if (!Object.is(u, v)) {
        return { where: `state[${i}].${key}`, message: `${String(u)} vs ${String(v)}` };
      }
    }
    for (const key in eb)
      if (--names < 0 || !(key in ea))
        return {
          where: `state[${i}]`,
          message: `keys [${Object.keys(ea).join(', ')}] vs [${Object.keys(eb).join(', ')}]`,
        };
  }
  if (full) {
    const ga = a.opt.paramGroups,
      gb = b.opt.paramGroups;
    if (ga.length !== gb.length) return { where: 'paramGroups', message: `${ga.length} groups vs ${gb.length}` };
    for (let g = 0; g < ga.length; g++) {
      const x = ga[g] as unknown as Record<string, unknown>,
        y = gb[g] as unknown as Record<string, unknown>;
      for (const key of keys) {
        if (!sameValue(x[key], y[key]))
          return { where: `paramGroups[${g}].${key}`, message: `${String(x[key])} vs ${String(y[key])}` };
      }
      if (x['params'] !== undefined && (x['params'] as unknown[]).length !== (y['params'] as unknown[]).length) {
        return { where: `paramGroups[${g}].params`, message: 'different sizes' };
      }
    }
  }
  return null;
}

function compareMemory(a: Lane, b: Lane): Difference | null {
  const x = a.opt.memoryBytes,
    y = b.opt.memoryBytes;
  return x === y ? null : { where: 'memoryBytes', message: `${x} vs ${y}` };
}

// ---------------------------------------------------------------- fingerprints (bad input)

function hashWords(words: Uint32Array, h = 0x811c9dc5): number {
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i]!, 0x01000193) >>> 0;
  return h;
}

function hashF32(a: Float32Array): number {
  return hashWords(new Uint32Array(a.buffer, a.byteOffset, a.length)) ^ a.length;
}

/** Everything observable about a lane, as named hashes. */
function fingerprint(lane: Lane): [string, string][] {
  const out: [string, string][] = [];
  const opt = lane.opt;
  out.push(['number of parameters', String(opt.params.length)]);
  out.push(['memoryBytes', String(opt.memoryBytes)]);
  opt.params.forEach((h, p) => {
    out.push([`params[${p}].data`, String(hashF32(h.data))]);
    out.push([`params[${p}].grad`, String(hashF32(h.grad))]);
  });
  lane.user.forEach((u, i) => {
    if (u) out.push([`caller's array ${i}`, String(hashF32(u))]);
  });
  const dict = opt.stateDict();
  for (const [k, entry] of Object.entries(dict.state)) {
    for (const [name, v] of Object.entries(entry as Record<string, unknown>)) {
      out.push([`state[${k}].${name}`, v instanceof Float32Array ? String(hashF32(v)) : JSON.stringify(encodeAny(v))]);
    }
  }
  out.push(['param_groups', JSON.stringify(encodeAny(dict.param_groups))]);
  out.push([
    'paramGroups',
    JSON.stringify(encodeAny(opt.paramGroups.map((g) => ({ ...g, params: g.params.map((h) => h.index) })))),
  ]);
  out.push(['defaults', JSON.stringify(encodeAny(opt.defaults))]);
  return out;
}

// ---------------------------------------------------------------- operations

function stepLane(lane: Lane, op: Extract<Op, { op: 'step' }>): void {
  const grads = new Array<Grad>(lane.opt.params.length).fill(null);
  op.grads.forEach((g, i) => {
    grads[lane.index[i]!] = lane.grad(g);
  });
  if (op.mode === 'dropin') {
    // Row-sparse ones as the caller gives them: { indices (Int32Array or Uint32Array), values }.
    lane.opt.step(
      grads.map((g) =>
        isSparse(g)
          ? { indices: g.unsigned ? Uint32Array.from(g.indices) : Int32Array.from(g.indices), values: g.values }
          : g,
      ),
    );
  } else {
    // Zero-copy: every table's sparseGrad(n) first (asking may grow the memory, which detaches
    // the views handed out before: README "Embeddings"), then each view filled.
    const staged = lane.opt.params.map((h, p) => {
      const g = grads[p]!;
      return g !== null && isSparse(g) ? h.sparseGrad(g.indices.length) : null;
    });
    lane.opt.params.forEach((h, p) => {
      const g = grads[p]!;
      if (g === null) return;
      if (!isSparse(g)) {
        h.grad.set(g);
        return;
      }
      staged[p]!.indices.set(g.indices);
      staged[p]!.values.set(g.values);
    });
    lane.opt.step();
  }
}

/** addParamGroup with live handles: returns a contract violation or null; `grew` reports growth. */
function addGroupLane(
  lane: Lane,
  op: Extract<Op, { op: 'addGroup' }>,
  _info: AlgorithmInfo,
  grew: { n: number },
): Difference | null {
  const held = lane.opt.params.map((h) => h.data);
  const values = held.map((v) => v.slice());
  const bytes = lane.opt.memoryBytes;
  const members: number[] = [];
  const params: ReturnType<Lane['param']>[] = [];
  for (const t of op.tensors) {
    const i = lane.user.length;
    lane.user.push(fresh(t));
    lane.lengths.push(t.init.length);
    lane.rows.push(t.rows);
    lane.index.push(lane.opt.params.length + members.length);
    members.push(i);
    params.push(lane.param(i));
  }
  lane.groupMap.push([lane.groups.length]);
  lane.groups.push(members);
  lane.opt.addParamGroup({ params, ...lane.options(op.options, false) });
  members.forEach((i, j) => {
    if (!op.tensors[j]!.source) lane.opt.params[lane.index[i]!]!.data.set(op.tensors[j]!.init);
  });
  const grown = lane.opt.memoryBytes > bytes;
  if (grown) grew.n++;
  for (let p = 0; p < held.length; p++) {
    const live = lane.opt.params[p]!.data;
    const d = compareArrays(live, values[p]!, `params[${p}] (live view) across addParamGroup`);
    if (d) return d;
    if (grown && values[p]!.length > 0 && held[p]!.length !== 0) {
      return {
        where: `params[${p}]`,
        message: 'a view held across memory growth is still attached (expected detached)',
      };
    }
    if (!grown && compareArrays(held[p]!, values[p]!, '') !== null) {
      return {
        where: `params[${p}]`,
        message: 'a view held across addParamGroup changed although the memory did not grow',
      };
    }
  }
  return null;
}

/**
 * stateDict → JSON text → parse → loadStateDict into a fresh optimizer. `text` is the JSON of
 * the lane's own state dict when the caller already has it (the backends' dicts are equal bit
 * for bit, which is checked after every operation).
 */
function checkpointLane(lane: Lane, c: FuzzCase, info: AlgorithmInfo, text?: string): void {
  const old = lane.opt;
  lane.index.forEach((p, i) => lane.user[i]?.set(old.params[p]!.data));
  const dict = parseJsonSafe(text ?? jsonSafeText(old.stateDict()));
  const params = (members: number[]): ReturnType<Lane['param']>[] => members.map((i) => lane.param(i));
  const next = new info.Class(
    lane.groups.map((m) => ({ params: params(m) })),
    { ...lane.ctorOptions, flavor: c.flavor, backend: lane.backend },
  );
  lane.index.forEach((p, i) => {
    if (lane.user[i] === null) next.params[p]!.data.set(old.params[p]!.data);
  });
  next.loadStateDict(dict as Parameters<AnyOptimizer['loadStateDict']>[0]);
  lane.opt = next;
}

// ---------------------------------------------------------------- invalid input

const BAD_ELEMENTS: Record<string, (n: number) => unknown> = {
  Float64Array: (n) => new Float64Array(n),
  Array: (n) => new Array<number>(n).fill(0),
  Int32Array: (n) => new Int32Array(n),
};

const BAD_INDEX_ARRAYS: Record<string, (xs: number[]) => unknown> = {
  Float64Array: (xs) => Float64Array.from(xs),
  Float32Array: (xs) => Float32Array.from(xs),
  Int16Array: (xs) => Int16Array.from(xs),
  BigInt64Array: (xs) => BigInt64Array.from(xs.map(BigInt)),
  Array: (xs) => xs,
};

/**
 * An invalid row-sparse gradient (SparseBadOp) on a lane: the target is picked at run time among
 * the tensors it fits (rows or none; a group that takes sparse gradients or refuses them, by the
 * spec's `refuse` on the group's current options); where none fits, the next kind that does.
 */
function sparseBadCall(
  lane: Lane,
  bad: SparseBadOp,
  c: FuzzCase,
  info: AlgorithmInfo,
): [() => unknown, string, SparseBadOp['what']?] {
  const opt = lane.opt;
  const fi = info.flavors[c.flavor]!;
  const groupOf: number[] = [];
  opt.paramGroups.forEach((g, gi) => {
    for (const h of g.params) groupOf[h.index] = gi;
  });
  const tensors = lane.index.map((_, i) => i);
  const accepts = (i: number): boolean =>
    fi.acceptsSparse(opt.paramGroups[groupOf[lane.index[i]!]!] as unknown as Options);
  const withRows = tensors.filter((i) => lane.rows[i] !== undefined);
  const candidates = {
    accepting: withRows.filter(accepts),
    refusing: withRows.filter((i) => !accepts(i)),
    plain: tensors.filter((i) => lane.rows[i] === undefined),
    withRows,
  };
  const need: Record<SparseBadOp['what'], keyof typeof candidates> = {
    outOfRange: 'accepting',
    negative: 'accepting',
    valuesLength: 'accepting',
    indicesType: 'accepting',
    refused: 'refusing',
    noRows: 'plain',
    zerocopyNoRows: 'plain',
    sparseGradCount: 'withRows',
  };
  const fallback: SparseBadOp['what'][] = ['refused', 'noRows', 'outOfRange', 'sparseGradCount'];
  const what = [bad.what, ...fallback].find((w) => candidates[need[w]].length > 0);
  if (what === undefined) return badCall(lane, { kind: 'step', what: 'count', delta: 1 }, c, info);
  const among = candidates[need[what]];
  const i = among[(bad.pick ?? 0) % among.length]!;
  const p = lane.index[i]!;
  const rows = lane.rows[i] ?? 1;
  const width = lane.lengths[i]! / rows;
  const delta = Math.abs(bad.delta ?? 0);
  const unsigned = bad.value === 'Uint32Array';
  const index = (xs: number[]): Int32Array | Uint32Array => (unsigned ? Uint32Array.from(xs) : Int32Array.from(xs));
  let grad: unknown;
  switch (what) {
    case 'outOfRange':
      grad = { indices: index([0, rows + delta]), values: new Float32Array(2 * width) };
      break;
    case 'negative':
      grad = { indices: Int32Array.of(0, -1 - delta), values: new Float32Array(2 * width) };
      break;
    case 'valuesLength': {
      const length = 2 * width + (bad.delta === undefined || bad.delta === 0 ? 1 : bad.delta);
      grad = { indices: index([0, 0]), values: new Float32Array(Math.max(0, length === 2 * width ? 1 : length)) };
      break;
    }
    case 'indicesType': {
      const make = BAD_INDEX_ARRAYS[String(bad.value)] ?? BAD_INDEX_ARRAYS['Float64Array']!;
      grad = { indices: make([0]), values: new Float32Array(width) };
      break;
    }
    case 'refused':
    case 'noRows':
      grad = { indices: index([0]), values: new Float32Array(width) };
      break;
    case 'zerocopyNoRows':
      return [() => opt.params[p]!.sparseGrad(1), `params[${p}].sparseGrad`, what];
    case 'sparseGradCount': {
      const n = typeof bad.value === 'number' ? bad.value : -1;
      return [() => opt.params[p]!.sparseGrad(n), 'sparseGrad', what];
    }
  }
  const grads = new Array<unknown>(opt.params.length).fill(null);
  grads[p] = grad;
  return [() => opt.step(grads as Parameters<AnyOptimizer['step']>[0]), `grads[${p}]`, what];
}

/** Performs one invalid call on a lane; returns [the call, the text its message must contain]. */
function badCall(
  lane: Lane,
  bad: BadOp,
  c: FuzzCase,
  info: AlgorithmInfo,
): [() => unknown, string, SparseBadOp['what']?] {
  if (bad.kind === 'sparse') return sparseBadCall(lane, bad, c, info);
  const param = (k: number): unknown => lane.user[k];
  const value = (): unknown => decodeAny((bad as { value?: unknown }).value, param);
  const opt = lane.opt;
  const order = opt.params.map(() => 0);
  lane.index.forEach((p, i) => {
    order[p] = i;
  });
  const sources = order.filter((i) => lane.user[i] !== null);
  const pick = (n: number): number => ((bad as { pick?: number }).pick ?? 0) % Math.max(1, n);
  switch (bad.kind) {
    case 'construct': {
      const params: unknown[] = order.map((i) => lane.user[i] ?? lane.lengths[i]!);
      const options: Record<string, unknown> = { ...lane.ctorOptions, flavor: c.flavor, backend: lane.backend };
      const args: [unknown, unknown] = [params, options];
      let expect = 'param';
      switch (bad.what) {
        case 'option':
          options[bad.key!] = value();
          expect = bad.key!;
          break;
        case 'combo': {
          const combo = value() as Record<string, unknown>;
          Object.assign(options, combo);
          expect = Object.keys(combo)[0]!;
          break;
        }
        case 'options':
          args[1] = value();
          expect = 'options';
          break;
        case 'flavor':
          options['flavor'] = value();
          expect = 'flavor';
          break;
        case 'backend':
          options['backend'] = value();
          expect = 'backend';
          break;
        case 'params':
          args[0] = value();
          break;
        case 'param':
          params[pick(params.length)] = value();
          break;
        case 'duplicate':
          params.push(lane.user[sources[pick(sources.length)]!] ?? 'none');
          break;
        case 'mixed':
          args[0] = [{ params: [new Float32Array(2)] }, new Float32Array(2)];
          break;
      }
      const Class = info.Class as unknown as new (p: unknown, o: unknown) => unknown;
      return [() => new Class(args[0], args[1]), expect];
    }
    case 'set': {
      const g = lane.groupMap[bad.group % lane.groupMap.length]![0]!;
      const group = opt.paramGroups[g] as unknown as Record<string, unknown>;
      return [
        () => {
          group[bad.key] = value();
        },
        bad.key,
      ];
    }
    case 'step': {
      const grads: unknown[] = order.map((i) => new Float32Array(lane.lengths[i]!));
      let arg: unknown = grads;
      switch (bad.what) {
        case 'list':
          arg = value();
          break;
        case 'count':
          if (bad.delta! > 0 || grads.length === 0) grads.push(new Float32Array(0));
          else grads.pop();
          break;
        case 'element': {
          const p = pick(grads.length);
          const v = value() as string;
          grads[p] = BAD_ELEMENTS[v]?.(lane.lengths[order[p]!]!) ?? v;
          break;
        }
        case 'length': {
          const p = pick(grads.length);
          const n = lane.lengths[order[p]!]!;
          grads[p] = new Float32Array(n + bad.delta! < 0 ? n + 1 : n + bad.delta!);
          break;
        }
      }
      return [() => opt.step(arg as Float32Array[]), 'step(grads)'];
    }
    case 'load': {
      const dict = plainCopy(opt.stateDict()) as {
        state: Record<string, Record<string, unknown>>;
        param_groups: Record<string, unknown>[];
      };
      let arg: unknown = dict;
      let expect = 'loadStateDict';
      const groups = dict.param_groups;
      const entries = Object.keys(dict.state);
      const entryKey = entries.length > 0 ? entries[pick(entries.length)]! : undefined;
      const entry = entryKey === undefined ? undefined : dict.state[entryKey]!;
      // Buffers are the array-valued keys (not `step`, nor scalar extras like TF.js Adam's acc_beta1).
      const buffers =
        entry === undefined
          ? []
          : Object.keys(entry).filter((k) => ArrayBuffer.isView(entry[k]) || Array.isArray(entry[k]));
      const buffer = buffers.length > 0 ? buffers[pick(buffers.length)]! : undefined;
      const needsEntry = [
        'entry',
        'step',
        'buffer',
        'bufferLength',
        'bufferElement',
        'extraBuffer',
        'deleteBuffer',
      ].includes(bad.what);
      const needsBuffer = ['buffer', 'bufferLength', 'bufferElement', 'deleteBuffer'].includes(bad.what);
      if ((needsEntry && entry === undefined) || (needsBuffer && buffer === undefined)) {
        arg = null; // nothing of that kind exists yet: the simplest invalid dict instead
      } else {
        switch (bad.what) {
          case 'dict':
            arg = value();
            break;
          case 'state':
            (dict as Record<string, unknown>)['state'] = value();
            break;
          case 'param_groups':
            (dict as Record<string, unknown>)['param_groups'] = value();
            break;
          case 'groupCount':
            if (bad.delta! > 0) groups.push({ ...groups[groups.length - 1] });
            else groups.pop();
            break;
          case 'group':
            groups[pick(groups.length)] = value() as Record<string, unknown>;
            break;
          case 'groupKey':
            groups[pick(groups.length)]![bad.key!] = value();
            expect = bad.key!;
            break;
          case 'deleteGroupKey':
            delete groups[pick(groups.length)]![bad.key!];
            break;
          case 'groupParams': {
            const g = groups[pick(groups.length)]!;
            const ids = g['params'] as number[];
            const how = bad.value;
            g['params'] =
              how === 'reverse'
                ? ids.length >= 2
                  ? [...ids].reverse()
                  : [...ids, ids[0]]
                : how === 'extra'
                  ? [...ids, 99999]
                  : how === 'drop'
                    ? ids.slice(1)
                    : how === 'replace'
                      ? [ids[0]! + 1000, ...ids.slice(1)]
                      : decodeAny(how);
            break;
          }
          case 'stateKey': {
            const key = bad.key === 'count' ? String(opt.params.length) : bad.key!;
            dict.state[key] = { step: 0 };
            break;
          }
          case 'entry':
            dict.state[entries[pick(entries.length)]!] = value() as Record<string, unknown>;
            break;
          case 'step': {
            const v = value();
            // Removing `step` is invalid only where the flavor keeps one (PyTorch's SGD keeps none).
            if (v === undefined && 'step' in entry!) delete entry!['step'];
            else entry!['step'] = v === undefined ? -1 : v;
            break;
          }
          case 'buffer':
            entry![buffer!] = value();
            break;
          case 'bufferLength': {
            const n = (entry![buffer!] as number[]).length;
            entry![buffer!] = new Array<number>(n + bad.delta! < 0 ? n + 1 : n + bad.delta!).fill(0);
            break;
          }
          case 'bufferElement': {
            const array = entry![buffer!] as unknown[];
            if (array.length === 0) entry![buffer!] = [0];
            else array[pick(array.length)] = value();
            break;
          }
          case 'extraBuffer': {
            // Not one of the algorithm's own buffer names: those are valid even when the options do
            // not use them (PyTorch keeps the state of a switched-off option, and so does the library).
            const name = `unexpected_${bad.key!}`;
            entry![name] = new Array<number>(
              (Object.values(entry!).find(Array.isArray) as number[] | undefined)?.length ?? 0,
            ).fill(0);
            break;
          }
          case 'deleteBuffer': {
            // Leaving a buffer out is invalid only where the entry's options need it (info.ts
            // requiredState); a buffer the entry may lack gets a wrong length instead.
            const index = Number(entryKey);
            const group = groups.find((g) => (g['params'] as number[]).includes(index)) ?? {};
            const required = info.requiredState(c.flavor, group);
            if (required !== null && required.includes(buffer!)) delete entry![buffer!];
            else entry![buffer!] = new Array<number>((entry![buffer!] as number[]).length + 1).fill(0);
            break;
          }
        }
      }
      return [() => opt.loadStateDict(arg as Parameters<AnyOptimizer['loadStateDict']>[0]), expect];
    }
    case 'addGroup': {
      // Valid new tensors around the bad part (failed-add.ts): nothing of them may stay behind.
      const made = (t: NewTensor): Float32Array | number => (t.source ? new Float32Array(t.length) : t.length);
      const group: Record<string, unknown> = { ...(decodeAny(bad.options ?? {}) as Options) };
      let middle: unknown[] = [new Float32Array(3)];
      let arg: unknown = group;
      let expect = 'addParamGroup';
      switch (bad.what) {
        case 'group':
          arg = value();
          break;
        case 'params':
          break;
        case 'param':
          middle = [value()];
          break;
        // biome-ignore lint/suspicious/noFallthroughSwitchClause: deliberate, see the comment before the next case
        case 'duplicate':
          if (sources.length > 0) {
            middle = [lane.user[sources[pick(sources.length)]!]];
            break;
          }
        // falls through: no caller's array to repeat (a shrunk case), repeat a new one
        case 'selfDuplicate': {
          const twice = new Float32Array(2);
          middle = [twice, twice];
          break;
        }
        case 'option':
          group[bad.key!] = value();
          expect = bad.key!;
          break;
        case 'unknownOption':
          group[bad.key!] = 0.1;
          expect = bad.key!;
          break;
        case 'tooLarge':
          middle = [value()];
          break;
      }
      group['params'] =
        bad.what === 'params' ? value() : [...(bad.before ?? []).map(made), ...middle, ...(bad.after ?? []).map(made)];
      return [() => opt.addParamGroup(arg as Parameters<AnyOptimizer['addParamGroup']>[0]), expect];
    }
  }
}

function runBad(
  lane: Lane,
  bad: BadOp,
  c: FuzzCase,
  info: AlgorithmInfo,
  ran?: (what: SparseBadOp['what']) => void,
): Difference | null {
  const before = fingerprint(lane);
  const [call, expect, resolved] = badCall(lane, bad, c, info);
  if (resolved !== undefined) ran?.(resolved);
  let caught: unknown;
  let threw = false;
  try {
    call();
  } catch (error) {
    threw = true;
    caught = error;
  }
  const what = `${bad.kind}${'what' in bad ? `/${bad.what}` : ''}`;
  if (!threw) return { where: what, message: 'invalid input was accepted (no error thrown)' };
  const error = caught as Error;
  if (!(error instanceof Error) || (error.constructor !== TypeError && error.constructor !== RangeError)) {
    return {
      where: what,
      message:
        `threw ${error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error)}` +
        ' (expected a TypeError or RangeError)',
    };
  }
  if (!error.message.startsWith(`${info.className}: `) || !error.message.includes(expect)) {
    const thrown = `${error.constructor.name}: ${error.message}`;
    return {
      where: what,
      message: `unclear message (expected "${info.className}: …${expect}…"): ${thrown}`,
    };
  }
  const after = fingerprint(lane);
  const changed = after.filter(([k, v], j) => before[j]?.[0] !== k || before[j]?.[1] !== v).map(([k]) => k);
  if (changed.length > 0 || after.length !== before.length) {
    const changedParts = changed.join(', ') || 'the shape';
    return {
      where: what,
      message: `${error.constructor.name} thrown (${error.message}) but it changed: ${changedParts}`,
    };
  }
  return null;
}

// ---------------------------------------------------------------- the run

/** The lane's params and state entries by case tensor; `copy` false: live views (read at once). */
function snapshotOf(lane: Lane, copy: boolean): Snapshot {
  const state = lane.dict().state as Record<number, Record<string, unknown> | undefined>;
  return {
    params: lane.index.map((p) => (copy ? lane.opt.params[p]!.data.slice() : lane.opt.params[p]!.data)),
    state: lane.index.map((p) => state[p]),
  };
}

/** Runs a case; never throws for a library failure (that is a mismatch). */
export function runCase(c: FuzzCase, config: RunConfig = {}): CaseResult {
  if (c.big !== undefined) return runBigCase(c, config);
  const info = algorithmInfo(c.algorithm);
  const available = availableBackends();
  const backends = (config.backends ?? available).filter((b) => available.includes(b));
  const reference = backends.includes('js') ? 'js' : backends[0]!;
  const stopAtFirst = config.stopAtFirst ?? true;
  const result = emptyCaseResult(0);
  const fail = (kind: MismatchKind, check: string, op: number, where: string, message: string): void => {
    result.mismatches.push({ kind, check, op, where, message });
  };

  const lanes: Lane[] = [];
  const pairs: { a: Lane; b: Lane; law: LawName }[] = [];
  try {
    for (const b of backends) lanes.push(buildLane(c, info, b, b, { kind: 'main', checkpoints: true }));
    if (config.laws ?? true) {
      for (const law of c.laws) {
        const backend = backends.includes(law.backend) ? law.backend : reference;
        const main = lanes.find((l) => l.backend === backend)!;
        const name = `${law.law}@${backend}`;
        switch (law.law) {
          case 'maximize': {
            const a = buildLane(c, info, `${name} (maximize, g)`, backend, {
              kind: 'maximize',
              checkpoints: true,
              maximize: true,
            });
            const b = buildLane(c, info, `${name} (minimize, −g)`, backend, {
              kind: 'maximize',
              checkpoints: true,
              maximize: false,
              negate: true,
            });
            lanes.push(a, b);
            pairs.push({ a, b, law: 'maximize' });
            break;
          }
          case 'resume': {
            const a = buildLane(c, info, `${name} (no checkpoints)`, backend, { kind: 'resume', checkpoints: false });
            lanes.push(a);
            pairs.push({ a, b: main, law: 'resume' });
            break;
          }
          case 'split': {
            const a = buildLane(c, info, `${name} (group ${law.group} split at ${law.at})`, backend, {
              kind: 'split',
              checkpoints: true,
              split: { group: law.group, at: law.at },
            });
            lanes.push(a);
            pairs.push({ a, b: main, law: 'split' });
            break;
          }
          case 'permute': {
            const a = buildLane(c, info, `${name} (tensors permuted ${JSON.stringify(law.perm)})`, backend, {
              kind: 'permute',
              checkpoints: true,
              perm: law.perm,
            });
            lanes.push(a);
            pairs.push({ a, b: main, law: 'permute' });
            break;
          }
          case 'twin': {
            // Law lanes never run the invalid calls: this one is the main lane without them.
            const a = buildLane(c, info, `${name} (never sees the invalid calls)`, backend, {
              kind: 'twin',
              checkpoints: true,
            });
            lanes.push(a);
            pairs.push({ a, b: main, law: 'twin' });
            break;
          }
        }
      }
    }
  } catch (error) {
    fail(
      'crash',
      'construct',
      -1,
      'constructor',
      `a valid case's optimizer could not be built: ${(error as Error).stack ?? String(error)}`,
    );
    return result;
  }
  const mains = lanes.filter((l) => l.tr.kind === 'main');
  const ref = mains.find((l) => l.backend === reference)!;

  // The oracle follows the case's own options, not the library's.
  const rule = (config.oracle ?? true) ? info.oracle(c.flavor) : undefined;
  let oracle: OracleModel | null = null;
  if (rule !== undefined) {
    const sample = Math.max(32, config.oracleSample ?? 64);
    oracle = new OracleModel(
      rule,
      info.description?.strictStateNames ?? false,
      sample,
      `${c.algorithm}/${c.flavor}`,
      info.sparseOracle(c.flavor),
    );
    const base = { ...info.flavors[c.flavor]!.defaults, ...c.options };
    let start = 0;
    for (const g of c.groups) {
      const members = c.tensors.slice(start, start + g.size);
      oracle.addGroup(
        { ...base, ...g.options },
        members.map((t) => t.init.length),
        members.map((t) => t.rows),
      );
      start += g.size;
    }
  }

  const count = { n: 0 };
  const grew = { n: 0 };
  const lawsDone = new Set<LawName>();
  for (let k = 0; k < c.ops.length; k++) {
    const op = c.ops[k]!;
    let pre: Snapshot | null = null;
    let callerBefore: (Float32Array | null)[] | null = null;
    if (op.op === 'step') {
      result.steps++;
      for (const g of op.grads) if (isSparse(g)) result.sparseGrads++;
      if (oracle !== null) pre = snapshotOf(ref, true);
      if (op.mode === 'zerocopy') callerBefore = ref.user.map((u) => u?.slice() ?? null);
    }
    if (op.op === 'bad' && (config.badInput ?? true)) {
      result.badOps++;
      if (op.bad.kind === 'addGroup') result.failedAdds++;
      if (op.bad.kind === 'sparse') result.badSparse++;
      for (const lane of mains) {
        const d = runBad(lane, op.bad, c, info, (what) => {
          if (lane === ref) result.badSparseKinds[what] = (result.badSparseKinds[what] ?? 0) + 1;
        });
        if (d) fail('bad-input', op.bad.kind, k, `${lane.name}: ${d.where}`, d.message);
      }
    } else if (op.op !== 'bad') {
      let checkpointText: string | undefined;
      for (const lane of lanes) {
        try {
          switch (op.op) {
            case 'step':
              stepLane(lane, op);
              result.optimizerSteps++;
              break;
            case 'set':
              if (lane.tr.maximize !== undefined && op.key === 'maximize') break;
              for (const g of lane.groupMap[op.group]!)
                (lane.opt.paramGroups[g] as unknown as Record<string, unknown>)[op.key] = op.value;
              break;
            case 'addGroup': {
              const d = addGroupLane(lane, op, info, grew);
              if (d && lane.tr.kind === 'main')
                fail('contract', 'memory growth', k, `${lane.name}: ${d.where}`, d.message);
              break;
            }
            case 'checkpoint':
              if (lane.tr.checkpoints) {
                if (lane.tr.kind === 'main') checkpointText ??= jsonSafeText(ref.opt.stateDict());
                checkpointLane(lane, c, info, lane.tr.kind === 'main' ? checkpointText : undefined);
              }
              break;
          }
        } catch (error) {
          fail('crash', op.op, k, lane.name, `a valid ${op.op} threw: ${(error as Error).stack ?? String(error)}`);
        }
        lane.invalidate();
      }
      if (op.op === 'set') oracle?.setOption(op.group, op.key, op.value);
      if (op.op === 'addGroup') {
        oracle?.addGroup(
          { ...info.flavors[c.flavor]!.defaults, ...c.options, ...op.options },
          op.tensors.map((t) => t.init.length),
          op.tensors.map((t) => t.rows),
        );
      }
    }
    if (result.mismatches.length > 0 && stopAtFirst) break;

    // 1. Every backend equals the reference, bit for bit.
    for (const lane of mains) {
      if (lane === ref) continue;
      const d = compareLanes(lane, ref, count, true, info.keys);
      if (d)
        fail(
          'backend',
          lane.backend,
          k,
          d.where,
          `${lane.backend} vs ${ref.backend} after op ${k} (${op.op}): ${d.message}`,
        );
    }
    // Contracts of the two step forms, on the reference lane.
    if (op.op === 'step') {
      for (let i = 0; i < ref.user.length; i++) {
        const u = ref.user[i];
        if (!u) continue;
        if (op.mode === 'dropin') {
          const d = compareArrays(u, ref.opt.params[ref.index[i]!]!.data, `caller's array ${i}`);
          if (d)
            fail(
              'contract',
              'drop-in',
              k,
              d.where,
              `after a drop-in step the caller's array differs from the optimizer's memory: ${d.message}`,
            );
        } else {
          const d = compareArrays(u, callerBefore![i]!, `caller's array ${i}`);
          if (d) fail('contract', 'zero-copy', k, d.where, `a zero-copy step changed the caller's array: ${d.message}`);
        }
      }
    }
    // 2. The float64 oracle.
    if (oracle !== null && pre !== null && op.op === 'step') {
      const failure = oracle.step(pre, snapshotOf(ref, false), op.grads, k);
      if (failure) fail('oracle', `${c.algorithm}/${c.flavor}`, k, failure.where, failure.message);
    }
    // 3. The laws.
    for (const { a, b, law } of pairs) {
      // The twin has the main lane's shape: everything compares, the memory size too.
      const d =
        law === 'twin'
          ? (compareLanes(a, b, count, true, info.keys) ?? compareMemory(a, b))
          : compareLanes(a, b, count, false, info.keys);
      lawsDone.add(law);
      if (d) fail('law', law, k, d.where, `${a.name} vs ${b.name} after op ${k} (${op.op}): ${d.message}`);
    }
    if (result.mismatches.length > 0 && stopAtFirst) break;
  }
  for (const law of lawsDone) result.lawsChecked[law] = (result.lawsChecked[law] ?? 0) + 1;
  result.valuesCompared = count.n;
  result.growths = grew.n;
  result.oracle = oracle?.stats ?? null;
  return result;
}
