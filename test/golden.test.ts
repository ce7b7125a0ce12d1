// Acceptance: every value of the PyTorch and TF.js golden trajectories for the algorithms the
// library has is reproduced bit for bit, params after every step and the final state, on each
// backend forced in turn, through both the drop-in and the zero-copy step.
import { expect, it } from 'vitest';
import { availableBackends } from '../src/index.js';
import { loadGoldenFiles, loadWorkedExamples } from '../tools/golden/load.js';
import { describeGoldenReplay } from './helpers/golden-suite.js';

const backends = availableBackends();

it('runs on all three backends here', () => {
  expect(backends).toEqual(['simd', 'wasm', 'js']);
});

describeGoldenReplay(loadGoldenFiles(), loadWorkedExamples(), backends);
