// Memory cases past 2 GiB: a rare case kind (off by default; the CLI turns it on with a small
// probability where the machine has the memory). One large parameter created from a length (all
// zeros, never copied from a caller's array) takes its parameter, gradient and state just past
// 2 GiB; small tensors sit before it, after it (in the constructor, and sometimes in a group
// added later), so that theirs lie past 2^31 bytes, where a signed `>> 2` on a byte offset goes
// negative. The small tensors are compared in full, the large one at a few sampled indices (its
// gradient is zero elsewhere), across backends and against the oracle (big-runner.ts).
//
// Cost: 3–4 steps; drop-in steps give the large tensor a null gradient (skipped, its memory never
// touched); only the last, zero-copy, step goes over it. That step's first touch of ~2 GiB and
// the state dict's copy of the large tensor's state after it are most of the case's time (a few
// seconds per backend; more on a machine with slow page faults).
import type { Flavor } from '#lib/spec.js';
import type { FuzzCase, GroupSpec, Op, Options, TensorSpec } from './case.js';
import { fillRegime, randomOptions, type Regime } from './generate.js';
import { algorithmInfo } from './info.js';
import type { Random } from './random.js';

/** Bytes the large tensor takes (parameter, gradient and state): just past 2 GiB. */
export const BIG_TARGET_BYTES = 2 ** 31 + 2 ** 24;
/**
 * What a big case may need per backend at its peak: the memory itself, the JS backend's copy
 * when its ArrayBuffer grows, and a state dict's copy of the large tensor's state. The lanes run
 * one after the other, so this is also about what a whole case needs.
 */
export const BIG_BYTES_PER_BACKEND = 3 * 2 ** 30;
/** Probability of a big case per case in the CLI (where the memory allows it). */
export const BIG_DEFAULT_PROBABILITY = 1e-4;

/** Whether a machine with `totalmem` bytes can run big cases on `backends` backends. */
export function bigMemoryFits(backends: number, totalmem: number): boolean {
  return totalmem >= backends * BIG_BYTES_PER_BACKEND;
}

const SMALL_LENGTHS = [1, 3, 5, 8, 16, 17, 31, 33, 64, 100, 257];
const REGIMES: readonly Regime[] = ['normal', 'normal', 'scaled', 'mixed', 'special', 'tiny', 'huge'];
/** Sampled indices of the large tensor: the first 8, the last 24 (its SIMD tail) and these many random. */
const RANDOM_SAMPLES = 16;

/**
 * The sampled indices: head, tail, random ones, and those whose state elements straddle 2^31
 * bytes if the state follows the parameter and gradient (the library's layout; a guess elsewhere).
 */
function sampleOf(r: Random, length: number, buffers: number): number[] {
  const out = new Set<number>();
  for (let j = 0; j < Math.min(8, length); j++) out.add(j);
  for (let j = Math.max(0, length - 24); j < length; j++) out.add(j);
  for (let k = 0; k < RANDOM_SAMPLES; k++) out.add(r.int(length));
  for (let b = 0; b < buffers; b++) {
    const start = (2 + b) * 4 * length;
    const crossing = Math.floor((2 ** 31 - start) / 4);
    for (let j = crossing - 2; j <= crossing + 2; j++) if (j >= 0 && j < length) out.add(j);
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * A memory case for this algorithm and flavor. `targetBytes` scales the large tensor (tests run
 * the same machinery with a few MiB).
 */
export function buildBigCase(r: Random, algorithm: string, flavor: Flavor, targetBytes = BIG_TARGET_BYTES): FuzzCase {
  const info = algorithmInfo(algorithm);
  const fi = info.flavors[flavor];
  const rule = info.oracle(flavor);
  if (fi === undefined || rule === undefined)
    throw new RangeError(`no big case for ${algorithm}/${flavor}: it needs a flavor with an oracle rule`);
  const ctor = randomOptions(info, flavor, fi.defaults, r.weighted([30, 50, 20]), r);
  const base: Options = { ...fi.defaults, ...ctor };
  const buffers = Object.keys(rule.buffers(base)).length;
  const length = 16 * Math.floor(targetBytes / (4 * (2 + buffers)) / 16) + r.int(16);
  const small = (): TensorSpec => {
    const n = r.pick(SMALL_LENGTHS);
    return { init: fillRegime(r, n, r.chance(0.7) ? 'normal' : 'scaled'), source: r.chance(0.6) };
  };
  const before = Array.from({ length: r.int(3) }, small);
  const after = Array.from({ length: r.range(1, 2) }, small);
  const tensors: TensorSpec[] = [...before, { init: new Float32Array(0), source: false }, ...after];
  const big = { tensor: before.length, length, sample: sampleOf(r, length, buffers) };
  // One group, or the tensors after the large one in a second group with its own options.
  const groups: GroupSpec[] = r.chance(0.5)
    ? [{ size: tensors.length, options: {} }]
    : [
        { size: before.length + 1, options: {} },
        { size: after.length, options: randomOptions(info, flavor, base, 1, r) },
      ];

  const lengths = tensors.map((t, i) => (i === big.tensor ? big.sample.length : t.init.length));
  const regimes = lengths.map(() => r.pick(REGIMES));
  const gradsOf = (mode: 'dropin' | 'zerocopy'): (Float32Array | null)[] =>
    lengths.map((n, i) => {
      if (i === big.tensor) return mode === 'dropin' ? null : fillRegime(r, n, 'normal');
      return mode === 'dropin' && r.chance(0.1) ? null : fillRegime(r, n, regimes[i]!);
    });
  const ops: Op[] = [];
  const steps = r.range(3, 4);
  const addAt = r.chance(0.3) ? r.range(1, steps - 1) : -1;
  for (let t = 0; t < steps; t++) {
    if (t === addAt) {
      // Past the large tensor's state. (On the JS backend the growth copies the whole memory.)
      const added = Array.from({ length: r.range(1, 2) }, small);
      ops.push({
        op: 'addGroup',
        tensors: added,
        options: r.chance(0.5) ? randomOptions(info, flavor, base, 1, r) : {},
      });
      lengths.push(...added.map((x) => x.init.length));
      regimes.push(...added.map(() => r.pick(REGIMES)));
    }
    if (t > 0 && info.keys.includes('lr') && r.chance(0.3)) {
      // lr changes no buffer, so the memory stays as planned.
      ops.push({
        op: 'set',
        group: r.int(groups.length + (addAt >= 0 && t >= addAt ? 1 : 0)),
        key: 'lr',
        value: r.pick([1e-3, 0.01, 0.1, 0]),
      });
    }
    // Only the last step goes over the large tensor: touching its gigabytes once is most of
    // the case's cost (and until then it has no state entry for a state dict to copy).
    const mode = t === steps - 1 ? 'zerocopy' : 'dropin';
    ops.push({ op: 'step', mode, grads: gradsOf(mode) });
  }
  return { algorithm, flavor, options: ctor, tensors, groups, ops, laws: [], big };
}
