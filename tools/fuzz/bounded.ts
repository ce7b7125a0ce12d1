// The independent oracle's arithmetic: each value is computed in float64 together with a
// rigorous bound on how far a float32 evaluation of the same formula (the same operations,
// each rounded to float32 once; `fma` rounded once as PyTorch's CPU kernels do) can be from it.
//
//   z = x ∘ y computed in float64 from the float64 values; the float32 result lies within
//   e_z = propagated(e_x, e_y) + u·(|z| + propagated) + η       (u = 2^-24, η = 2^-150)
//
// propagated: add e_x + e_y; mul |x|e_y + |y|e_x + e_x·e_y; div (e_x + |z|e_y)/(|y| − e_y);
// sqrt min(e_x/√x, √e_x). η is the absolute rounding error in the subnormal range. Special
// values are tracked exactly where IEEE 754 decides them (NaN in → NaN out; ∞ − ∞; 0·∞; a
// certain overflow), and a value whose float32 fate cannot be decided from the bound (it may
// overflow, a divisor may be zero, a root's argument may be negative) becomes UNKNOWN and is
// not compared. A value is
//   finite v, finite e  the float32 result is finite and within e of v,
//   ±Infinity or NaN, e = 0  the float32 result is exactly that (NaN: any payload),
//   e = NaN  unknown.
// `nn` marks values whose float32 result cannot be negative (squares, roots, sums of such).

/** Unit roundoff of float32 round-to-nearest. */
export const U = 2 ** -24;
/** Half the smallest float32 subnormal: the rounding error bound in the subnormal range. */
export const ETA = 2 ** -150;
/** float32 overflow threshold: exact results at or above it round to ±Infinity. */
export const OVF = (2 ** 25 - 1) * 2 ** 103;
/** Slack for the float64 evaluation of values and bounds themselves. */
const REL64 = 2 ** -50;

export class B {
  constructor(
    /** The float64 value. */
    readonly v: number,
    /** Bound on |float32 result − v|; 0 = exact; NaN = unknown. */
    readonly e: number,
    /** The float32 result cannot be negative (below −0). */
    readonly nn: boolean,
  ) {}

  get unknown(): boolean {
    return this.e !== this.e;
  }

  /** Finite with a finite bound. */
  get finite(): boolean {
    return this.e === this.e && this.v - this.v === 0;
  }

  get exact(): boolean {
    return this.e === 0;
  }

  /** The float32 result certainly is not zero (and has v's sign). */
  get nonzero(): boolean {
    return this.finite ? Math.abs(this.v) > this.e : this.e === 0 && this.v === this.v;
  }
}

export const UNKNOWN = new B(NaN, NaN, false);
const NAN = new B(NaN, 0, false);

/** An exact float32 input (a gradient, a parameter, a state value read from the library). */
export function exact(x: number): B {
  const f = Math.fround(x);
  return new B(f, 0, f >= 0 || f === Infinity);
}

/**
 * A float64 number used as a float32 scalar (an option, `1 − alpha`, `lr / bc1`): cast once.
 * Exact if representable.
 */
export function cast(x: number): B {
  if (x !== x) return NAN;
  if (x === Infinity || x === -Infinity) return new B(x, 0, x > 0);
  const f = Math.fround(x);
  if (f === x) return new B(x, 0, x >= 0);
  return finish(x, 0, x >= 0, false);
}

/** A result known only approximately: value v with an extra absolute error `extra` (e.g. a product of t factors). */
export function approx(v: number, extra: number, nn: boolean): B {
  return finish(v, extra, nn, false);
}

/**
 * The float32 rounding of a float64 result z whose float32 operands were off by at most
 * `prop`. `exactInputs`: the operands were exact, so a float32-representable z is exact.
 */
function finish(z: number, prop: number, nn: boolean, exactInputs: boolean): B {
  if (z !== z) return UNKNOWN; // NaN from finite inputs only through an undecided case
  const az = Math.abs(z);
  if (exactInputs && Math.fround(z) === z && az < Infinity) return new B(z, 0, nn || z >= 0);
  const p = prop + REL64 * az;
  if (!(az + p < OVF)) {
    // The float32 operation may overflow: decided only if it certainly does.
    if (az - p >= OVF && az - p < Infinity) return new B(z > 0 ? Infinity : -Infinity, 0, z > 0);
    if (az === Infinity && p === 0) return new B(z, 0, z > 0);
    return UNKNOWN;
  }
  const e = (p + U * (az + p) + ETA) * (1 + REL64);
  return new B(z, e, nn);
}

const isNaN_ = (x: B): boolean => x.e === 0 && x.v !== x.v;
const isInf = (x: B): boolean => x.e === 0 && (x.v === Infinity || x.v === -Infinity);
/** An exact zero (its sign known). */
const isZero = (x: B): boolean => x.e === 0 && x.v === 0;

export function neg(x: B): B {
  if (x.unknown) return UNKNOWN;
  return new B(-x.v, x.e, x.v !== x.v ? false : x.e === 0 && x.v <= 0 && !Object.is(x.v, 0));
}

/** |x|, exact: ||a| − |v|| ≤ |a − v| ≤ e, so the bound carries over and the result is non-negative. */
export function abs(x: B): B {
  if (isNaN_(x)) return NAN;
  if (x.unknown) return UNKNOWN;
  return new B(Math.abs(x.v), x.e, true);
}

export function add(x: B, y: B): B {
  if (isNaN_(x) || isNaN_(y)) return NAN;
  if (x.unknown || y.unknown) return UNKNOWN;
  const xi = isInf(x),
    yi = isInf(y);
  if (xi || yi) {
    if (xi && yi) return x.v === y.v ? x : NAN;
    return xi ? x : y; // ∞ + finite (a finite float32 operand cannot be ∞)
  }
  const z = x.v + y.v;
  return finish(z, x.e + y.e, x.nn && y.nn, x.e === 0 && y.e === 0);
}

export function sub(x: B, y: B): B {
  return add(x, neg(y));
}

export function mul(x: B, y: B): B {
  if (isNaN_(x) || isNaN_(y)) return NAN;
  if (x.unknown || y.unknown) return UNKNOWN;
  const square = x === y;
  const xi = isInf(x),
    yi = isInf(y);
  if (xi || yi) {
    const other = xi ? y : x;
    const inf = xi ? x : y;
    if (isZero(other)) return NAN;
    if (!other.nonzero) return UNKNOWN;
    const positive = inf.v > 0 === other.v > 0;
    return new B(positive ? Infinity : -Infinity, 0, positive);
  }
  const z = x.v * y.v;
  const prop = Math.abs(x.v) * y.e + Math.abs(y.v) * x.e + x.e * y.e;
  return finish(z, prop, square || (x.nn && y.nn), x.e === 0 && y.e === 0);
}

export function div(x: B, y: B): B {
  if (isNaN_(x) || isNaN_(y)) return NAN;
  if (x.unknown || y.unknown) return UNKNOWN;
  const xi = isInf(x),
    yi = isInf(y);
  if (xi && yi) return NAN;
  if (yi) {
    // finite / ∞ = ±0: exact when the numerator's sign is known, else a zero of either sign.
    if (x.exact || x.nonzero) {
      const negative = (x.v < 0 || Object.is(x.v, -0)) !== y.v < 0;
      return new B(negative ? -0 : 0, 0, !negative);
    }
    return new B(0, ETA, false);
  }
  if (xi) {
    if (y.nonzero || isZero(y)) {
      const negative = x.v < 0 !== (y.v < 0 || Object.is(y.v, -0));
      return new B(negative ? -Infinity : Infinity, 0, !negative);
    }
    return UNKNOWN;
  }
  if (isZero(y)) {
    if (isZero(x)) return NAN;
    if (x.nonzero) {
      const negative = x.v < 0 !== Object.is(y.v, -0);
      return new B(negative ? -Infinity : Infinity, 0, !negative);
    }
    return UNKNOWN;
  }
  if (!(Math.abs(y.v) > y.e)) return UNKNOWN; // the divisor may be zero
  const z = x.v / y.v;
  const prop = (x.e + Math.abs(z) * y.e) / (Math.abs(y.v) - y.e);
  return finish(z, prop, x.nn && y.nn, x.e === 0 && y.e === 0);
}

export function sqrt(x: B): B {
  if (isNaN_(x)) return NAN;
  if (x.unknown) return UNKNOWN;
  if (isInf(x)) return x.v > 0 ? x : NAN;
  if (x.exact) {
    if (x.v < 0) return NAN;
    return finish(Math.sqrt(x.v), 0, true, true);
  }
  if (x.v - x.e < 0 && !x.nn) {
    return x.v + x.e < 0 ? NAN : UNKNOWN; // certainly negative, or undecided
  }
  const v = Math.max(x.v, 0);
  const z = Math.sqrt(v);
  const prop = z > 0 ? Math.min(x.e / z, Math.sqrt(x.e)) : Math.sqrt(x.e);
  return finish(z, prop, true, false);
}

/**
 * a·b + c rounded once (PyTorch's fused multiply-add): the product itself never overflows or
 * rounds, which decides specials differently from mul then add (e.g. −m·m + v with m² > FLT_MAX).
 */
export function fma(a: B, b: B, c: B): B {
  if (isNaN_(a) || isNaN_(b) || isNaN_(c)) return NAN;
  if (a.unknown || b.unknown || c.unknown) return UNKNOWN;
  if (isInf(a) || isInf(b)) return add(mul(a, b), c); // an infinite factor: as unfused
  const product = a.v * b.v;
  if (isInf(c)) return c; // finite exact product + ∞
  const z = product + c.v;
  const prop = Math.abs(a.v) * b.e + Math.abs(b.v) * a.e + a.e * b.e + c.e;
  return finish(z, prop, (a === b || (a.nn && b.nn)) && c.nn, a.e === 0 && b.e === 0 && c.e === 0);
}

/** max as torch.maximum / Math.max: NaN if either is NaN. */
export function max(x: B, y: B): B {
  if (isNaN_(x) || isNaN_(y)) return NAN;
  if (x.unknown || y.unknown) return UNKNOWN;
  if (x.v === Infinity || y.v === Infinity) return new B(Infinity, 0, true);
  if (x.v === -Infinity) return y;
  if (y.v === -Infinity) return x;
  if (x.exact && y.exact) return x.v > y.v || (x.v === y.v && !Object.is(x.v, -0)) ? x : y;
  return new B(Math.max(x.v, y.v), Math.max(x.e, y.e), x.nn || y.nn);
}

/** The arithmetic an oracle rule is written with. */
export interface Arith {
  readonly add: typeof add;
  readonly sub: typeof sub;
  readonly mul: typeof mul;
  readonly div: typeof div;
  readonly sqrt: typeof sqrt;
  readonly neg: typeof neg;
  readonly abs: typeof abs;
  readonly max: typeof max;
  readonly fma: typeof fma;
  /** A float64 number used as a float32 scalar. */
  readonly c: typeof cast;
  readonly approx: typeof approx;
}

export const ARITH: Arith = { add, sub, mul, div, sqrt, neg, abs, max, fma, c: cast, approx };
