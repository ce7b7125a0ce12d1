// What the fuzzer needs to know about one algorithm beyond what the optimizer itself tells it
// (its option names, per-flavor defaults and which options a flavor does not support are read
// from the registry's class at run time): each option's valid domain with its edge values,
// cross-option rules, and the float64 oracle's update rule, written from the formulas of
// test/fixtures/golden/README.md. One file per algorithm in tools/fuzz/algorithms/.
import type { Flavor } from '#lib/spec.js';
import type { Arith, B } from './bounded.js';
import type { Random } from './random.js';

export type Options = Record<string, unknown>;

/**
 * A numeric option: valid when min ≤ x (≤ max), NaN never valid. The bounds are the algorithm's
 * own (its spec's option rule, src/spec.ts): info.ts fills them in, so a description declares
 * only the values worth trying.
 */
export interface NumberDomain {
  readonly kind: 'number';
  /** Lower limit, from the spec's rule. */
  readonly min?: number;
  /** Upper limit, if any (inclusive unless maxExclusive), from the spec's rule. */
  readonly max?: number;
  readonly maxExclusive?: boolean;
  /** Valid values worth hitting on purpose: the domain's edges and common settings. */
  readonly edges: readonly number[];
  /** An ordinary random value. */
  typical(r: Random): number;
}

export interface BooleanDomain {
  readonly kind: 'boolean';
}

/** Anything else (e.g. Adam's `betas` pair): valid values by example. */
export interface CustomDomain {
  readonly kind: 'custom';
  readonly edges: readonly unknown[];
  typical(r: Random): unknown;
  /**
   * Values that must be rejected with a TypeError or RangeError. For a pair, info.ts derives
   * them from the spec's rule (each bound crossed, NaN, wrong shapes and types).
   */
  readonly invalid?: readonly unknown[];
}

export type Domain = NumberDomain | BooleanDomain | CustomDomain;

/** One element's step as the oracle sees it: exact float32 inputs, the options in force. */
export interface ElementInput {
  readonly param: B;
  readonly grad: B;
  /** State before the step, by the library's buffer name; undefined = the buffer does not exist yet. */
  readonly state: Readonly<Record<string, B | undefined>>;
  /** The per-tensor scalars of this step (from `scalars`), already cast to float32. */
  readonly s: Readonly<Record<string, B>>;
  readonly o: Readonly<Options>;
  /** 1-based step count of this tensor. */
  readonly t: number;
}

export interface ElementOutput {
  readonly param: B;
  readonly state: Readonly<Record<string, B>>;
}

/** The float64 oracle of one flavor. */
export interface OracleRule {
  /**
   * The state buffers kept for these options (state-dict names) and the value a fresh buffer
   * starts with; `null` = created from the first gradient (the update sees `undefined`).
   */
  buffers(o: Readonly<Options>): Readonly<Record<string, number | null>>;
  /**
   * Per tensor and step: the float64 scalars the formula uses as float32 tensor scalars (an
   * option, `1 − alpha`, `lr / (1 + (t − 1)·lrDecay)`, …); each is cast to float32 once.
   * A value given as a B is used as is (e.g. a float32 running product with its error bound).
   * `memo` is this tensor's own scratch record, kept across its steps (running products).
   */
  scalars(
    o: Readonly<Options>,
    t: number,
    A: Arith,
    memo: Record<string, number>,
  ): Readonly<Record<string, number | B>>;
  /** The update of one element. */
  update(x: ElementInput, A: Arith): ElementOutput;
  /** Other names the library may use for a buffer (tfjs-style names). */
  readonly aliases?: Readonly<Record<string, readonly string[]>>;
}

export interface AlgorithmDescription {
  /** The registry name (src/registry.ts OPTIMIZERS). */
  readonly algorithm: string;
  readonly options: Readonly<Record<string, Domain>>;
  /** Cross-option rules beyond each option's own domain (e.g. SGD torch: nesterov needs momentum > 0, dampening 0). */
  valid?(o: Readonly<Options>, flavor: Flavor): boolean;
  /** Option overrides that break `valid`, per flavor (for bad-input cases). */
  readonly invalidCombos?: Readonly<Partial<Record<Flavor, readonly Options[]>>>;
  /**
   * The state dict must show every buffer the oracle keeps, by its PyTorch name (documented for
   * this algorithm); otherwise buffers are matched by name (or alias) where both know them.
   */
  readonly strictStateNames?: boolean;
  /**
   * Buffers a loaded state entry may leave out even when its options keep them, per flavor
   * (PyTorch SGD's momentum buffer may be None). Otherwise an entry must hold every one of the
   * buffers the oracle rule's `buffers(options)` names, and may hold the others (info.ts requiredState).
   */
  readonly optionalState?: Readonly<Partial<Record<Flavor, readonly string[]>>>;
  readonly oracle: Partial<Record<Flavor, OracleRule>>;
  /**
   * The rule of a row-sparse step, per flavor, where the framework's sparse arithmetic differs
   * from its dense one (PyTorch's sparse Adagrad); otherwise a sparse step applies `oracle`'s
   * rule to the listed rows (lazy semantics). Either way the other rows must not change.
   */
  readonly sparseOracle?: Partial<Record<Flavor, OracleRule>>;
}

// ---------------------------------------------------------------- domain helpers

/** A number (≥ 0 by its rule) with edges and a log-uniform typical value in [10^lo, 10^hi]. */
export function nonNegative(edges: readonly number[], lo: number, hi: number): NumberDomain {
  return { kind: 'number', edges, typical: (r) => r.logUniform(lo, hi) };
}

/** A number (in [0, 1] by its rule) with edges and a typical value near the usual settings. */
export function unitInterval(edges: readonly number[]): NumberDomain {
  return { kind: 'number', edges, typical: (r) => (r.chance(0.5) ? 1 - r.logUniform(-6, -0.3) : r.float()) };
}

export const BOOLEAN: BooleanDomain = { kind: 'boolean' };

/** Learning rate: 0, tiny, huge, beyond float32, Infinity (all valid: PyTorch only asks lr ≥ 0). */
export const LR: NumberDomain = nonNegative([0, 1e-45, 1e-30, 1e-8, 1, 10, 1e3, 1e10, 3e38, 1e39, Infinity], -5, 0);
/** eps: 0 included, and large values. */
export const EPS: NumberDomain = nonNegative([0, 1e-45, 1e-38, 1e-10, 1e-8, 1e-7, 1e-6, 1e-3, 1, 1e10], -12, -2);
/** L2 penalty. */
export const WEIGHT_DECAY: NumberDomain = nonNegative([0, 1e-45, 1e-4, 0.1, 1, 100, 1e20], -6, 0);

/** Adam's and Adamax's `betas`: a pair in [0, 1). */
export const BETAS: CustomDomain = {
  kind: 'custom',
  edges: [
    [0.9, 0.999],
    [0, 0],
    [0, 0.999],
    [0.9, 0],
    [0.5, 0.9],
    [0.999999, 0.999999],
    [0.8, 0.99],
  ],
  typical: (r) => [1 - r.logUniform(-3, -0.3), 1 - r.logUniform(-4, -0.5)],
};

/**
 * TF.js's accBeta as this step uses it: it starts at β and is multiplied by β after every step
 * (β^t while β is fixed; after a change of betas, the product of the betas actually in force).
 * At most t roundings: relative error ≤ t·u (plus t·η once it is subnormal).
 */
export function runningProduct(memo: Record<string, number>, key: string, beta: number, t: number, A: Arith): B {
  const used = memo[key] ?? Math.fround(beta);
  memo[key] = used * Math.fround(beta);
  return A.approx(used, 1.01 * t * 2 ** -24 * used + t * 2 ** -150, true);
}
