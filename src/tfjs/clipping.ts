// Keras's gradient clipping (clipvalue, clipnorm, global_clipnorm) for the wasm-optim/tfjs
// optimizers, run on the Float32Arrays read from the gradient tensors. Each formula is TF's
// clip_ops (the source Keras 2 and 3 call), evaluated exactly as the composition of tfjs-core ops
// does on the cpu backend: every op's result is stored as float32, but tf.sum adds in float64
// (a JS number) before storing. Plain loops instead of tf ops: the same bits, without
// allocating a dozen tensors per gradient (measured in test/tfjs/clipping.test.ts).
import { describe } from '../errors.js';

/**
 * Keras's clipping options, as named by `tf.keras.optimizers.*` (`global_clipnorm` in camelCase),
 * applied to the gradients of each applyGradients call before the update. The arithmetic is that
 * of TF's formulas composed of tfjs-core ops on the cpu backend, whichever TF.js backend runs (on
 * tfjs-backend-wasm the same ops sum in float32, so its own composition differs in the last bits).
 */
export interface ClipSettings {
  /**
   * Clip each gradient by itself to this L2 norm (Keras `clipnorm`, `tf.clip_by_norm`):
   * `g · c / max(‖g‖₂, c)`. A number > 0; at most one of clipnorm and globalClipnorm.
   */
  clipnorm?: number;
  /** Clamp each gradient element to [−v, v] (Keras `clipvalue`, `tf.clip_by_value`). A number > 0. */
  clipvalue?: number;
  /**
   * Scale all the gradients of an applyGradients call together so that their joint L2 norm is
   * at most this (Keras `global_clipnorm`, `tf.clip_by_global_norm`). A number > 0.
   */
  globalClipnorm?: number;
}

/** The clipping of one optimizer, read once from its settings: float32 values, null when off. */
export interface Clipping {
  /** As given (getConfig shows these). */
  readonly given: Readonly<ClipSettings>;
  readonly value: number | null;
  readonly norm: number | null;
  readonly globalNorm: number | null;
}

const KEYS = ['clipvalue', 'clipnorm', 'globalClipnorm'] as const;

/**
 * The clipping options of `settings`, each read once and checked (a finite number > 0; not both
 * clipnorm and globalClipnorm, which Keras also refuses); null when none is given.
 */
export function readClipping(owner: string, settings: object | undefined): Clipping | null {
  const given: ClipSettings = {};
  for (const key of KEYS) {
    const value = (settings as Record<string, unknown> | undefined)?.[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || !(value > 0)) {
      throw new RangeError(
        `${owner}: settings.${key} must be a finite number > 0 (leave it out to not clip), got ${describe(value)}`,
      );
    }
    // Below the smallest float32 it would be 0 in TF.js's float32 arithmetic (divisions by 0).
    if (Math.fround(value) === 0) {
      throw new RangeError(`${owner}: settings.${key} is ${value}, which is 0 as a float32; use a larger value`);
    }
    given[key] = value;
  }
  if (given.clipnorm !== undefined && given.globalClipnorm !== undefined) {
    throw new TypeError(
      `${owner}: settings.clipnorm and settings.globalClipnorm cannot both be set ` +
        `(got clipnorm ${given.clipnorm}, globalClipnorm ${given.globalClipnorm}); choose one, as in Keras`,
    );
  }
  if (Object.keys(given).length === 0) return null;
  const f32 = (v: number | undefined): number | null => (v === undefined ? null : Math.fround(v));
  return {
    given: Object.freeze(given),
    value: f32(given.clipvalue),
    norm: f32(given.clipnorm),
    globalNorm: f32(given.globalClipnorm),
  };
}

/**
 * The gradients clipped, in TF 2.x Keras's order: by value, then by norm or global norm (Keras 3
 * allows only one option; with one the order does not matter). Null entries (no gradient) stay
 * null and take no part in the global norm. The given arrays are never written: a clipped
 * gradient is a new array.
 */
export function clipGradients(clipping: Clipping, grads: readonly (Float32Array | null)[]): (Float32Array | null)[] {
  let out = grads.slice();
  if (clipping.value !== null) out = out.map((g) => (g === null ? null : clipByValue(g, clipping.value!)));
  if (clipping.norm !== null) {
    // Owned: the array clipByValue made may be scaled in place; an input array may not.
    out = out.map((g, i) => (g === null ? null : clipByNorm(g, clipping.norm!, g !== grads[i])));
  }
  if (clipping.globalNorm !== null) out = clipByGlobalNorm(out, clipping.globalNorm, grads);
  return out;
}

/**
 * tf.clipByValue(g, −v, v) on the cpu backend: an element above v becomes v, below −v becomes −v
 * (`v` is float32 here; comparing with the float64 v TF.js gets gives the same results); NaN and
 * −0 pass unchanged.
 */
function clipByValue(g: Float32Array, v: number): Float32Array {
  const out = new Float32Array(g.length);
  const low = -v;
  for (let i = 0; i < g.length; i++) {
    const x = g[i]!;
    // biome-ignore lint/complexity/useMathMinMax: the kernel's own comparisons, so NaN and −0 visibly pass
    out[i] = x > v ? v : x < low ? low : x;
  }
  return out;
}

/** tf.sum(tf.square(g)) on the cpu backend: float32 squares added in float64, stored as float32. */
function squaredSum(g: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < g.length; i++) {
    const x = g[i]!;
    sum += Math.fround(x * x);
  }
  return Math.fround(sum);
}

/**
 * tf.clip_by_norm(g, c) as tfjs-core ops: l2sum = sum(square(g)); l2norm = l2sum > 0 ?
 * sqrt(l2sum) : l2sum; (g·c) / maximum(l2norm, c), each op rounded to float32. Always computed
 * (g·c/c is not always g). A NaN l2sum makes every element NaN; an infinite one, 0 (NaN where g is ±∞).
 */
function clipByNorm(g: Float32Array, c: number, owned: boolean): Float32Array {
  const l2sum = squaredSum(g);
  const l2norm = l2sum > 0 ? Math.fround(Math.sqrt(l2sum)) : l2sum;
  const divisor = Math.max(l2norm, c); // Math.max, as tf.maximum: NaN if l2norm is NaN
  const out = owned ? g : new Float32Array(g.length);
  for (let i = 0; i < g.length; i++) out[i] = Math.fround(g[i]! * c) / divisor;
  return out;
}

/**
 * tf.clip_by_global_norm(grads, c) as tfjs-core ops, in TF's order: norm = sqrt(sum(stack(each
 * sum(square(g))))); scale = c·minimum(1/norm, 1/c) + (norm − norm), the last term making the
 * scale NaN when the norm is ±∞ or NaN (TF's way of flagging it); each g·scale. `inputs`: the
 * caller's arrays, never written.
 */
function clipByGlobalNorm(
  grads: readonly (Float32Array | null)[],
  c: number,
  inputs: readonly (Float32Array | null)[],
): (Float32Array | null)[] {
  let total = 0; // tf.sum over the stacked float32 squared sums: float64, then stored
  for (const g of grads) if (g !== null) total += squaredSum(g);
  const norm = Math.fround(Math.sqrt(Math.fround(total)));
  const forFinite = Math.fround(c * Math.min(Math.fround(1 / norm), Math.fround(1 / c)));
  const scale = Math.fround(forFinite + Math.fround(norm - norm));
  return grads.map((g, k) => {
    if (g === null) return null;
    const out = g === inputs[k] ? new Float32Array(g.length) : g;
    for (let i = 0; i < g.length; i++) out[i] = g[i]! * scale;
    return out;
  });
}

/** The clipping options of a getConfig() dict, for fromConfig (absent ones stay absent). */
export function clipSettingsOf(config: Readonly<Record<string, unknown>>): ClipSettings {
  const settings: Record<string, unknown> = {};
  for (const key of KEYS) if (config[key] !== undefined) settings[key] = config[key];
  return settings as ClipSettings;
}
