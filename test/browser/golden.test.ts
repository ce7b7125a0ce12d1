// test/golden.test.ts in Chromium: every golden case of the algorithms the library has, on each
// backend, drop-in and zero-copy, bit for bit; fixtures come from Vite JSON imports.
import { describe, expect, it } from 'vitest';
import { availableBackends, detectBackend } from '../../src/index.js';
import { optimizerFor, replayCase, replayWorked, workedRuns } from '../../src/golden/replay.js';
import { goldenSources, workedExamples } from './fixtures.js';

const backends = availableBackends();
const sources = goldenSources.filter(({ file }) => optimizerFor(file) !== null);

it('runs in a real browser', () => {
  expect(typeof window).toBe('object');
  expect(navigator.userAgent).toMatch(/Chrome\//);
});

it('compiles both Wasm builds synchronously on the main thread: auto picks simd', () => {
  expect(backends).toEqual(['simd', 'wasm', 'js']);
  expect(detectBackend()).toBe('simd');
});

it('loads every fixture file and covers the foundation algorithms in both frameworks', () => {
  expect(goldenSources.length).toBeGreaterThanOrEqual(13);
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
    for (const ex of workedExamples.examples) {
      for (const run of workedRuns(ex)) {
        it(`${ex.id}: ${run.label}`, () => {
          const result = replayWorked(ex, run, backend);
          expect(result.mismatch, JSON.stringify(result.mismatch)).toBeNull();
        });
      }
    }
  });
});
