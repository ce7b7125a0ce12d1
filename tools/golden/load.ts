// Reads the bundled golden fixtures (Node only; the library itself never imports it): from
// test/fixtures/golden in the repository, and in an installed package, which has no test/, from
// dist-tools/golden/fixtures.json.br (the same files packed by scripts/bundle-golden.mjs).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { brotliDecompressSync } from 'node:zlib';
import type { GoldenFile, GoldenSource, WorkedExamplesFile } from './format.js';

/** test/fixtures/golden, found relative to this module in tools/ and in dist-tools/ alike. */
export const GOLDEN_DIR = new URL('../../test/fixtures/golden/', import.meta.url);

/** The fixtures packed into one file beside this module in dist-tools/golden/ (what npm ships). */
export const GOLDEN_BUNDLE = new URL('./fixtures.json.br', import.meta.url);

interface GoldenBundle {
  files: GoldenSource[];
  worked: WorkedExamplesFile;
}

let bundle: GoldenBundle | undefined;

/** The packed fixtures when `dir` is the default one and is absent (an installed package). */
function packed(dir: URL): GoldenBundle | null {
  if (dir.href !== GOLDEN_DIR.href || existsSync(dir) || !existsSync(GOLDEN_BUNDLE)) return null;
  bundle ??= JSON.parse(brotliDecompressSync(readFileSync(GOLDEN_BUNDLE)).toString('utf8')) as GoldenBundle;
  return bundle;
}

export function loadGoldenFiles(dir: URL = GOLDEN_DIR): GoldenSource[] {
  const fromBundle = packed(dir);
  if (fromBundle !== null) return fromBundle.files;
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
  return (
    packed(dir)?.worked ??
    (JSON.parse(readFileSync(new URL('worked_examples.json', dir), 'utf8')) as WorkedExamplesFile)
  );
}
