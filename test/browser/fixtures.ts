/// <reference types="vite/client" />
// The golden fixtures for the browser, as Vite JSON imports: the same files, in the same order,
// as tools/golden/load.ts reads from disk in Node (which the browser cannot import: node:fs).
import type { GoldenFile, GoldenSource, WorkedExamplesFile } from '../../tools/golden/format.js';

const torch = import.meta.glob<GoldenFile>('../fixtures/golden/torch/*.json', { eager: true, import: 'default' });
const tfjs = import.meta.glob<GoldenFile>('../fixtures/golden/tfjs/*.json', { eager: true, import: 'default' });
const worked = import.meta.glob<WorkedExamplesFile>('../fixtures/golden/worked_examples.json', {
  eager: true,
  import: 'default',
});

function sources(framework: string, files: Record<string, GoldenFile>): GoldenSource[] {
  return Object.keys(files)
    .sort()
    .map((path) => ({
      name: `${framework}/${path.slice(path.lastIndexOf('/') + 1, -'.json'.length)}`,
      file: files[path]!,
    }));
}

/** Every golden file, e.g. { name: 'torch/adagrad', file }: torch first, then tfjs, sorted. */
export const goldenSources: GoldenSource[] = [...sources('torch', torch), ...sources('tfjs', tfjs)];

export const workedExamples: WorkedExamplesFile = Object.values(worked)[0]!;
