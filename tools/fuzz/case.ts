// A fuzz case: one optimizer history (tensors, groups, options and a list of operations), plus
// which metamorphic laws to check on it. Cases are plain data: they round-trip through JSON
// (`wasm-optim fuzz --replay case.json`) and are what the shrinker reduces.
import type { BackendName } from '#lib/backend/index.js';
import type { Flavor } from '#lib/spec.js';
import { parseCase } from './case-check.js';
import { encodeAny, encodeF32Array, type F32ArrayJson } from './f32.js';

export const CASE_FORMAT = 'wasm-optim-fuzz/1';

export type Options = Record<string, unknown>;

export interface TensorSpec {
  /** Initial values. */
  readonly init: Float32Array;
  /**
   * true: passed as the caller's Float32Array (drop-in); false: created from its length, `init` then written
   * into `handle.data`.
   */
  readonly source: boolean;
  /**
   * Declared as `rows` × (length / rows), `{ data, rows }` (an embedding table): it then also
   * takes row-sparse gradients. Absent: a plain parameter.
   */
  readonly rows?: number;
}

/**
 * A row-sparse gradient `{ indices, values }`: row `indices[k]` gets `values[k·width …)`.
 * `unsigned`: given as a Uint32Array (drop-in steps; a zero-copy step stages Int32 indices
 * through `params[i].sparseGrad(n)`).
 */
export interface SparseGradSpec {
  readonly indices: readonly number[];
  readonly unsigned: boolean;
  readonly values: Float32Array;
}

/** One tensor's gradient in a step: dense, row-sparse, or null (skipped). */
export type Grad = Float32Array | SparseGradSpec | null;

export function isSparse(g: Grad | undefined): g is SparseGradSpec {
  return g !== null && g !== undefined && !(g instanceof Float32Array);
}

/** The float32 values a gradient carries (a sparse one's `values`). */
export function gradValues(g: Grad): Float32Array | null {
  return g === null ? null : isSparse(g) ? g.values : g;
}

export interface GroupSpec {
  /** Number of tensors (consecutive, in tensor order). */
  readonly size: number;
  /** Options overriding the constructor's. */
  readonly options: Options;
}

/** One operation of the history. Gradients are listed for every tensor existing at that point. */
export type Op =
  | { readonly op: 'step'; readonly mode: 'dropin' | 'zerocopy'; readonly grads: readonly Grad[] }
  | { readonly op: 'set'; readonly group: number; readonly key: string; readonly value: unknown }
  | { readonly op: 'addGroup'; readonly tensors: readonly TensorSpec[]; readonly options: Options }
  | { readonly op: 'checkpoint' }
  | { readonly op: 'bad'; readonly bad: BadOp };

/**
 * Invalid input that must throw a TypeError or RangeError and change nothing. Values are kept
 * JSON-encoded (f32.ts encodeAny); `{"$param": k}` stands for the caller's array of tensor k.
 * Targets are picked among what exists when the operation runs (`pick` modulo the count).
 */
export type BadOp =
  | {
      readonly kind: 'construct';
      readonly what: 'option' | 'combo' | 'options' | 'flavor' | 'backend' | 'params' | 'param' | 'duplicate' | 'mixed';
      readonly key?: string;
      readonly pick?: number;
      readonly value?: unknown;
    }
  | { readonly kind: 'set'; readonly group: number; readonly key: string; readonly value: unknown }
  | {
      readonly kind: 'step';
      readonly what: 'list' | 'count' | 'element' | 'length';
      readonly pick?: number;
      readonly delta?: number;
      readonly value?: unknown;
    }
  | {
      readonly kind: 'load';
      readonly what:
        | 'dict'
        | 'state'
        | 'param_groups'
        | 'groupCount'
        | 'group'
        | 'groupKey'
        | 'deleteGroupKey'
        | 'groupParams'
        | 'stateKey'
        | 'entry'
        | 'step'
        | 'buffer'
        | 'bufferLength'
        | 'bufferElement'
        | 'extraBuffer'
        | 'deleteBuffer';
      readonly pick?: number;
      readonly key?: string;
      readonly delta?: number;
      readonly value?: unknown;
    }
  | AddGroupBadOp
  | SparseBadOp;

/**
 * An invalid row-sparse gradient (a drop-in step whose other gradients are null, or a zero-copy
 * `sparseGrad(n)`): a row past the last (`outOfRange`), a negative Int32 row, `values` of the
 * wrong length (`delta` off), indices of the wrong type, a sparse gradient for a parameter
 * declared without rows (`noRows`, or `sparseGrad` on it: `zerocopyNoRows`), one for a parameter
 * whose flavor or group options refuse it (`refused`: no sparse path, lazy false, PyTorch
 * Adagrad's weightDecay ≠ 0), or a bad count for `sparseGrad(n)`. Targets are picked at run
 * time among the tensors that fit (`pick` modulo their count); where none fits, another kind.
 */
export interface SparseBadOp {
  readonly kind: 'sparse';
  readonly what:
    | 'outOfRange'
    | 'negative'
    | 'valuesLength'
    | 'indicesType'
    | 'noRows'
    | 'zerocopyNoRows'
    | 'refused'
    | 'sparseGradCount';
  readonly pick?: number;
  readonly delta?: number;
  readonly value?: unknown;
}

/**
 * A failing addParamGroup (failed-add.ts). The bad part — a bad option (`key`, `value`), an
 * unknown key, a param that is not a Float32Array (`value`), an array the optimizer already has
 * (`duplicate`, `pick`) or one given twice in the call (`selfDuplicate`), a length whose memory
 * cannot fit (`tooLarge`, `value` the length) — may sit among valid new tensors (`before`,
 * `after`): the call must still change nothing (no half-added parameter).
 */
export interface AddGroupBadOp {
  readonly kind: 'addGroup';
  readonly what: 'group' | 'params' | 'param' | 'duplicate' | 'selfDuplicate' | 'option' | 'unknownOption' | 'tooLarge';
  readonly key?: string;
  readonly pick?: number;
  readonly value?: unknown;
  readonly before?: readonly NewTensor[];
  readonly after?: readonly NewTensor[];
  /** Valid option overrides given along (JSON-encoded). */
  readonly options?: Options;
}

/** A valid tensor of a failing call: a fresh array of `length` zeros (source) or a length. */
export interface NewTensor {
  readonly length: number;
  readonly source: boolean;
}

/**
 * A case whose memory passes 2 GiB (big.ts): initial tensor `tensor` is created from `length`
 * (all zeros; its TensorSpec's `init` is empty) and is compared, and given gradients, at the
 * `sample` indices only: its gradient in a step is null (drop-in) or the `sample.length` values
 * at those indices (zero-copy; zero elsewhere).
 */
export interface BigSpec {
  readonly tensor: number;
  readonly length: number;
  readonly sample: readonly number[];
}

export type LawName = 'maximize' | 'resume' | 'split' | 'permute' | 'twin';

export type Law =
  | { readonly law: 'maximize'; readonly backend: BackendName }
  | { readonly law: 'resume'; readonly backend: BackendName }
  | { readonly law: 'split'; readonly backend: BackendName; readonly group: number; readonly at: number }
  | { readonly law: 'permute'; readonly backend: BackendName; readonly perm: readonly number[] }
  /** Invalid calls change nothing: a twin lane that never sees them equals the main lane. */
  | { readonly law: 'twin'; readonly backend: BackendName };

export interface FuzzCase {
  readonly algorithm: string;
  readonly flavor: Flavor;
  /** Constructor options (without flavor and backend). */
  readonly options: Options;
  readonly tensors: readonly TensorSpec[];
  readonly groups: readonly GroupSpec[];
  readonly ops: readonly Op[];
  readonly laws: readonly Law[];
  /** Set for a memory case past 2 GiB (run by big-runner.ts, not the ordinary runner). */
  readonly big?: BigSpec;
  /** Where it came from (seed, case number), for the record. */
  readonly origin?: string;
  /** Free text kept with a regression fixture. */
  readonly note?: string;
}

/** Number of tensors existing before op `index` (the initial ones plus those added so far). */
export function tensorCountAt(c: FuzzCase, index: number): number {
  let n = c.tensors.length;
  for (let i = 0; i < index; i++) {
    const op = c.ops[i]!;
    if (op.op === 'addGroup') n += op.tensors.length;
  }
  return n;
}

/** Number of groups existing before op `index`. */
export function groupCountAt(c: FuzzCase, index: number): number {
  let n = c.groups.length;
  for (let i = 0; i < index; i++) if (c.ops[i]!.op === 'addGroup') n++;
  return n;
}

export function countSteps(c: FuzzCase): number {
  return c.ops.reduce((n, op) => n + (op.op === 'step' ? 1 : 0), 0);
}

/** Row-sparse gradients given in the case's steps. */
export function countSparseGrads(c: FuzzCase): number {
  let n = 0;
  for (const op of c.ops) if (op.op === 'step') for (const g of op.grads) if (isSparse(g)) n++;
  return n;
}

// ---------------------------------------------------------------- JSON

interface TensorJson {
  init: F32ArrayJson;
  source: boolean;
  rows?: number;
}

function tensorToJson(t: TensorSpec): TensorJson {
  return { init: encodeF32Array(t.init), source: t.source, ...(t.rows === undefined ? {} : { rows: t.rows }) };
}

function gradToJson(g: Grad): unknown {
  if (g === null) return null;
  if (!isSparse(g)) return encodeF32Array(g);
  return { indices: [...g.indices], ...(g.unsigned ? { unsigned: true } : {}), values: encodeF32Array(g.values) };
}

/** The case as plain JSON (special numbers tagged, float32 data as shortest decimals). */
export function caseToJson(c: FuzzCase): Record<string, unknown> {
  return {
    format: CASE_FORMAT,
    ...(c.note === undefined ? {} : { note: c.note }),
    ...(c.origin === undefined ? {} : { origin: c.origin }),
    algorithm: c.algorithm,
    flavor: c.flavor,
    options: encodeAny(c.options),
    tensors: c.tensors.map(tensorToJson),
    groups: c.groups.map((g) => ({ size: g.size, options: encodeAny(g.options) })),
    ...(c.big === undefined ? {} : { big: { tensor: c.big.tensor, length: c.big.length, sample: [...c.big.sample] } }),
    ops: c.ops.map((op) => {
      switch (op.op) {
        case 'step':
          return { op: 'step', mode: op.mode, grads: op.grads.map(gradToJson) };
        case 'set':
          return { op: 'set', group: op.group, key: op.key, value: encodeAny(op.value) };
        case 'addGroup':
          return { op: 'addGroup', tensors: op.tensors.map(tensorToJson), options: encodeAny(op.options) };
        case 'checkpoint':
          return { op: 'checkpoint' };
        case 'bad':
          return { op: 'bad', bad: op.bad };
      }
    }),
    laws: c.laws,
  };
}

/** A compact, stable JSON text: one operation per line. */
export function caseToText(c: FuzzCase): string {
  const json = caseToJson(c);
  const { ops, tensors, ...head } = json as { ops: unknown[]; tensors: unknown[] } & Record<string, unknown>;
  const lines = Object.entries(head).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  lines.splice(
    lines.findIndex((l) => l.startsWith('  "groups"')),
    0,
    `  "tensors": [\n${tensors.map((t) => `    ${JSON.stringify(t)}`).join(',\n')}\n  ]`,
  );
  lines.push(`  "ops": [\n${ops.map((o) => `    ${JSON.stringify(o)}`).join(',\n')}\n  ]`);
  return `{\n${lines.join(',\n')}\n}`;
}

/** Parses a case (as written by caseToJson), checking its shape (case-check.ts). */
export function caseFromJson(json: unknown): FuzzCase {
  return parseCase(json);
}
