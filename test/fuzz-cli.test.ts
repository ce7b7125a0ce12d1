// `wasm-optim fuzz` as users run it (the built dist-tools/cli.js, as test/readme.test.ts runs the
// built package): a short run with worker threads and --json, --replay of a fixture (clean and
// failing), --replay of files that are not cases and of paths with none (exit status 2, naming
// the file or directory and what is wrong), the summary's counts of failed additions and memory
// cases past 2 GiB, and exit status 2 with a clear message on bad arguments.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { ALGORITHM_NAMES } from '../src/registry.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['dist-tools/cli.js', 'fuzz', ...args], { cwd: root, encoding: 'utf8' });

it('runs cases on two workers and reports them as JSON', () => {
  const run = cli('--cases', '6', '--seed', '5', '--jobs', '2', '--algorithm', 'adagrad', '--json');
  expect(run.status, run.stderr).toBe(0);
  const summary = JSON.parse(run.stdout) as Record<string, unknown>;
  expect(summary).toMatchObject({
    seed: 5,
    workers: 2,
    cases: 6,
    mismatches: 0,
    algorithms: ['adagrad'],
    backends: ['simd', 'wasm', 'js'],
  });
  expect(summary['steps']).toBeGreaterThan(0);
  expect(summary['optimizerSteps']).toBeGreaterThanOrEqual(3 * (summary['steps'] as number));
  for (const key of Object.keys(summary['oracle'] as object)) expect(['adagrad/torch', 'adagrad/tfjs']).toContain(key);
  expect(run.stderr).toContain('cases 6');
}, 60_000);

it('--replay re-runs saved cases: exit 0 when clean, 2 on a file that is not a case', () => {
  const ok = cli('--replay', 'test/fixtures/fuzz-regressions/oracle-fused-overflow.json');
  expect(ok.status, ok.stdout + ok.stderr).toBe(0);
  expect(ok.stdout).toMatch(/^ok +test\/fixtures\/fuzz-regressions\/oracle-fused-overflow\.json \(2 steps\)/m);
  const notACase = cli('--replay', 'package.json');
  expect(notACase.status).toBe(2);
  expect(notACase.stdout).toMatch(/package\.json: not a wasm-optim-fuzz\/1 case/);
}, 60_000);

const FIXTURE = 'test/fixtures/fuzz-regressions/oracle-fused-overflow.json';

it('--replay of a file that is not valid JSON or not a case: exit 2, naming the file and the error, not a ' +
  'mismatch', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fuzz-cli-replay-'));
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, '{"format": "wasm-optim-fuzz/1", "ops": [');
  const shape = join(dir, 'shape.json');
  const c = JSON.parse(readFileSync(join(root, FIXTURE), 'utf8')) as { ops: { grads: unknown[] }[] };
  c.ops[0]!.grads.push([1]);
  writeFileSync(shape, JSON.stringify(c));

  const notJson = cli('--replay', broken);
  expect(notJson.status, notJson.stdout + notJson.stderr).toBe(2);
  expect(notJson.stdout).toContain(`ERROR     ${broken}: not valid JSON: `);
  expect(notJson.stdout).toMatch(/^nothing replayed: 1 file is not a case/m);
  expect(notJson.stdout).not.toMatch(/with mismatches/);

  const notCase = cli('--replay', shape);
  expect(notCase.status).toBe(2);
  expect(notCase.stdout).toContain(
    `ERROR     ${shape}: not a wasm-optim-fuzz/1 case: ops[0].grads has 2 gradient(s), expected one per tensor: 1`,
  );

  // The good cases still run; the bad file still decides the exit status.
  const mixed = cli('--replay', FIXTURE, broken, '--json');
  expect(mixed.status).toBe(2);
  const summary = JSON.parse(mixed.stdout) as {
    replayed: number;
    mismatches: number;
    unreadable: number;
    results: { file: string; ok: boolean; error?: string }[];
  };
  expect(summary).toMatchObject({ replayed: 2, mismatches: 0, unreadable: 1 });
  expect(summary.results[0]).toMatchObject({ file: FIXTURE, ok: true });
  expect(summary.results[1]!.error).toMatch(/^not valid JSON: /);
}, 60_000);

it('--replay of a directory without a .json case, or of a path that does not exist: exit 2, naming it', () => {
  const empty = mkdtempSync(join(tmpdir(), 'fuzz-cli-empty-'));
  mkdirSync(join(empty, 'sub'));
  writeFileSync(join(empty, 'notes.txt'), 'not a case');
  const run = cli('--replay', empty);
  expect(run.status).toBe(2);
  expect(run.stderr).toContain(`wasm-optim fuzz: --replay: directory ${empty} holds no .json case file`);
  const missing = cli('--replay', join(empty, 'nope.json'));
  expect(missing.status).toBe(2);
  expect(missing.stderr).toContain(`${join(empty, 'nope.json')}: no such file or directory`);
  // A directory with cases replays them all (an open-bug fixture among them may mismatch: exit 1).
  const all = cli('--replay', 'test/fixtures/fuzz-regressions');
  const count = readdirSync(join(root, 'test/fixtures/fuzz-regressions')).filter((f) => f.endsWith('.json')).length;
  expect([0, 1], all.stdout).toContain(all.status);
  expect(all.stdout).toMatch(new RegExp(`^${count} cases replayed on `, 'm'));
}, 120_000);

it('the summary counts failed addParamGroup calls and memory cases past 2 GiB', () => {
  const json = cli(
    '--cases',
    '12',
    '--seed',
    '9',
    '--jobs',
    '1',
    '--algorithm',
    'adam',
    '--json',
    '--big-memory',
    '0',
    '--no-shrink',
  );
  const summary = JSON.parse(json.stdout) as Record<string, unknown>;
  expect(summary).toMatchObject({ cases: 12, bigMemoryCases: 0, bigMemoryProbability: 0 });
  expect(summary['failedAdditions']).toBeGreaterThan(0);
  expect(summary['failedAdditions']).toBeLessThanOrEqual(summary['invalidInputs'] as number);
  expect((summary['laws'] as Record<string, number>)['twin']).toBeGreaterThan(0);
  const text = cli(
    '--cases',
    '3',
    '--seed',
    '9',
    '--jobs',
    '1',
    '--algorithm',
    'sgd',
    '--big-memory',
    '0',
    '--no-shrink',
  );
  expect(text.stdout).toMatch(/^ {2}failed addParamGroup calls: \d+/m);
  expect(text.stdout).toMatch(/^ {2}memory cases past 2 GiB: 0 \(off\)$/m);
}, 120_000);

it('bad arguments: exit 2 with the reason and the usage', () => {
  for (const args of [
    ['--seconds', 'soon'],
    ['--algorithm', 'lbfgs'],
    ['--flavor', 'jax'],
    ['--cases', '3', '--seconds', '1'],
    ['--frobnicate'],
    ['--big-memory', '2'],
  ]) {
    const run = cli(...args);
    expect(run.status, args.join(' ')).toBe(2);
    expect(run.stderr).toMatch(/^wasm-optim fuzz: .+\n\nusage: wasm-optim fuzz/);
  }
  expect(cli('--algorithm', 'lbfgs').stderr).toContain(`the library has: ${ALGORITHM_NAMES.join(', ')})`);
});
