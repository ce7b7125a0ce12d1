// The golden replay suite, shared by Node (test/golden.test.ts, fixtures read from disk) and
// Chromium (test/browser/golden.test.ts, fixtures from Vite JSON imports): every case of every
// algorithm the library has, on each backend, drop-in and zero-copy, bit for bit. No Node
// built-ins here, so the browser can run it.
import { describe, expect, it } from 'vitest';
import type { BackendName } from '../../src/index.js';
import type { GoldenSource, WorkedExamplesFile } from '../../tools/golden/format.js';
import { optimizerFor, registryNameOf, replayCase, replayWorked, workedRuns } from '../../tools/golden/replay.js';
import { OPTIMIZERS } from '../../src/registry.js';

export function describeGoldenReplay(
  all: readonly GoldenSource[],
  worked: WorkedExamplesFile,
  backends: readonly BackendName[],
): void {
  const sources = all.filter(({ file }) => optimizerFor(file) !== null);

  it('has golden data for every algorithm the library has', () => {
    const covered = new Set(sources.map(({ file }) => registryNameOf(file)));
    expect([...covered].sort()).toEqual(Object.keys(OPTIMIZERS).sort());
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
      for (const ex of worked.examples) {
        for (const run of workedRuns(ex)) {
          it(`${ex.id}: ${run.label}`, () => {
            const result = replayWorked(ex, run, backend);
            expect(result.mismatch, JSON.stringify(result.mismatch)).toBeNull();
          });
        }
      }
    });
  });
}
