// A fixed run of every optimizer the library has, in both flavors, over tensors of awkward
// lengths and gradients with ±0, subnormals, huge values, ±Infinity and NaN: the params after
// every step. The CSP page computes it with backend 'auto' and the test compares its bits with
// each backend forced in a normal page.
import type { BackendChoice, BackendName } from '../../src/index.js';
import { OPTIMIZERS } from '../../src/registry.js';
import { randomF32, rng } from '../helpers/random.js';

const LENGTHS = [0, 1, 3, 4, 17, 1000];
const STEPS = 4;

export interface Trajectory {
  /** The backend the optimizer ran on (opt.backend). */
  backend: BackendName;
  /** Every parameter after every step, in order. */
  snapshots: Float32Array[];
}

export function trajectories(backend: BackendChoice): Record<string, Trajectory> {
  const out: Record<string, Trajectory> = {};
  for (const [i, algorithm] of Object.keys(OPTIMIZERS).sort().entries()) {
    for (const flavor of ['torch', 'tfjs'] as const) {
      const random = rng(4242 + 2 * i + (flavor === 'tfjs' ? 1 : 0));
      const params = LENGTHS.map((n) => randomF32(random, n, 'normal'));
      const options = backend === 'auto' ? { lr: 0.01, flavor } : { lr: 0.01, flavor, backend };
      let opt;
      try {
        opt = new OPTIMIZERS[algorithm]!(params, options);
      } catch (error) {
        if (flavor === 'tfjs' && /flavor/i.test(String(error))) continue; // e.g. AdamW: torch only
        throw error;
      }
      const snapshots: Float32Array[] = [];
      for (let t = 0; t < STEPS; t++) {
        opt.step(LENGTHS.map((n) => randomF32(random, n, 'special')));
        for (const p of params) snapshots.push(p.slice());
      }
      out[`${algorithm}/${flavor}`] = { backend: opt.backend, snapshots };
    }
  }
  return out;
}
