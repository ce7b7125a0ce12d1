// Seeded random data for tests: reproducible, with the float32 edge values optimizers meet.
import { mulberry32 } from '../../tools/fuzz/random.js';

/** Uniform numbers in [0, 1) from the project's seeded generator (tools/fuzz/random.ts). */
export function rng(seed: number): () => number {
  const next = mulberry32(seed);
  return () => next() / 4294967296;
}

const SPECIALS = [
  0,
  -0,
  1e-45,
  -1e-45,
  1.1754942e-38,
  1e-30,
  -1e-20,
  1e20,
  -3e38,
  3.4028235e38,
  Infinity,
  -Infinity,
  NaN,
];

export type Regime = 'normal' | 'wide' | 'special';

/**
 * n float32 values: 'normal' ≈ N(0,1); 'wide' random sign and magnitude 10^U(−30, 30);
 * 'special' mostly normal with ±0, subnormals, huge values, ±Infinity and NaN mixed in.
 */
export function randomF32(random: () => number, n: number, regime: Regime): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    if (regime === 'normal') out[i] = normal;
    else if (regime === 'wide') out[i] = (random() < 0.5 ? -1 : 1) * 10 ** (60 * random() - 30);
    else out[i] = random() < 0.1 ? SPECIALS[Math.floor(random() * SPECIALS.length)]! : normal;
  }
  return out;
}

/** Every combination of the given option values (a Cartesian product). */
export function combinations(values: Record<string, readonly unknown[]>): Record<string, unknown>[] {
  let out: Record<string, unknown>[] = [{}];
  for (const [key, options] of Object.entries(values)) {
    out = out.flatMap((partial) => options.map((value) => ({ ...partial, [key]: value })));
  }
  return out;
}
