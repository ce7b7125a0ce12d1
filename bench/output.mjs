// Writes a run's results: <dir>/latest.{json,md}, the SVG charts, and --json FILE.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH_DIR = fileURLToPath(new URL('./', import.meta.url));
export const RESULTS_DIR = path.join(BENCH_DIR, 'results');

/**
 * Where a run writes its report. A full run of everything replaces bench/results/ (the
 * README's numbers); --quick, --smoke and partial runs write to a subfolder, so they never
 * overwrite it. From an installed package (bench/ under node_modules) the default is
 * ./wasm-optim-bench/ in the working directory instead.
 * @param {import('./args.mjs').Args} args
 * @returns {string}
 */
export function resultsDir(args) {
  if (args.out !== undefined) return path.resolve(args.out);
  const installed = BENCH_DIR.split(path.sep).includes('node_modules');
  const root = installed ? path.resolve('wasm-optim-bench') : RESULTS_DIR;
  const everything = args.algorithms === null && args.sizes === null && args.only === null;
  if (args.preset === 'full' && everything) return root;
  return path.join(root, args.preset === 'full' ? 'custom' : args.preset);
}

/**
 * @param {{ dir: string, json: object, markdown: string, charts: { file: string, svg: string }[],
 *           extraJson?: string }} results
 * @returns {Promise<string[]>} the files written
 */
export async function writeResults({ dir, json, markdown, charts, extraJson }) {
  await mkdir(dir, { recursive: true });
  const text = `${JSON.stringify(json, null, 2)}\n`;
  /** @type {[string, string][]} */
  const files = [
    [path.join(dir, 'latest.json'), text],
    [path.join(dir, 'latest.md'), markdown],
    ...charts.map(({ file, svg }) => /** @type {[string, string]} */ ([path.join(dir, file), `${svg}\n`])),
  ];
  if (extraJson !== undefined) {
    const target = path.resolve(extraJson);
    await mkdir(path.dirname(target), { recursive: true });
    files.push([target, text]);
  }
  for (const [file, content] of files) await writeFile(file, content);
  return files.map(([file]) => file);
}
