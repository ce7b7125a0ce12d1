// What the optimizer's gradient methods (clipGradNorm, clipGradValue, unscaleGrad,
// accumulateGrad) share beyond its private state: their options, read and checked once,
// PyTorch's clipping formula in float32, and the step that applies a pending gradient scaling
// tile by tile, so that the scaled gradient is read back from cache by the kernel.
import type { GradOps, Kernel } from './backend/kernels.js';
import { NORM_INF, NORM_L1, NORM_L2, scaled } from './backend/js/grads.js';
import { RECORD_BYTES, REC_COUNT, REC_GRAD, REC_PARAM, REC_STATE0 } from './backend/record.js';
import { describe, rangeError, typeError } from './errors.js';
import { readOptionsObject } from './options.js';
import type { ParamHandle } from './param.js';

/** How clipGradNorm measures the gradients: PyTorch's `norm_type`. */
export type NormType = number;

/** Options of `clipGradNorm`. */
export interface ClipGradNormOptions<P = ParamHandle> {
  /**
   * The p of the p-norm: 2 (default), 1, `Infinity` (max |g|), or any p > 0 (PyTorch's
   * `norm_type`). 1, 2 and Infinity run in Wasm; any other p in JavaScript (every backend alike).
   */
  normType?: NormType;
  /**
   * Throw (PyTorch's RuntimeError, here an Error) instead of clipping when the total norm is NaN
   * or ±Infinity; nothing changes then. Default false: the gradients are scaled by a NaN
   * coefficient, as PyTorch does, and the step that follows makes NaN parameters (unless the
   * optimizer skips non-finite steps, see `skipNonFinite`).
   */
  errorIfNonfinite?: boolean;
  /** The parameters whose gradients count and are scaled; default all (see accumulateGrad). */
  params?: readonly P[];
}

/** Options of `clipGradValue` and `unscaleGrad`. */
export interface GradSelection<P = ParamHandle> {
  /** The parameters whose gradients are changed; default all (see accumulateGrad). */
  params?: readonly P[];
}

/** How accumulateGrad combines micro-batch gradients: their sum, or their mean (sum / count). */
export type GradReduction = 'sum' | 'mean';

/** The norm kind of a norm type, or −1 for a general p (computed by generalNorm). */
export function normKind(normType: number): number {
  if (normType === 2) return NORM_L2;
  if (normType === 1) return NORM_L1;
  if (normType === Number.POSITIVE_INFINITY) return NORM_INF;
  return -1;
}

/** clipGradNorm's options, read once (reused: reading them allocates nothing when none are given). */
export interface ClipNormRead<P> {
  maxNorm: number;
  normType: number;
  errorIfNonfinite: boolean;
  params: readonly P[] | undefined;
}

/** Checks clipGradNorm's (or gradNorm's) arguments into `into`; `keys`: the options it takes. */
export function readClipNormOptions<P>(
  owner: string,
  where: string,
  maxNorm: unknown,
  options: unknown,
  into: ClipNormRead<P>,
  keys: readonly string[] = CLIP_NORM_KEYS,
): void {
  if (typeof maxNorm !== 'number')
    throw typeError(owner, `${where}: maxNorm must be a number, got ${describe(maxNorm)}`);
  if (Number.isNaN(maxNorm) || maxNorm < 0) {
    throw rangeError(owner, `${where}: maxNorm must be a number ≥ 0, got ${describe(maxNorm)}`);
  }
  let normType: unknown = 2;
  let errorIfNonfinite: unknown = false;
  let params: unknown;
  if (options !== undefined) {
    const given = readOptionsObject(owner, `${where}: `, options, keys);
    // Absent or undefined: the default; null is a wrong type, as for every other option.
    if ('normType' in given) normType = given['normType'];
    if ('errorIfNonfinite' in given) errorIfNonfinite = given['errorIfNonfinite'];
    params = given['params'];
  }
  if (typeof normType !== 'number') {
    throw typeError(
      owner,
      `${where}: option normType must be a number (2, 1, Infinity or any p > 0), got ${describe(normType)}`,
    );
  }
  if (!(normType > 0)) {
    throw rangeError(
      owner,
      `${where}: option normType must be a number > 0 (2, 1, Infinity or any p), got ${describe(normType)}`,
    );
  }
  if (typeof errorIfNonfinite !== 'boolean') {
    throw typeError(owner, `${where}: option errorIfNonfinite must be a boolean, got ${describe(errorIfNonfinite)}`);
  }
  into.maxNorm = maxNorm;
  into.normType = normType;
  into.errorIfNonfinite = errorIfNonfinite;
  into.params = params as readonly P[] | undefined;
}

const CLIP_NORM_KEYS = ['normType', 'errorIfNonfinite', 'params'];
/** gradNorm's options: clipGradNorm's but errorIfNonfinite (it clips nothing). */
export const GRAD_NORM_KEYS = ['normType', 'params'];

/**
 * PyTorch 1.13's clip_grad_norm_ coefficient in float32: `max_norm / (total_norm + 1e-6)`, where
 * Tensor.__rtruediv__ is `reciprocal() * other` (so a reciprocal, then a product, each rounded to
 * float32, the Python float 1e-6 and max_norm taken as float32 by the tensor ops), clamped to at
 * most 1 (`torch.clamp(max=1.0)`, which keeps NaN).
 */
export function clipCoefficient(totalNorm: number, maxNorm: number): number {
  const fround = Math.fround;
  const denominator = fround(totalNorm + fround(1e-6));
  const coef = fround(fround(1 / denominator) * fround(maxNorm));
  return Math.min(coef, 1); // NaN stays NaN, as torch.clamp keeps it
}

/**
 * A p-norm for p other than 1, 2, ∞, from a float32 view, as PyTorch 1.13's one-thread CPU
 * reduction: b = fl(b + powf(|x|, fl(p))) in index order, then powf(b, fl(1 / fl(p))), where
 * powf(x, y) = fl(x^y) from Math.pow in float64 (glibc's powf gave the same bits on every
 * reference case). JavaScript for every backend, so all give the same bits; sequential, like the
 * L1 norm (test/fixtures/clip/README.md).
 */
export function generalNorm(f32: Float32Array, ptr: number, n: number, p: number, div = 1, mul = 1): number {
  const fround = Math.fround;
  const base = ptr >>> 2;
  const p32 = fround(p);
  let b = 0;
  // Under a pending scaling, of the values it will leave (as scaleGrad computes them).
  for (let i = base; i < base + n; i++) b = fround(b + fround(Math.abs(scaled(f32[i]!, div, mul)) ** p32));
  return fround(b ** fround(1 / p32));
}

/** Elements per tile of a scaled step: 16 KiB of each stream, so the kernel reads the gradient from L1/L2. */
export const SCALE_TILE = 4096;

/**
 * Runs `kernel` over record `rec` (in `table` memory) with its gradient first scaled in place,
 * x ← fl(fl(x / div) · mul), tile by tile: each tile of SCALE_TILE elements is scaled, then
 * stepped through a copy of the record at `tileRec` whose pointers are moved to the tile (the
 * first `stateWords` state words; a 0 pointer is a buffer never read and stays 0). The kernels
 * are elementwise, so stepping tiles is stepping the whole tensor.
 */
export function stepScaled(
  memory: { readonly u32: Uint32Array },
  ops: GradOps,
  kernel: Kernel,
  rec: number,
  tileRec: number,
  stateWords: number,
  div: number,
  mul: number,
): void {
  const words = RECORD_BYTES >>> 2;
  const from = rec >>> 2;
  const to = tileRec >>> 2;
  const n = memory.u32[from + REC_COUNT]!;
  for (let start = 0; start < n; start += SCALE_TILE) {
    const w = memory.u32;
    w.copyWithin(to, from, from + words);
    const offset = start * 4;
    const len = Math.min(SCALE_TILE, n - start);
    w[to + REC_PARAM] = w[from + REC_PARAM]! + offset;
    w[to + REC_GRAD] = w[from + REC_GRAD]! + offset;
    for (let s = 0; s < stateWords; s++) {
      const pointer = w[from + REC_STATE0 + s]!;
      if (pointer !== 0) w[to + REC_STATE0 + s] = pointer + offset;
    }
    w[to + REC_COUNT] = len;
    ops.scaleGrad(w[to + REC_GRAD]!, len, div, mul);
    kernel(tileRec, 1);
  }
}

export { NORM_INF, NORM_L1, NORM_L2 };
