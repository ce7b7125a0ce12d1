/**
 * TF.js's float32 running product of a decay rate, `steps` multiplications past β, without
 * doing the multiplications one by one.
 *
 * The loop this reproduces bit for bit (β a float32):
 *
 * ```text
 * a ← β;  repeat `steps` times: a ← fround(a · β)
 * ```
 *
 * Why the loop is a rounding of the exact product: a and β are float32 (24-bit significands),
 * so a·β has at most 48 significant bits and is ≥ 2^-298 when nonzero — exact in float64 — and
 * `Math.fround` rounds that exact value once, to nearest, ties to even.
 *
 * ## Fixed point
 *
 * For 0 ≤ β ≤ 1, a·β ≤ a, and rounding to nearest is monotone and keeps float32 values, so
 * fround(a·β) ≤ a: the sequence never increases. Once one step leaves a unchanged, every later
 * step does too, so the answer is that value for any larger `steps`. A strictly decreasing run
 * through the finite float32 set is finite, but can be long: β = 1 − 2^-24 walks down through
 * every float32 in [2^-126, β] one at a time, about 1.05e9 steps — too many to loop, hence:
 *
 * ## Jumps over runs of constant decrement (β ≥ 1/2)
 *
 * Call a "range" a stretch of float32 values with one spacing u: a normal binade [2^E, 2^(E+1))
 * with u = 2^(E−23), or — since subnormals and the lowest binade share u = 2^-149 — the whole of
 * [0, 2^-125). Write a = m·u (m a whole number < 2^24) and β = B·2^-24 (for β ≥ 1/2, B is a whole
 * number in [2^23, 2^24]); let C = 2^24 − B, so 1 − β = C·2^-24. Then, exactly,
 *
 * ```text
 * a·β = (m − x)·u,   x = m·C / 2^24.
 * ```
 *
 * If the product does not leave the range (always so in [0, 2^-125); in a binade, iff
 * a·β ≥ 2^E ⟺ m·B ≥ 2^47), the float32 values around it are the integer multiples of u, so
 * fround(a·β) = rne(m − x)·u. Let d be the integer nearest x. If x is not half-way between two
 * integers (a tie), then |x − d| < 1/2, so m − d is the unique integer within 1/2 of m − x and
 * fround(a·β) = (m − d)·u: the step lowers m by exactly d. (d = 0 means a fixed point.)
 *
 * Repeating with the same d: m_i = m − i·d, and x_i = m_i·C/2^24 only decreases (d ≥ 1), so it
 * stays below d + 1/2; step i keeps the decrement d, landing exactly on m_i − d, as long as its
 * input m_i satisfies
 *
 * ```text
 * (1) x_i > d − 1/2      ⟺ m_i·C > (2d − 1)·2^23   ⟺ m_i ≥ ⌊(2d − 1)·2^23 / C⌋ + 1
 * (2) (binade only) m_i·B ≥ 2^47                    ⟺ m_i ≥ ⌈2^47 / B⌉
 * ```
 *
 * Both are lower bounds on m_i, so with L the larger of them, all of the inputs m_0 … m_(k−1)
 * qualify iff m − (k−1)·d ≥ L: k = ⌊(m − L)/d⌋ + 1 steps land on (m − k·d)·u, in O(1). The
 * current m itself qualifies (it is not a tie and it rounds to d), so k ≥ 1. Every quantity is
 * an integer below 2^48 (d ≤ x + 1/2 ≤ 2^23, C ≤ 2^23), exact in float64; the two divisions
 * are made exact as noted at them.
 *
 * A tie (x half-way between integers: parity decides), a product that drops into the binade
 * below, and β < 1/2 (where a at least halves each step and reaches 0 within 150 steps) all go
 * by one plain `fround` step, the loop's own definition.
 *
 * ## Bound
 *
 * Within one range, each pass of the inner loop consumes a whole run of constant d (a jump to
 * its end, or one step if it is one step long); d only decreases there, between about
 * 2^23·(1 − β) and 2^24·(1 − β), and a pass takes at least one step, so a range costs at most
 * about min(2^23·(1 − β) + 2, ln 2/(1 − β) + 2) passes, plus a single step per tie (one per run
 * at most) and one to leave. There are at most 127 ranges below 1 (126 binades and the
 * subnormal one), so the work is bounded whatever `steps` is: ≲ 127·2·2400 ≈ 6e5 passes at
 * worst, and measured over 1 − β = k·2^-24 for all k in 2000 … 12000 plus a sweep of all
 * β ≥ 1/2, at most 2.81e5 (1 − β ≈ 2^-11.8): a few milliseconds, at ~10 plain loop steps of
 * time a pass. The defaults take ~1.1e3 passes (β = 0.9) and ~9.1e4 (β = 0.999), 0.9999
 * ~1.07e5; β = 1 − 2^-24, which makes the longest sequence (~1.05e9 steps), ~380.
 *
 * Negative β (only −0 can reach here from an optimizer: it passes the `≥ 0` check) is the same
 * sequence with the sign (−1)^(t+1), because rounding to nearest is symmetric: −0, +0, −0, … for
 * β = −0.
 *
 * @param beta a float32 value with |β| ≤ 1 (an optimizer's `Math.fround(betas[k])`)
 * @param steps multiplications after the initial `a = β`, a whole number. Past 2^31 every count
 *   gives the fixed point (fewer float32 values lie below 1), so counts above 2^53 are fine too
 *   (and even, for the sign of a negative β).
 * @returns the loop's final `a`, bit for bit
 */
export function runningProductF32(beta: number, steps: number): number {
  if (!(Math.abs(beta) <= 1) || Math.fround(beta) !== beta) {
    throw new RangeError(`runningProductF32: beta must be a float32 value in [-1, 1], got ${beta}`);
  }
  if (!Number.isInteger(steps) || steps < 0) {
    throw new RangeError(`runningProductF32: steps must be a whole number ≥ 0, got ${steps}`);
  }
  for (let i = 0; i < 2; i++) {
    if (Object.is(recentBeta[i], beta) && recentSteps[i] === steps) return recentValue[i]!;
  }
  let value: number;
  if (beta < 0 || Object.is(beta, -0)) {
    const magnitude = nonNegativeRunningProduct(-beta, steps);
    value = steps % 2 === 0 ? -magnitude : magnitude; // a_t carries the sign of β^(t+1)
  } else {
    value = nonNegativeRunningProduct(beta, steps);
  }
  recentBeta[recentNext] = beta;
  recentSteps[recentNext] = steps;
  recentValue[recentNext] = value;
  recentNext ^= 1;
  return value;
}

/**
 * The same loop from another float32 starting value: `a ← start; repeat steps times: a ←
 * fround(a · β)` (NAdam's mu_product once its factor has settled on fl(β1)). Everything above
 * holds for any start in [0, 1]: the jumps read m and u off the current a, whatever it is.
 *
 * @param start a float32 value in [0, 1]
 * @param beta a float32 value in [0, 1]
 * @param steps multiplications, a whole number
 */
export function runningProductF32From(start: number, beta: number, steps: number): number {
  if (!(start >= 0 && start <= 1) || Math.fround(start) !== start || !(beta >= 0 && beta <= 1)) {
    throw new RangeError(
      `runningProductF32From: start and beta must be float32 values in [0, 1], got ${start}, ${beta}`,
    );
  }
  if (Math.fround(beta) !== beta || !Number.isInteger(steps) || steps < 0) {
    throw new RangeError(`runningProductF32From: beta must be a float32 value and steps a whole number ≥ 0`);
  }
  return nonNegativeRunningProduct(beta, steps, start);
}

// The last two answers. A load restores every parameter, usually all at the same step count,
// asking for β1 then β2 each time, and the costliest inputs take milliseconds: without these,
// a model with thousands of parameters would pay that thousands of times.
const recentBeta = new Float64Array([NaN, NaN]);
const recentSteps = new Float64Array([-1, -1]);
const recentValue = new Float64Array(2);
let recentNext = 0;

const TWO_23 = 2 ** 23;
const TWO_24 = 2 ** 24;
const TWO_47 = 2 ** 47;

// Reads a float32's fields; module-level so the loop allocates nothing.
const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/**
 * ⌊n / k⌋ for whole numbers n < 2^52, 0 < k < 2^24. The float64 quotient can round up onto the
 * next integer when n/k is within one of its ulps below it (n ≥ 2^29 or so), so one correction
 * each way; q·k stays within k of n, exact.
 */
function floorDiv(n: number, k: number): number {
  let q = Math.floor(n / k);
  if (q * k > n) q--;
  else if ((q + 1) * k <= n) q++;
  return q;
}

/** The loop for 0 ≤ β ≤ 1 (see runningProductF32). */
function nonNegativeRunningProduct(beta: number, steps: number, start: number = beta): number {
  const canJump = beta >= 0.5 && beta < 1; // β = B·2^-24 with B whole; β = 1 is a fixed point at once
  const B = beta * TWO_24;
  const C = TWO_24 - B;
  const binadeFloor = canJump ? floorDiv(TWO_47 - 1, B) + 1 : 0; // ⌈2^47 / B⌉: condition (2)
  let a = start;
  let t = 0;
  while (t < steps) {
    if (canJump && a !== 0) {
      // Enter a range: a = m·u. Biased exponents 0 (subnormal) and 1 share u = 2^-149, one
      // range with no floor; above, the range is a binade and (2) applies.
      scratch[0] = a;
      const bits = scratchBits[0]!;
      const biased = bits >>> 23; // a ≥ 0: no sign bit
      const hasFloor = biased > 1;
      let m = biased === 0 ? bits : (bits & 0x7fffff) | 0x800000;
      const u = a / m; // a power of two, 2^-149 … 2^-24: exact as a > 0
      // Steps in m: each pass takes one whole run of constant d (in O(1)), or leaves for a
      // single float32 step below on a tie or on leaving the range.
      while (t < steps) {
        if (hasFloor && m * B < TWO_47) break;
        const mC = m * C; // x·2^24, < 2^48
        const q = Math.floor(mC * (1 / TWO_24)); // × a power of two: exact
        const r = mC - q * TWO_24;
        if (r === TWO_23) break; // a tie
        const d = r < TWO_23 ? q : q + 1;
        if (d === 0) return m * u; // fround(a·β) = a: the fixed point
        const next = m - d;
        if (next * C > (2 * d - 1) * TWO_23 && (!hasFloor || next * B >= TWO_47)) {
          // The run goes on past one step: find where it ends.
          const low = floorDiv((2 * d - 1) * TWO_23, C) + 1; // condition (1)
          const lowest = hasFloor && binadeFloor > low ? binadeFloor : low;
          // m − lowest and d are < 2^24: the float64 quotient cannot round up onto an integer.
          const n = Math.min(Math.floor((m - lowest) / d) + 1, steps - t);
          m -= n * d;
          t += n;
        } else {
          m = next;
          t++;
        }
      }
      a = m * u;
      if (t === steps) break;
    }
    const next = Math.fround(a * beta);
    if (next === a) return a; // also a = 0, which ends every β < 1/2
    a = next;
    t++;
  }
  return a;
}
