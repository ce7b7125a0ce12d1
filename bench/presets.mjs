// How long each part of a run takes: the full run (bench/results/, the README's numbers),
// --quick (under 3 minutes), --smoke (under a minute) and --summary (npm start's short table:
// four algorithms, two sizes, wasm-optim simd against plain JS and TF.js only).
import { parseSizes } from './args.mjs';

/**
 * @typedef {object} Preset
 * @property {string[]} sizes            default sizes
 * @property {number} rounds             interleaved rounds per task
 * @property {import('./measure.mjs').RoundSettings} round
 * @property {number} minSampleMs        faster steps are batched into samples this long
 * @property {{ maxN: number, timeCapMs: number, minSamples: number }} tfjsCpu  TF.js cpu takes
 *   100–300 ns/element (a second per step at 4M): capped, one round once a step is slow
 * @property {Omit<import('./facade.mjs').FacadeSettings, 'pathSizes'> & { pathSizes: string[] }} facade
 * @property {number} scaleWithVariants  rounds get shorter when more than this many configurations
 *   run, so a run's duration grows slowly as algorithms are added
 * @property {number} facadeFloorMs  the facade's rounds are not shortened below this: its ratios
 *   are the point of its measurements
 * @property {string[]} [algorithms]  the configurations measured when --algorithm is not given
 *   (default: every one the library has)
 */

const M = 1024 * 1024;
const FACADE_COMMON = {
  minSampleMs: 0.1,
  perCallN: 16,
  tensors: { count: 100, length: 1000 },
  heap: { n: 1024, steps: 10000 },
};

/** @type {Record<'full' | 'quick' | 'smoke' | 'summary', Preset>} */
export const PRESETS = {
  full: {
    sizes: ['1K', '16K', '256K', '4M', '16M'],
    rounds: 5,
    round: { timeMs: 420, warmupMs: 150, minSamples: 5 },
    minSampleMs: 0.1,
    tfjsCpu: { maxN: 4 * M, timeCapMs: 1000, minSamples: 5 },
    facade: {
      ...FACADE_COMMON,
      rounds: 5,
      round: { timeMs: 300, warmupMs: 50, minSamples: 5 },
      pathSizes: ['256K', '4M'],
    },
    scaleWithVariants: 3,
    facadeFloorMs: 200,
  },
  quick: {
    sizes: ['1K', '16K', '256K', '4M'],
    rounds: 3,
    round: { timeMs: 150, warmupMs: 50, minSamples: 3 },
    minSampleMs: 0.1,
    // TF.js cpu at 4M costs ~4 s per configuration (1–1.5 s a step): full runs only.
    tfjsCpu: { maxN: 256 * 1024, timeCapMs: 300, minSamples: 2 },
    facade: {
      ...FACADE_COMMON,
      rounds: 3,
      round: { timeMs: 100, warmupMs: 30, minSamples: 3 },
      pathSizes: ['256K', '4M'],
    },
    scaleWithVariants: 2,
    facadeFloorMs: 60,
  },
  smoke: {
    sizes: ['16K', '256K'],
    rounds: 1,
    round: { timeMs: 150, warmupMs: 50, minSamples: 3 },
    minSampleMs: 0.1,
    tfjsCpu: { maxN: 256 * 1024, timeCapMs: 200, minSamples: 2 },
    facade: { ...FACADE_COMMON, rounds: 2, round: { timeMs: 60, warmupMs: 20, minSamples: 3 }, pathSizes: ['256K'] },
    scaleWithVariants: 2,
    facadeFloorMs: 60,
  },
  // npm start: the table only (no facade, no sparse steps), simd torch flavor, plain JS, TF.js.
  summary: {
    sizes: ['64K', '1M'],
    rounds: 2,
    round: { timeMs: 150, warmupMs: 50, minSamples: 3 },
    minSampleMs: 0.1,
    tfjsCpu: { maxN: M, timeCapMs: 250, minSamples: 2 },
    facade: { ...FACADE_COMMON, rounds: 2, round: { timeMs: 60, warmupMs: 20, minSamples: 3 }, pathSizes: ['256K'] },
    scaleWithVariants: 4,
    facadeFloorMs: 60,
    algorithms: ['adagrad', 'rmsprop', 'adam', 'sgd'],
  },
};

/**
 * The preset's settings for this run, its round times shortened when many configurations run.
 * @param {'full' | 'quick' | 'smoke' | 'summary'} name
 * @param {number} variants  configurations in the run
 * @param {{ label: string, n: number }[] | null} sizes  from --sizes
 */
export function settingsFor(name, variants, sizes) {
  const p = PRESETS[name];
  const scale = Math.min(1, p.scaleWithVariants / Math.max(1, variants));
  /** @param {import('./measure.mjs').RoundSettings} r @param {number} floorMs */
  const shorter = (r, floorMs) => ({
    ...r,
    timeMs: Math.min(r.timeMs, Math.max(floorMs, Math.round(r.timeMs * scale))),
    warmupMs: Math.min(r.warmupMs, Math.max(20, Math.round(r.warmupMs * scale))),
  });
  return {
    preset: name,
    sizes: sizes ?? parseSizes(p.sizes),
    rounds: p.rounds,
    round: shorter(p.round, 40),
    minSampleMs: p.minSampleMs,
    tfjsCpu: p.tfjsCpu,
    /** @type {import('./facade.mjs').FacadeSettings} */
    facade: { ...p.facade, round: shorter(p.facade.round, p.facadeFloorMs), pathSizes: parseSizes(p.facade.pathSizes) },
  };
}

/** @typedef {ReturnType<typeof settingsFor>} Settings */
