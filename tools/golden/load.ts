// Reads the bundled golden fixtures from disk (Node only; the library itself never imports it).
import { readFileSync, readdirSync } from 'node:fs';
import type { GoldenFile, GoldenSource, WorkedExamplesFile } from './format.js';

/** test/fixtures/golden, found relative to this module in tools/ and in dist-tools/ alike. */
export const GOLDEN_DIR = new URL('../../test/fixtures/golden/', import.meta.url);

export function loadGoldenFiles(dir: URL = GOLDEN_DIR): GoldenSource[] {
  const out: GoldenSource[] = [];
  for (const framework of ['torch', 'tfjs']) {
    for (const entry of readdirSync(new URL(`${framework}/`, dir)).sort()) {
      if (!entry.endsWith('.json')) continue;
      const file = JSON.parse(readFileSync(new URL(`${framework}/${entry}`, dir), 'utf8')) as GoldenFile;
      out.push({ name: `${framework}/${entry.slice(0, -5)}`, file });
    }
  }
  return out;
}

export function loadWorkedExamples(dir: URL = GOLDEN_DIR): WorkedExamplesFile {
  return JSON.parse(readFileSync(new URL('worked_examples.json', dir), 'utf8')) as WorkedExamplesFile;
}
