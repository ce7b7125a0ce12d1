// The benchmark button: nanoseconds per element of one optimizer step on each backend this
// browser has. Without cross-origin isolation the browser's timer is coarse (0.1 ms, with
// jitter), so steps are timed in batches of at least SAMPLE_MS and the median of SAMPLES
// batches is reported: the timer's error is then well under 1 %.
import { mulberry32 } from '../dist-tools/fuzz/random.js';

/** Elements per tensor (256 KiB of float32: cache-resident, like a layer's weights). */
export const N = 1 << 16;
const SAMPLE_MS = 25;
const SAMPLES = 5;

/** The smallest step of performance.now() observed here, in ms. */
export function timerResolution() {
  let smallest = Infinity;
  let last = performance.now();
  for (let seen = 0, spins = 0; seen < 20 && spins < 5e6; spins++) {
    const now = performance.now();
    if (now !== last) {
      smallest = Math.min(smallest, now - last);
      last = now;
      seen++;
    }
  }
  return smallest;
}

function timeBatch(opt, reps) {
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) opt.step();
  return performance.now() - t0;
}

/**
 * The inputs of bench/data.mjs: params U(−1, 1); gradients N(0, 1) with 1e-3 ≤ |g| ≤ 4, so no
 * kernel meets denormals (which would time the FPU's slow paths, not the code).
 */
function fill(data, grad) {
  const next = mulberry32(1);
  const random = () => next() / 4294967296;
  for (let i = 0; i < data.length; i++) {
    data[i] = random() * 2 - 1;
    const g = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    grad[i] = Math.sign(g || 1) * Math.min(4, Math.max(1e-3, Math.abs(g)));
  }
}

const pause = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * @param {Record<string, any>} lib  the wasm-optim module
 * @param {(rows: object[]) => void} [onProgress]
 */
export async function benchmark(lib, onProgress) {
  const rows = [];
  for (const algorithm of ['Adagrad', 'RMSprop'].filter((name) => typeof lib[name] === 'function')) {
    for (const backend of lib.availableBackends()) {
      const opt = new lib[algorithm]([N], { backend, lr: 1e-3 });
      fill(opt.params[0].data, opt.params[0].grad);
      let reps = 1;
      for (let ms = timeBatch(opt, reps); ms < SAMPLE_MS; ms = timeBatch(opt, reps)) {
        reps *= ms > 1 ? Math.ceil((1.25 * SAMPLE_MS) / ms) : 8;
      }
      const samples = [];
      for (let s = 0; s < SAMPLES; s++) {
        await pause();
        samples.push((timeBatch(opt, reps) * 1e6) / (reps * N));
      }
      samples.sort((a, b) => a - b);
      rows.push({ algorithm, backend, nsPerElement: samples[SAMPLES >> 1], stepsPerBatch: reps });
      onProgress?.(rows);
      await pause();
    }
  }
  return rows;
}
