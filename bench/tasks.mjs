// The run plan: which implementations are measured, for which algorithm and size, in what
// order, and with which caps. Sizes are the outer loop so only one size's arrays are alive.
import { zeroCopy, dropIn } from './impl/wasm-optim.mjs';
import { plainLoop } from './impl/plain-js.mjs';
import { tfjsTask } from './impl/tfjs.mjs';

/** The drop-in path (user arrays copied in and out) is measured at these sizes only. */
const DROP_IN_SIZES = [256 * 1024, 4 * 1024 * 1024];
/** TF.js cpu takes ~100 ns/element: above this it is skipped (16M would be ~2 s a step). */
export const TFJS_CPU_MAX_N = 4 * 1024 * 1024;

/**
 * @typedef {import('./task.mjs').TaskSpec & { skip?: string }} PlannedTask
 */

/**
 * @param {import('./args.mjs').Args} args
 * @param {{ tfjsCpuTimeCapMs: number, tfjsCpuMinSamples: number }} caps
 * @returns {PlannedTask[]}
 */
export function planTasks(args, caps) {
  /** @type {PlannedTask[]} */
  const tasks = [];
  for (const { label: sizeLabel, n } of args.sizes) {
    for (const algorithm of args.algorithms) {
      /** @param {Omit<PlannedTask, 'algorithm' | 'n' | 'sizeLabel' | 'limits'> & { limits?: PlannedTask['limits'] }} t */
      const add = (t) => tasks.push({ algorithm, n, sizeLabel, limits: {}, ...t });
      for (const backend of /** @type {const} */ (['simd', 'wasm', 'js'])) {
        add({ flavor: 'torch', implementation: `wasm-optim ${backend}`, path: 'zero-copy', create: () => zeroCopy(algorithm, n, backend, 'torch') });
      }
      add({ flavor: 'tfjs', implementation: 'wasm-optim simd', path: 'zero-copy', create: () => zeroCopy(algorithm, n, 'simd', 'tfjs') });
      if (DROP_IN_SIZES.includes(n)) {
        add({ flavor: 'torch', implementation: 'wasm-optim simd', path: 'drop-in', create: () => dropIn(algorithm, n, 'simd') });
      }
      add({ flavor: 'torch', implementation: 'plain JS loop', path: '', create: () => plainLoop(algorithm, n) });
      add({ flavor: 'tfjs', implementation: 'TF.js wasm', path: '', create: () => tfjsTask(algorithm, n, 'wasm') });
      add({
        flavor: 'tfjs', implementation: 'TF.js cpu', path: '',
        limits: { timeCapMs: caps.tfjsCpuTimeCapMs, minSamples: caps.tfjsCpuMinSamples },
        create: () => tfjsTask(algorithm, n, 'cpu'),
        ...(n > TFJS_CPU_MAX_N ? { skip: `TF.js cpu is skipped above ${TFJS_CPU_MAX_N / 1048576}M elements (about 100 ns/element, seconds per step)` } : {}),
      });
    }
  }
  return tasks;
}
