// Row-sparse gradients and row-shaped parameters as the user gives them (README "Embeddings"):
// read once, checked whole before anything changes.
import { describe, rangeError, typeError } from './errors.js';
import { isDetached, isFloat32Array, isIndexArray, typedLength } from './typed.js';

/**
 * A row-sparse gradient for a parameter declared with `rows`: row `indices[k]` of the parameter
 * gets the gradient `values[k·width … (k+1)·width)`. Rows may repeat (their values are summed,
 * in order of appearance, as PyTorch's `coalesce()` does); rows not listed are not stepped.
 */
export interface SparseGrad {
  /** The row indices, each in [0, rows); repeats add up, as in PyTorch's coalescing. */
  readonly indices: Int32Array | Uint32Array;
  /** The rows' gradients, row-major: indices.length × width values. */
  readonly values: Float32Array;
}

/**
 * A parameter declared as `rows` × width, row-major (width = length / rows): an embedding table.
 * `data` is your array (drop-in) or a length, as for a plain parameter. Such a parameter takes
 * dense gradients as any other, and row-sparse ones (SparseGrad).
 */
export interface RowParamInit {
  /** The table (your array, drop-in) or its length for a zeroed one. */
  readonly data: Float32Array | number;
  /** How many rows: an integer ≥ 1 dividing the length. */
  readonly rows: number;
}

/** A SparseGrad as step() read it: each property read once. */
export interface SparseGradInput {
  readonly indices: Int32Array | Uint32Array;
  readonly values: Float32Array;
}

/** The most rows a parameter can have (its row map takes 4 bytes a row in the 4 GiB memory). */
export const MAX_ROWS = 0x3fffffff;

/** Whether a `params` entry is a row-shaped parameter rather than a param group. */
export function isRowParamObject(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === 'object' &&
    !ArrayBuffer.isView(value) &&
    !Array.isArray(value) &&
    Object.hasOwn(value, 'rows') &&
    !Object.hasOwn(value, 'params')
  );
}

/** Whether a `grads` entry is meant as a sparse gradient: an object with `indices` (not an array or a typed array). */
export function isSparseGradObject(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === 'object' &&
    !ArrayBuffer.isView(value) &&
    !Array.isArray(value) &&
    'indices' in value
  );
}

/** `{ data, rows }` read once into a frozen copy; its checks against the data are the caller's. */
export function readRowParam(value: object): RowParamInit {
  const { data, rows } = value as { data: unknown; rows: unknown };
  return Object.freeze({ data: data as Float32Array | number, rows: rows as number });
}

/**
 * Reads and checks `grads[i]`, a SparseGrad for a parameter of `rows` × `width`: index types, the
 * length of `values`, and every index a row of the parameter. Throws a TypeError/RangeError
 * naming what is wrong; reads each property once.
 */
export function readSparseGrad(owner: string, i: number, grad: object, rows: number, width: number): SparseGradInput {
  const where = `step(grads): grads[${i}]`;
  const { indices, values } = grad as { indices: unknown; values: unknown };
  if (!isIndexArray(indices)) {
    throw typeError(owner, `${where}.indices must be an Int32Array or a Uint32Array, got ${describe(indices)}`);
  }
  if (!isFloat32Array(values)) {
    throw typeError(owner, `${where}.values must be a Float32Array, got ${describe(values)}`);
  }
  // A detached array reads as empty: a step on it would silently touch no row.
  if (isDetached(indices)) {
    throw typeError(owner, `${where}.indices is a typed array whose buffer is detached`);
  }
  const n = typedLength(indices);
  const length = typedLength(values);
  if (length !== n * width) {
    const why = isDetached(values) ? ' (its buffer is detached)' : '';
    throw rangeError(
      owner,
      `${where}.values has length ${length}${why}, expected ${n * width} ` +
        `(${n} indices × width ${width} of parameter ${i})`,
    );
  }
  checkRows(owner, where, indices, 0, n, rows, i, false);
  return { indices, values };
}

/**
 * Checks that `indices[from … from + n)` are rows of parameter `param` (0 ≤ row < rows).
 * `signed`: the indices were written as Int32 (staged by sparseGrad), for the message.
 */
export function checkRows(
  owner: string,
  where: string,
  indices: Int32Array | Uint32Array,
  from: number,
  n: number,
  rows: number,
  param: number,
  signed: boolean,
): void {
  for (let k = 0; k < n; k++) {
    const row = indices[from + k]!;
    // One comparison for both ends: a negative Int32 row is ≥ 2^31 as an unsigned number.
    if (row >>> 0 >= rows) {
      throw rangeError(
        owner,
        `${where}.indices[${k}] is ${signed ? row | 0 : row}, ` +
          `not a row of parameter ${param} (its rows are 0 to ${rows - 1})`,
      );
    }
  }
}
