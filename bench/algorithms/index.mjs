// Which algorithms the benchmark measures: one description per configuration (this folder),
// used when the library's registry (src/registry.ts) has its algorithm, plus a generic
// description for any registry algorithm nobody described yet (wasm-optim rows only, traffic
// counted from the state buffers the library keeps). Adding an algorithm to the benchmark
// means writing one description: its traffic, the plain JS loop, the TF.js optimizer and,
// optionally, the raw kernel record.
import { OPTIMIZERS } from '../../dist/registry.js';
import adadelta from './adadelta.mjs';
import adagrad from './adagrad.mjs';
import { adam, adamw } from './adam.mjs';
import adamax from './adamax.mjs';
import nadam from './nadam.mjs';
import radam from './radam.mjs';
import rmsprop from './rmsprop.mjs';
import { momentum, sgd } from './sgd.mjs';

/**
 * The loop a user would write by hand over Float32Arrays (float64 arithmetic, float32 storage):
 * a plain function taking the arrays, as a user would write it, so the JIT sees them as
 * arguments rather than closure variables.
 * @typedef {object} PlainLoop
 * @property {number} states  state arrays, zero-filled
 * @property {(p: Float32Array, g: Float32Array, states: Float32Array[], t: number) => void} step
 *   one step; t is the 1-based step number
 */

/**
 * A record laid out by hand for the kernel ABI (src/backend/record.ts): the harness writes the
 * pointers and the count, `record` the flags word and the float32 scalars h0…h7.
 * @typedef {object} RawKernel
 * @property {string} kernel  the export, e.g. 'adagradStep' (torch flavor)
 * @property {number} states  state buffers, allocated after param and grad as the facade does
 * @property {(f32: Float32Array, u32: Uint32Array, word: number) => void} record
 */

/**
 * @typedef {object} BenchAlgorithm
 * @property {string} id             row label and --algorithm name: 'adagrad', 'momentum'
 * @property {string} algorithm      the registry's name for it: 'adagrad', 'sgd'
 * @property {string} title          for chart titles
 * @property {string} configuration  what is measured, in words
 * @property {Record<string, unknown>} options  wasm-optim options beyond the defaults (both flavors)
 * @property {{ reads: string[], writes: string[] }} traffic  arrays read and written per element
 * @property {PlainLoop} [plain]     absent: no plain JS row
 * @property {(tf: any) => any} [tfjs]  the TF.js optimizer; absent: no TF.js rows
 * @property {RawKernel} [raw]       absent: the raw kernel replays the record the facade wrote
 * @property {number} [copiedAfter]  without `raw`: the facade steps this many times (default 1)
 *                                   before the step whose record the raw kernel replays
 * @property {boolean} [copyBaseline]  memory-bound: also time a plain copy of the same bytes
 * @property {boolean} [generic]     made up for an undescribed registry algorithm: traffic is
 *                                   counted from the state buffers the library keeps
 */

/**
 * @typedef {BenchAlgorithm & {
 *   Class: import('../../dist/registry.js').OptimizerClass,
 *   bytes: number,
 *   tfjsFlavor: boolean,
 * }} Variant  a description checked against the library as built
 */

/** Every description, in report order. */
export const DESCRIPTIONS = [adagrad, rmsprop, sgd, momentum, adam, adamw, adadelta, adamax, nadam, radam];

/** float32 bytes moved per element when each listed array is read or written once. */
export const bytesOf = (/** @type {{ reads: string[], writes: string[] }} */ t) =>
  4 * (t.reads.length + t.writes.length);

/**
 * The state buffers the library keeps for these options (torch flavor), after one step.
 * @param {import('../../dist/registry.js').OptimizerClass} Class
 * @param {Record<string, unknown>} options
 * @returns {string[]}
 */
function stateBuffers(Class, options) {
  const opt = new Class([8], { backend: 'js', ...options });
  opt.step([new Float32Array(8).fill(0.5)]);
  const state = /** @type {Record<string, unknown>} */ (opt.stateDict().state[0] ?? {});
  return Object.keys(state).filter((k) => k !== 'step' && typeof state[k] === 'object'); // not mu_product
}

/**
 * The variants this build of the library can run, with notes on what was left out and why.
 * @returns {{ variants: Variant[], notes: string[] }}
 */
export function availableVariants() {
  /** @type {Variant[]} */
  const variants = [];
  /** @type {string[]} */
  const notes = [];
  const registry = /** @type {Record<string, import('../../dist/registry.js').OptimizerClass>} */ (OPTIMIZERS);
  const described = new Set(DESCRIPTIONS.map((d) => d.algorithm));
  const candidates = [
    ...DESCRIPTIONS.filter((d) => d.algorithm in registry),
    ...Object.keys(registry)
      .filter((name) => !described.has(name))
      .map((name) => genericDescription(name, registry[name])),
  ];
  for (const d of candidates) {
    const Class = registry[d.algorithm];
    let buffers;
    try {
      buffers = stateBuffers(Class, d.options);
    } catch (error) {
      notes.push(
        `${d.id}: left out, the library rejects its options ${JSON.stringify(d.options)}:` +
          ` ${/** @type {Error} */ (error).message}`,
      );
      continue;
    }
    const generic = d.generic === true;
    const traffic = generic ? { reads: ['param', 'grad', ...buffers], writes: ['param', ...buffers] } : d.traffic;
    const declared = d.traffic.reads.filter((a) => a !== 'param' && a !== 'grad');
    if (!generic && [...declared].sort().join() !== [...buffers].sort().join()) {
      notes.push(
        `${d.id}: the description counts state ${JSON.stringify(declared)},` +
          ` the library keeps ${JSON.stringify(buffers)}; GB/s uses the description`,
      );
    }
    let tfjsFlavor = true;
    try {
      new Class([8], { backend: 'js', flavor: 'tfjs', ...d.options });
    } catch {
      tfjsFlavor = false;
    }
    variants.push({ ...d, traffic, Class, bytes: bytesOf(traffic), tfjsFlavor });
  }
  return { variants, notes };
}

/**
 * A registry algorithm without a description: measured at its defaults through wasm-optim only.
 * @param {string} name
 * @param {import('../../dist/registry.js').OptimizerClass} Class
 * @returns {BenchAlgorithm}
 */
function genericDescription(name, Class) {
  return {
    id: name,
    algorithm: name,
    title: Class.name,
    configuration: 'defaults (generic: no plain JS or TF.js description yet)',
    options: {},
    traffic: { reads: [], writes: [] },
    generic: true,
  };
}
