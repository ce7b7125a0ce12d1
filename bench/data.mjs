// Deterministic, realistic inputs. Fixed seeds so every implementation and every run sees
// the same numbers; values kept away from zero and infinity so no kernel ever touches
// denormals or NaN, which would measure the FPU's slow paths rather than the code.
import { mulberry32 } from '../dist-tools/fuzz/random.js';

/**
 * Uniform numbers in [0, 1) from the library's seeded generator (tools/fuzz/random.ts).
 * @param {number} seed
 * @returns {() => number}
 */
function uniform(seed) {
  const next = mulberry32(seed);
  return () => next() / 4294967296;
}

/**
 * Parameters: U(-1, 1), as after a typical initialization.
 * @param {Float32Array} out
 * @param {number} [seed]
 * @returns {Float32Array} out
 */
export function fillParams(out, seed = 1) {
  const rand = uniform(seed);
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
  const rand = uniform(seed);
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
