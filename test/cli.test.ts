import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../tools/cli/check.js';

it('wasm-optim check reports every golden case bit-exact on every backend', () => {
  const lines: string[] = [];
  expect(runCheck((line) => lines.push(line))).toBe(true);
  const text = lines.join('\n');
  expect(text).toContain('backends available here: simd, wasm, js');
  const total = lines.find((line) => /^\s+total\s/.test(line))!;
  const [cases, ...perBackend] = total.trim().split(/\s+/).slice(1);
  expect(Number(cases)).toBeGreaterThan(200);
  expect(perBackend).toEqual([`${cases}/${cases}`, `${cases}/${cases}`, `${cases}/${cases}`]);
  for (const name of ['torch/adagrad', 'torch/rmsprop', 'tfjs/adagrad', 'tfjs/rmsprop', 'worked_examples']) {
    expect(text).toContain(name);
  }
  expect(text).not.toContain('MISMATCH');
});

describe('the command line as a user runs it (dist-tools/cli.js)', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['dist-tools/cli.js', ...args], { cwd: root, encoding: 'utf8' });
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

  it('--version prints the package version', () => {
    for (const flag of ['--version', '-v', 'version']) {
      const run = cli(flag);
      expect(run.status, flag).toBe(0);
      expect(run.stdout.trim()).toBe(`wasm-optim ${pkg.version}`);
    }
  });

  it('every command answers --help with its usage and exit 0, as does help <command>', () => {
    for (const command of ['check', 'fuzz', 'bench']) {
      for (const args of [
        [command, '--help'],
        ['help', command],
      ]) {
        const run = cli(...args);
        expect(run.status, args.join(' ')).toBe(0);
        expect(run.stdout.toLowerCase(), args.join(' ')).toContain(
          command === 'bench' ? 'usage: npm run bench' : `usage: wasm-optim ${command}`,
        );
      }
    }
  });

  it('an unknown command or argument exits 2 with the usage on stderr', () => {
    const unknown = cli('frobnicate');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const extra = cli('check', '--fast');
    expect(extra.status).toBe(2);
    expect(extra.stderr).toContain('check: unexpected argument "--fast"');
  });
});
