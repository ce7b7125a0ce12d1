// Acceptance: every value of the PyTorch and TF.js golden trajectories for the algorithms the
// library has is reproduced bit for bit, params after every step and the final state, on each
// backend forced in turn, through both the drop-in and the zero-copy step.
import { describe, expect, it } from 'vitest';
import { availableBackends } from '../src/index.js';
import { loadGoldenFiles, loadWorkedExamples } from '../src/golden/load.js';
import { optimizerFor, replayCase, replayWorked, workedRuns } from '../src/golden/replay.js';

const backends = availableBackends();
const sources = loadGoldenFiles().filter(({ file }) => optimizerFor(file) !== null);

it('runs on all three backends here', () => {
  expect(backends).toEqual(['simd', 'wasm', 'js']);
});

it('covers the foundation algorithms in both frameworks', () => {
  expect(sources.map((s) => s.name).sort()).toEqual(
    expect.arrayContaining(['tfjs/adagrad', 'tfjs/rmsprop', 'torch/adagrad', 'torch/rmsprop']),
  );
});

describe.each(backends)('backend %s', (backend) => {
  describe.each(sources)('$name', ({ file }) => {
    it.each(file.cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
      for (const mode of ['drop-in', 'zero-copy'] as const) {
        const result = replayCase(file, c, backend, mode);
        expect(result.mismatch, `${mode}: ${JSON.stringify(result.mismatch)}`).toBeNull();
        expect(result.compared).toBeGreaterThan(0);
      }
    });
  });

  describe('worked examples (the seed notes)', () => {
    for (const ex of loadWorkedExamples().examples) {
      for (const run of workedRuns(ex)) {
        it(`${ex.id}: ${run.label}`, () => {
          const result = replayWorked(ex, run, backend);
          expect(result.mismatch, JSON.stringify(result.mismatch)).toBeNull();
        });
      }
    }
  });
});
