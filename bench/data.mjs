// Deterministic, realistic inputs. Fixed seeds so every implementation and every run sees
// the same numbers; values kept away from zero and infinity so no kernel ever touches
// denormals or NaN, which would measure the FPU's slow paths rather than the code.

/**
 * mulberry32: a tiny 32-bit PRNG, plenty for benchmark data.
 * @param {number} seed
 * @returns {() => number} uniform in [0, 1)
 */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Parameters: U(-1, 1), as after a typical initialization.
 * @param {Float32Array} out
 * @param {number} [seed]
 * @returns {Float32Array} out
 */
export function fillParams(out, seed = 1) {
  const rand = mulberry32(seed);
  for (let i = 0; i < out.length; i++) out[i] = rand() * 2 - 1;
  return out;
}

/**
 * Gradients: N(0, 1) by Box–Muller, clamped to 1e-3 ≤ |g| ≤ 4. The lower bound keeps g²
 * (which Adagrad and RMSprop accumulate) far above the float32 denormal range.
 * @param {Float32Array} out
 * @param {number} [seed]
 * @returns {Float32Array} out
 */
export function fillGrads(out, seed = 2) {
  const rand = mulberry32(seed);
  for (let i = 0; i < out.length; i++) {
    const u = 1 - rand(); // (0, 1]: log never sees 0
    const g = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
    const magnitude = Math.min(4, Math.max(1e-3, Math.abs(g)));
    out[i] = g < 0 ? -magnitude : magnitude;
  }
  return out;
}

/** Shared inputs, built once per size: filling 16M values costs far more than copying them. */
const cache = new Map();

/**
 * The parameter and gradient values for size n (do not modify: copy them).
 * @param {number} n
 * @returns {{ params: Float32Array, grads: Float32Array }}
 */
export function inputs(n) {
  let entry = cache.get(n);
  if (entry === undefined) {
    cache.clear(); // sizes are run in order: keep only the current one alive
    entry = { params: fillParams(new Float32Array(n)), grads: fillGrads(new Float32Array(n)) };
    cache.set(n, entry);
  }
  return entry;
}
