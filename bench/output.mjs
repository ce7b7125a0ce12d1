// Writes a run's results: bench/results/latest.{json,md}, the SVG charts, and --json FILE.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

/**
 * @param {{ json: object, markdown: string, charts: { file: string, svg: string }[],
 *           extraJson?: string }} results
 * @returns {Promise<string[]>} the files written
 */
export async function writeResults({ json, markdown, charts, extraJson }) {
  await mkdir(RESULTS_DIR, { recursive: true });
  const text = `${JSON.stringify(json, null, 2)}\n`;
  /** @type {[string, string][]} */
  const files = [
    [path.join(RESULTS_DIR, 'latest.json'), text],
    [path.join(RESULTS_DIR, 'latest.md'), markdown],
    ...charts.map(({ file, svg }) => /** @type {[string, string]} */ ([path.join(RESULTS_DIR, file), `${svg}\n`])),
  ];
  if (extraJson !== undefined) {
    const target = path.resolve(extraJson);
    await mkdir(path.dirname(target), { recursive: true });
    files.push([target, text]);
  }
  for (const [file, content] of files) await writeFile(file, content);
  return files.map(([file]) => file);
}
