// Reading the files `wasm-optim fuzz --replay` is given. A path that does not exist, or a
// directory without a single .json file, is a mistake in the command (ReplayPathError); a file
// that is not valid JSON or not a case is reported as such, with its name and the reason —
// never run, and never counted as a mismatch.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { caseFromJson, type FuzzCase } from './case.js';

/** A --replay path that names nothing to replay. */
export class ReplayPathError extends Error {}

/** The case files of the paths: files as given, directories' .json files in name order. */
export function replayFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const p of paths) {
    let directory: boolean;
    try {
      directory = statSync(p).isDirectory();
    } catch (error) {
      throw new ReplayPathError(
        `--replay: ${p}: ${
          (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (error as Error).message
        }`,
      );
    }
    if (!directory) {
      files.push(p);
      continue;
    }
    const names = readdirSync(p)
      .filter((name) => name.endsWith('.json'))
      .sort();
    if (names.length === 0) throw new ReplayPathError(`--replay: directory ${p} holds no .json case file`);
    files.push(...names.map((name) => join(p, name)));
  }
  return files;
}

export type ReadCase = { readonly case: FuzzCase } | { readonly error: string };

/** Reads and checks one case file; `error` says what is wrong with it. */
export function readCaseFile(file: string): ReadCase {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { error: `cannot read it: ${(error as Error).message}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { error: `not valid JSON: ${(error as Error).message}` };
  }
  try {
    return { case: caseFromJson(json) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}
