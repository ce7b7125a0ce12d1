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
        [command, '-h'],
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
    const option = cli('--fast');
    expect(option.status).toBe(2);
    expect(option.stderr).toContain('unknown option "--fast"');
    const help = cli('help', 'frobnicate');
    expect(help.status).toBe(2);
    expect(help.stderr).toContain('help: unknown command "frobnicate"');
    for (const [command, message] of [
      ['fuzz', 'wasm-optim fuzz: unexpected argument "--fast"'],
      ['bench', "wasm-optim bench: Unknown option '--fast'"],
    ]) {
      const run = cli(command!, '--fast');
      expect(run.status, command).toBe(2);
      expect(run.stderr, command).toContain(message);
    }
  });

  it('the top-level usage lists every command and how to get its help and the version', () => {
    const run = cli('--help');
    expect(run.status).toBe(0);
    for (const text of ['check', 'bench', 'fuzz', 'wasm-optim <command> --help', 'wasm-optim --version']) {
      expect(run.stdout).toContain(text);
    }
  });
});

describe("npm start's benchmark summary (bench --summary)", () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['dist-tools/cli.js', ...args], { cwd: root, encoding: 'utf8' });

  it('is what npm start runs after the check', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.start).toBe('node dist-tools/cli.js check && node dist-tools/cli.js bench --summary');
    expect(cli('bench', '--help').stdout).toContain('--summary');
  });

  it('is a preset of its own: exclusive with the others and with --only (exit 2)', () => {
    const both = cli('bench', '--summary', '--smoke');
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('--smoke and --summary exclude each other');
    const only = cli('bench', '--summary', '--only', 'facade');
    expect(only.status).toBe(2);
    expect(only.stderr).toContain('no --only with it');
  });
});
