// The run plan: which implementations are measured, for which configuration and size, and
// with which caps. Tasks come in groups, one per size and configuration, whose tasks run in
// interleaved rounds; sizes are the outer loop so only one size's arrays are alive.
import { memoryCopy } from './impl/copy.mjs';
import { plainLoop } from './impl/plain-js.mjs';
import { tfjsTask } from './impl/tfjs.mjs';
import { zeroCopy } from './impl/wasm-optim.mjs';

export const PLAIN_JS = 'plain JS loop';
export const MEMORY_COPY = 'memory copy (same bytes)';
export const TFJS_WASM = 'TF.js wasm';
export const TFJS_CPU = 'TF.js cpu';

/**
 * @param {import('./algorithms/index.mjs').Variant[]} variants
 * @param {import('./presets.mjs').Settings} settings
 * @param {string | null} tfMissing  why TF.js cannot load here, or null
 * @returns {import('./task.mjs').TaskSpec[][]} groups
 */
export function planTasks(variants, settings, tfMissing) {
  /** @type {import('./task.mjs').TaskSpec[][]} */
  const groups = [];
  for (const { label: sizeLabel, n } of settings.sizes) {
    for (const variant of variants) {
      /** @type {import('./task.mjs').TaskSpec[]} */
      const group = [];
      /**
       * @param {Omit<import('./task.mjs').TaskSpec, 'variant' | 'n' | 'sizeLabel' | 'limits'>
       *   & { limits?: import('./task.mjs').TaskSpec['limits'] }} t
       */
      const add = (t) => group.push({ variant, n, sizeLabel, limits: {}, ...t });
      for (const backend of /** @type {const} */ (['simd', 'wasm', 'js'])) {
        add({
          flavor: 'torch',
          implementation: `wasm-optim ${backend}`,
          create: () => zeroCopy(variant, n, backend, 'torch'),
        });
      }
      if (variant.tfjsFlavor) {
        add({ flavor: 'tfjs', implementation: 'wasm-optim simd', create: () => zeroCopy(variant, n, 'simd', 'tfjs') });
      }
      if (variant.plain !== undefined) {
        add({ flavor: 'torch', implementation: PLAIN_JS, create: () => plainLoop(variant, n) });
      }
      if (variant.copyBaseline === true) {
        add({ flavor: 'torch', implementation: MEMORY_COPY, create: () => memoryCopy(variant, n) });
      }
      if (variant.tfjs !== undefined) {
        const missing = tfMissing === null ? {} : { skip: `TF.js is not installed (${tfMissing})` };
        add({ flavor: 'tfjs', implementation: TFJS_WASM, create: () => tfjsTask(variant, n, 'wasm'), ...missing });
        add({
          flavor: 'tfjs',
          implementation: TFJS_CPU,
          limits: { timeCapMs: settings.tfjsCpu.timeCapMs, minSamples: settings.tfjsCpu.minSamples },
          create: () => tfjsTask(variant, n, 'cpu'),
          ...(n > settings.tfjsCpu.maxN
            ? {
                skip:
                  `TF.js cpu is skipped above ${sizeText(settings.tfjsCpu.maxN)} elements in this preset` +
                  ' (100–300 ns/element: seconds per step)',
              }
            : {}),
          ...missing,
        });
      }
      // The summary compares what a user picks between: wasm-optim as it comes (simd backend,
      // torch flavor, the default), the loop they would write, and TF.js.
      groups.push(settings.preset === 'summary' ? group.filter(inSummary) : group);
    }
  }
  return groups;
}

/** @param {import('./task.mjs').TaskSpec} t */
function inSummary(t) {
  if (t.implementation === 'wasm-optim simd') return t.flavor === 'torch';
  return t.implementation === PLAIN_JS || t.implementation === TFJS_WASM || t.implementation === TFJS_CPU;
}

/** 4194304 → '4M'. @param {number} n */
export function sizeText(n) {
  if (n % (1024 * 1024) === 0) return `${n / (1024 * 1024)}M`;
  if (n % 1024 === 0) return `${n / 1024}K`;
  return String(n);
}
