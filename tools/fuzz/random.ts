// A small seeded random source for the fuzzer (no dependencies): the same seed gives the same
// cases on every machine. Streams are derived by hashing (seed, purpose, indices), so that a
// shrunk case (fewer steps, fewer tensors) keeps the data of what remains unchanged.

/** murmur3's 32-bit finalizer: a bijective, well-mixed hash of one word. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit hash of a list of integers (each taken modulo 2^32). */
export function hash32(...words: number[]): number {
  let h = 0x9e3779b9;
  for (const w of words) h = fmix32((h ^ (w >>> 0)) + 0x7f4a7c15 + (h << 6) + (h >>> 2));
  return h >>> 0;
}

/**
 * mulberry32: a small, fast, well-mixed 32-bit PRNG; each call returns the next uniform unsigned
 * 32-bit integer, and the same seed gives the same stream. The one generator of the project: the
 * fuzzer, the tests' data and the benchmark's data all draw from it.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** mulberry32 with helpers, seeded by a hash of the seed words. `next()` is a uniform 32-bit integer. */
export class Random {
  readonly #next: () => number;

  constructor(...seed: number[]) {
    this.#next = mulberry32(hash32(...seed));
  }

  /** A uniform unsigned 32-bit integer. */
  next(): number {
    return this.#next();
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** An index drawn with the given (non-negative) weights. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let x = this.float() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i]!;
      if (x < 0) return i;
    }
    return weights.length - 1;
  }

  #spare = NaN;

  /** A standard normal deviate (Box–Muller, both deviates used). */
  normal(): number {
    const spare = this.#spare;
    if (spare === spare) {
      this.#spare = NaN;
      return spare;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - this.float()));
    const angle = 2 * Math.PI * this.float();
    this.#spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** 10^U(lo, hi), the log-uniform magnitude. */
  logUniform(lo: number, hi: number): number {
    return 10 ** this.uniform(lo, hi);
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): number[] {
    const out = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}
