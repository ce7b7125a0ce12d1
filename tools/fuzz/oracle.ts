// Oracle 2, the float64 oracle, run one step at a time: before each step it takes the library's
// float32 parameters and state (bits, from the JS lane, which every backend equals), computes
// the step in float64 from the description's formula (tools/fuzz/algorithms/), and requires every
// parameter and state value the library produces to lie within the rigorous bound carried by
// the arithmetic (bounded.ts). Starting every step from the library's own values keeps the
// error local (no drift, no chaos), so the bound stays a few ulps; what carries state from step
// to step is covered by the cross-backend and resume checks. The oracle keeps its own step
// counts and option values (from the case, not the library) and checks `step` exactly.
// A row-sparse step is coalesced here (repeated rows summed in float32, in order of appearance),
// its listed rows are checked against the description's sparse rule (its dense rule where the
// framework has no sparse arithmetic of its own), and every other row's parameters and state
// must be unchanged bit for bit; its step count advances as for any non-null gradient.
import { ARITH, B, cast, exact } from './bounded.js';
import { isSparse, type Grad, type SparseGradSpec } from './case.js';
import type { ElementInput, OracleRule, Options } from './describe.js';
import { ulp32 } from './f32.js';
import { Random } from './random.js';

/** Error statistics of one algorithm and flavor. */
export interface OracleStats {
  /** Finite values compared against a bound. */
  compared: number;
  /** NaN/±Infinity values whose float32 outcome the bound decides, compared exactly. */
  specials: number;
  /** Values not compared: their float32 fate is undecidable from the bound (overflow, a divisor that may be 0, …). */
  skipped: number;
  /** Row-sparse steps checked (coalesced, the listed rows by the rule, the others unchanged). */
  sparseSteps: number;
  /** Parameter and state values of rows a sparse step did not list, checked unchanged bit for bit. */
  untouched: number;
  /** Largest |got − want| / bound over every compared value (≤ 1 passes). */
  maxRatio: number;
  /**
   * Values whose bound is at most WELL_CONDITIONED ulps of max(|want|, M) and whose scale is a
   * normal float32: the ulps and relative maxima below are over these (elsewhere cancellation or
   * underflow makes both meaningless; those values are still held to their bound).
   */
  wellConditioned: number;
  /** Largest |got − want| / max(|want|, M), M = largest magnitude the element has had. */
  maxRel: number;
  /** Largest |got − want| in ulps of max(|want|, M). */
  maxUlps: number;
  /**
   * Histogram of the bound in ulps of max(|want|, M): bucket 0 counts bounds below 1/2, bucket k ≥ 1 those in
   * [2^(k−2), 2^(k−1)).
   */
  boundHistogram: number[];
  /** Where maxRel was seen. */
  maxAt: string;
}

/** Bound (in ulps of max(|want|, M)) up to which a value counts as well-conditioned. */
export const WELL_CONDITIONED = 64;

export function emptyStats(): OracleStats {
  return {
    compared: 0,
    specials: 0,
    skipped: 0,
    sparseSteps: 0,
    untouched: 0,
    maxRatio: 0,
    wellConditioned: 0,
    maxRel: 0,
    maxUlps: 0,
    boundHistogram: new Array(40).fill(0),
    maxAt: '',
  };
}

export function mergeStats(into: OracleStats, from: OracleStats): void {
  into.compared += from.compared;
  into.specials += from.specials;
  into.skipped += from.skipped;
  into.sparseSteps += from.sparseSteps;
  into.untouched += from.untouched;
  into.wellConditioned += from.wellConditioned;
  if (from.maxRel > into.maxRel) into.maxAt = from.maxAt;
  into.maxRatio = Math.max(into.maxRatio, from.maxRatio);
  into.maxRel = Math.max(into.maxRel, from.maxRel);
  into.maxUlps = Math.max(into.maxUlps, from.maxUlps);
  from.boundHistogram.forEach((n, k) => {
    into.boundHistogram[k]! += n;
  });
}

/** A quantile of the bound histogram, as an upper bucket edge in ulps. */
export function boundQuantile(stats: OracleStats, q: number): number {
  const total = stats.boundHistogram.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  let seen = 0;
  for (let k = 0; k < stats.boundHistogram.length; k++) {
    seen += stats.boundHistogram[k]!;
    if (seen >= q * total) return 2 ** (k - 1);
  }
  return Infinity;
}

/** What the oracle needs of the library's values around one step, per case tensor. */
export interface Snapshot {
  params: Float32Array[];
  /** The state-dict entry per tensor (undefined: none). */
  state: (Record<string, unknown> | undefined)[];
}

export interface OracleFailure {
  where: string;
  message: string;
}

interface TensorModel {
  t: number;
  options: Options;
  /** Buffers a step has produced (for "created from the first gradient" buffers). */
  touched: Set<string>;
  /** Largest finite magnitude seen, per quantity ('param' or buffer name), per element. */
  M: Map<string, Float64Array>;
  /** The library's buffers could not be matched: no further checks for this tensor. */
  unsynced: boolean;
  /** The elements the oracle checks (all of a short tensor). */
  sample: Int32Array | null;
  /** The rule's per-tensor scratch (running products). */
  memo: Record<string, number>;
  /** Rows it was declared with (undefined: a plain parameter, dense gradients only). */
  rows: number | undefined;
}

/**
 * A row-sparse gradient coalesced as PyTorch's `coalesce()` does: each distinct row once, its
 * values the float32 sum of its repeats in order of appearance (fl(fl(a + b) + c)). Returns the
 * tensor-length gradient (zero on unlisted rows) and which rows are listed. `negated`: PyTorch
 * negates a maximized gradient before coalescing, so the repeats are summed negated (−a + −b,
 * which differs from −(a + b) where they cancel: +0, not −0), and the sum is returned un-negated
 * for the rule to negate again.
 */
export function coalesce(
  g: SparseGradSpec,
  rows: number,
  n: number,
  negated = false,
): { grad: Float32Array; listed: Uint8Array } {
  const width = rows === 0 ? 0 : n / rows;
  const grad = new Float32Array(n);
  const listed = new Uint8Array(rows);
  const sign = negated ? -1 : 1;
  g.indices.forEach((row, k) => {
    const at = row * width;
    for (let j = 0; j < width; j++) {
      const x = sign * g.values[k * width + j]!;
      grad[at + j] = listed[row] ? Math.fround(grad[at + j]! + x) : x;
    }
    listed[row] = 1;
  });
  if (negated) for (let i = 0; i < n; i++) grad[i] = -grad[i]!;
  return { grad, listed };
}

export class OracleModel {
  readonly stats = emptyStats();
  readonly #rule: OracleRule;
  /** The rule of row-sparse steps (the framework's own sparse arithmetic, or the dense rule). */
  readonly #sparseRule: OracleRule;
  readonly #strict: boolean;
  readonly #tensors: TensorModel[] = [];
  /** Option values per group, as the case set them. */
  readonly #groups: Options[] = [];
  /** Case tensor indices per group. */
  readonly #members: number[][] = [];
  readonly #sample: number;
  readonly #label: string;

  constructor(rule: OracleRule, strictNames: boolean, sample: number, label: string, sparseRule?: OracleRule) {
    this.#rule = rule;
    this.#sparseRule = sparseRule ?? rule;
    this.#strict = strictNames;
    this.#sample = sample;
    this.#label = label;
  }

  /** A group of `lengths.length` new tensors with these (complete) options; `rows` per tensor, if declared. */
  addGroup(options: Options, lengths: readonly number[], rows: readonly (number | undefined)[] = []): void {
    const g = this.#groups.length;
    this.#groups.push({ ...options });
    const members: number[] = [];
    lengths.forEach((n, k) => {
      members.push(this.#tensors.length);
      this.#tensors.push({
        t: 0,
        options: this.#groups[g]!,
        touched: new Set(),
        M: new Map(),
        unsynced: false,
        sample: this.#sampleOf(this.#tensors.length, n),
        memo: {},
        rows: rows[k],
      });
    });
    this.#members.push(members);
  }

  /**
   * The checked elements of a long tensor: the first 8, the last 24 (every SIMD tail) and
   * random ones, the same at every step (so their largest magnitudes can be tracked).
   */
  #sampleOf(i: number, n: number): Int32Array | null {
    if (n <= this.#sample) return null;
    const r = new Random(i, n, 0x0a);
    const out = new Int32Array(this.#sample);
    for (let c = 0; c < out.length; c++) out[c] = c < 8 ? c : c < 32 ? n - 32 + c : r.int(n);
    return out;
  }

  setOption(group: number, key: string, value: unknown): void {
    const options = this.#groups[group];
    if (options !== undefined) options[key] = value;
  }

  /**
   * Checks one step: `grads[i]` null = tensor i skipped. Returns the first failure (or null);
   * statistics accumulate in `stats`.
   */
  step(pre: Snapshot, post: Snapshot, grads: readonly Grad[], opIndex: number): OracleFailure | null {
    for (let i = 0; i < this.#tensors.length; i++) {
      const model = this.#tensors[i]!;
      const grad = grads[i];
      const where = `op ${opIndex} tensor ${i}`;
      if (grad === null || grad === undefined) {
        const failure = unchanged(pre, post, i, where);
        if (failure) return failure;
        continue;
      }
      model.t++;
      let failure: OracleFailure | null;
      if (isSparse(grad)) {
        if (model.rows === undefined) return { where, message: 'a row-sparse gradient for a tensor without rows' };
        const maximize = model.options['maximize'] === true;
        const { grad: dense, listed } = coalesce(grad, model.rows, post.params[i]!.length, maximize);
        this.stats.sparseSteps++;
        failure = this.#stepTensor(i, model, pre, post, dense, `${where} (row-sparse)`, listed);
      } else {
        failure = this.#stepTensor(i, model, pre, post, grad, where, null);
      }
      if (failure) return failure;
    }
    return null;
  }

  #stepTensor(
    i: number,
    model: TensorModel,
    pre: Snapshot,
    post: Snapshot,
    grad: Float32Array,
    where: string,
    /** A row-sparse step: which rows it lists (the rest must not change); null: dense. */
    listed: Uint8Array | null,
  ): OracleFailure | null {
    const rule = listed === null ? this.#rule : this.#sparseRule;
    const o = model.options;
    const t = model.t;
    const entryPost = post.state[i];
    const entryPre = pre.state[i];
    if (entryPost !== undefined && 'step' in entryPost && entryPost['step'] !== t) {
      return { where: `${where} state.step`, message: `step is ${String(entryPost['step'])}, the oracle counts ${t}` };
    }
    const buffers = rule.buffers(o);
    const names = Object.keys(buffers);
    if (this.#strict && entryPost !== undefined) {
      // Every buffer the formula keeps must be in the state (PyTorch's names); more may be
      // (PyTorch's state keeps the buffers of an option switched off).
      const got = Object.keys(entryPost).filter((k) => k !== 'step');
      const missing = names.filter((n) => !got.includes(n));
      if (missing.length > 0) {
        return {
          where: `${where} state`,
          message:
            `state buffers are [${got.join(', ')}]: ${missing.join(', ')} missing` +
            ` (the formula keeps [${names.join(', ')}])`,
        };
      }
    }
    if (model.unsynced) return null;
    // The library's arrays for each buffer the formula keeps (before and after), by name or alias.
    const find = (entry: Record<string, unknown> | undefined, name: string): Float32Array | undefined => {
      if (entry === undefined) return undefined;
      for (const n of [name, ...(rule.aliases?.[name] ?? [])]) {
        const value = entry[n];
        if (value instanceof Float32Array) return value;
      }
      return undefined;
    };
    const before: (Float32Array | undefined)[] = [];
    const after: (Float32Array | undefined)[] = [];
    for (const name of names) {
      const init = buffers[name];
      let b = find(entryPre, name);
      if (init === null && !model.touched.has(name))
        b = undefined; // created from this gradient
      else if (b === undefined && model.touched.has(name)) {
        model.unsynced = true; // a buffer the library does not show under any known name
        return null;
      }
      before.push(b);
      after.push(find(entryPost, name));
    }
    const A = ARITH;
    const scalarValues = rule.scalars(o, t, A, model.memo);
    const s: Record<string, B> = {};
    for (const [k, v] of Object.entries(scalarValues)) s[k] = v instanceof B ? v : cast(v);
    const initial: (B | undefined)[] = names.map((name) => (buffers[name] === null ? undefined : cast(buffers[name]!)));

    const p0 = pre.params[i]!;
    const p1 = post.params[i]!;
    const n = p1.length;
    // Largest magnitudes of the checked elements (the error's scale), this step included.
    const sample = model.sample;
    const count = sample === null ? n : sample.length;
    const scaleParam = this.#track(model, 'param', p0, p1, sample, count);
    const scaleBuffers = names.map((name, k) => this.#track(model, name, before[k], after[k], sample, count));

    const state: Record<string, B | undefined> = {};
    const input = { param: exact(0), grad: exact(0), state, s, o, t } as {
      -readonly [K in keyof ElementInput]: ElementInput[K];
    };
    const width = listed === null || listed.length === 0 ? 0 : n / listed.length;
    for (let c = 0; c < count; c++) {
      const j = sample === null ? c : sample[c]!;
      if (listed !== null && !listed[Math.floor(j / width)]) continue; // checked unchanged below
      input.param = exact(p0[j]!);
      input.grad = exact(grad[j]!);
      for (let k = 0; k < names.length; k++) {
        const b = before[k];
        state[names[k]!] = b !== undefined ? exact(b[j]!) : initial[k];
      }
      const out = rule.update(input, A);
      let failure = this.#compare(out.param, p1[j]!, scaleParam[c]!, where, 'param', j);
      if (failure) return failure;
      for (let k = 0; k < names.length; k++) {
        const got = after[k];
        const want = out.state[names[k]!];
        if (got === undefined || want === undefined) continue;
        failure = this.#compare(want, got[j]!, scaleBuffers[k]![c]!, where, names[k]!, j);
        if (failure) return failure;
      }
    }
    if (listed !== null) {
      // Rows the sparse step did not list: parameters and state exactly as before.
      const same = (a: number, b: number): boolean => Object.is(a, b) || (a !== a && b !== b);
      for (let row = 0; row < listed.length; row++) {
        if (listed[row]) continue;
        for (let j = row * width; j < (row + 1) * width; j++) {
          this.stats.untouched++;
          if (!same(p0[j]!, p1[j]!))
            return {
              where: `${where} param[${j}]`,
              message: `row ${row}, not listed, changed from ${p0[j]} to ${p1[j]}`,
            };
          for (let k = 0; k < names.length; k++) {
            const a = after[k];
            if (a === undefined) continue;
            const b = before[k];
            const was = b !== undefined ? b[j]! : Math.fround(buffers[names[k]!] ?? NaN);
            this.stats.untouched++;
            if (!same(was, a[j]!))
              return {
                where: `${where} ${names[k]}[${j}]`,
                message: `row ${row}, not listed, changed its ${names[k]} from ${was} to ${a[j]}`,
              };
          }
        }
      }
    }
    for (const name of names) model.touched.add(name);
    return null;
  }

  /** Updates and returns the largest magnitude of one quantity, per checked element. */
  #track(
    model: TensorModel,
    name: string,
    a: Float32Array | undefined,
    b: Float32Array | undefined,
    sample: Int32Array | null,
    count: number,
  ): Float64Array {
    let M = model.M.get(name);
    if (M === undefined || M.length !== count) {
      M = new Float64Array(count);
      model.M.set(name, M);
    }
    for (const x of [a, b]) {
      if (x === undefined) continue;
      for (let c = 0; c < count; c++) {
        const v = Math.abs(x[sample === null ? c : sample[c]!]!);
        if (v > M[c]! && v < Infinity) M[c] = v;
      }
    }
    return M;
  }

  /** Compares one value; `where`, `name` and `j` only make the message (built on failure). */
  #compare(want: B, got: number, M: number, where: string, name: string, j: number): OracleFailure | null {
    const stats = this.stats;
    if (want.unknown) {
      stats.skipped++;
      return null;
    }
    if (!want.finite) {
      stats.specials++;
      const ok = want.v !== want.v ? got !== got : got === want.v;
      return ok
        ? null
        : {
            where: `${where} ${name}[${j}]`,
            message: `got ${got}, the formula gives ${want.v} (certain for any float32 evaluation)`,
          };
    }
    stats.compared++;
    const err = Math.abs(got - want.v);
    const scale = Math.max(Math.abs(want.v), M);
    const unit = ulp32(scale);
    const inUlps = want.e / unit;
    let bucket = 0;
    for (let edge = 0.5; bucket < 39 && inUlps >= edge; edge *= 2) bucket++;
    stats.boundHistogram[bucket]!++;
    if (!(err <= want.e)) {
      return {
        where: `${where} ${name}[${j}]`,
        message:
          `got ${got}, the formula gives ${want.v} ± ${want.e.toPrecision(3)}` +
          ` (error ${(err / unit).toPrecision(3)} ulps of max(|want|, M) = ${scale.toPrecision(3)};` +
          ` bound ${inUlps.toPrecision(3)} ulps)`,
      };
    }
    if (err > 0 && err > stats.maxRatio * want.e) stats.maxRatio = err / want.e;
    if (inUlps <= WELL_CONDITIONED && scale >= 2 ** -126) {
      stats.wellConditioned++;
      const rel = err / scale;
      if (rel > stats.maxRel) {
        stats.maxRel = rel;
        stats.maxAt = `${this.#label} ${where} ${name}[${j}]`;
      }
      if (err > stats.maxUlps * unit) stats.maxUlps = err / unit;
    }
    return null;
  }
}

function unchanged(pre: Snapshot, post: Snapshot, i: number, where: string): OracleFailure | null {
  const a = pre.params[i]!,
    b = post.params[i]!;
  for (let j = 0; j < a.length; j++) {
    if (!Object.is(a[j], b[j]) && !(a[j] !== a[j] && b[j] !== b[j])) {
      return {
        where: `${where} param[${j}]`,
        message: `a skipped parameter (null gradient) changed from ${a[j]} to ${b[j]}`,
      };
    }
  }
  const x = pre.state[i],
    y = post.state[i];
  if (x === undefined || y === undefined) {
    return x === y ? null : { where: `${where} state`, message: 'a skipped parameter gained or lost its state entry' };
  }
  for (const [name, value] of Object.entries(x)) {
    const other = y[name];
    if (typeof value === 'number') {
      if (value !== other)
        return {
          where: `${where} state.${name}`,
          message: `a skipped parameter's ${name} changed from ${value} to ${String(other)}`,
        };
    } else if (value instanceof Float32Array && other instanceof Float32Array) {
      for (let j = 0; j < value.length; j++) {
        if (!Object.is(value[j], other[j]) && !(value[j] !== value[j] && other[j] !== other[j])) {
          return { where: `${where} state.${name}[${j}]`, message: `a skipped parameter's ${name} changed` };
        }
      }
    }
  }
  return null;
}
