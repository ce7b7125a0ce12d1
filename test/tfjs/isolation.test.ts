// The main entry stays dependency-free: nothing reachable from src/index.ts imports TF.js (or
// any package); only the 'wasm-optim/tfjs' subpath (src/tfjs/) does.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');
const SPECIFIER =
  /(?:^|[\s;])(?:import|export)\s(?:[^'"]*?\sfrom\s)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every module specifier reachable from `entry` through relative imports, by importing file. */
function reachable(entry: string): { files: Set<string>; bare: Map<string, string> } {
  const files = new Set<string>();
  const bare = new Map<string, string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const code = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    for (const match of code.matchAll(SPECIFIER)) {
      const spec = match[1] ?? match[2]!;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else bare.set(spec, file);
    }
  };
  visit(entry);
  return { files, bare };
}

describe('package entries', () => {
  it('the main entry reaches no package besides node: built-ins, and nothing under src/tfjs', () => {
    const { files, bare } = reachable(resolve(src, 'index.ts'));
    expect(files.size).toBeGreaterThan(5);
    expect([...files].filter((f) => f.includes(`${resolve(src, 'tfjs')}`))).toEqual([]);
    expect([...bare.keys()].filter((spec) => !spec.startsWith('node:'))).toEqual([]);
  });

  it('the tfjs entry imports @tensorflow/tfjs-core and nothing else from outside', () => {
    const { bare } = reachable(resolve(src, 'tfjs/index.ts'));
    expect([...bare.keys()].filter((spec) => !spec.startsWith('node:'))).toEqual(['@tensorflow/tfjs-core']);
  });
});
