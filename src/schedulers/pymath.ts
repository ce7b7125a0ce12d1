// Python's float semantics where they differ from JavaScript's operators, as PyTorch 1.13's
// lr_scheduler.py uses them: `//` and `%` on numbers, bisect.bisect_right, min/max, and
// `int ** int`. Transcendental functions come from src/math (glibc's cos, pow and log).

/**
 * Python's `a % b` on floats (CPython float_rem): fmod, then shifted to the divisor's sign.
 * On integers (within 2^53) it equals Python's exact `int % int`.
 */
export function pyMod(a: number, b: number): number {
  let mod = a % b;
  if (mod !== 0) {
    if (b < 0 !== mod < 0) mod += b;
  } else {
    mod = b < 0 ? -0 : 0;
  }
  return mod;
}

/**
 * Python's `a // b` on floats (CPython float_floor_div, via float_divmod). On integers (within
 * 2^53) it equals Python's exact `int // int`.
 */
export function pyFloorDiv(a: number, b: number): number {
  const mod = a % b;
  let div = (a - mod) / b;
  if (mod !== 0 && b < 0 !== mod < 0) div -= 1;
  if (div !== 0) {
    let floordiv = Math.floor(div);
    if (div - floordiv > 0.5) floordiv += 1;
    return floordiv;
  }
  return a / b < 0 || Object.is(a / b, -0) ? -0 : 0;
}

/** Python's `bisect.bisect_right(sorted, x)`: the index after the last element ≤ x. */
export function bisectRight(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x < sorted[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Python's `max(a, b)`: `a` unless `b > a` (so a NaN first argument wins). */
export function pyMax(a: number, b: number): number {
  // biome-ignore lint/complexity/useMathMinMax: Math.max differs on NaN and ±0; this is Python's max.
  return b > a ? b : a;
}

/** Python's `min(a, b)`: `a` unless `b < a`. */
export function pyMin(a: number, b: number): number {
  // biome-ignore lint/complexity/useMathMinMax: Math.min differs on NaN and ±0; this is Python's min.
  return b < a ? b : a;
}

/**
 * Python's `int ** int` for a non-negative exponent: exact while the result stays below 2^53
 * (repeated multiplication of integers), as Python's arbitrary-precision integers are.
 */
export function intPow(base: number, exponent: number): number {
  let result = 1;
  for (let i = 0; i < exponent; i++) result *= base;
  return result;
}
