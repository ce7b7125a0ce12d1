// `wasm-optim fuzz` as users run it (the built dist/cli.js, as test/readme.test.ts runs the
// built package): a short run with worker threads and --json, --replay of a fixture (clean and
// failing), and exit status 2 with a clear message on bad arguments.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, ['dist/cli.js', 'fuzz', ...args], { cwd: root, encoding: 'utf8' });

it('runs cases on two workers and reports them as JSON', () => {
  const run = cli('--cases', '6', '--seed', '5', '--jobs', '2', '--algorithm', 'adagrad', '--json');
  expect(run.status, run.stderr).toBe(0);
  const summary = JSON.parse(run.stdout) as Record<string, unknown>;
  expect(summary).toMatchObject({ seed: 5, workers: 2, cases: 6, mismatches: 0, algorithms: ['adagrad'], backends: ['simd', 'wasm', 'js'] });
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

it('bad arguments: exit 2 with the reason and the usage', () => {
  for (const args of [['--seconds', 'soon'], ['--algorithm', 'lbfgs'], ['--flavor', 'jax'], ['--cases', '3', '--seconds', '1'], ['--frobnicate']]) {
    const run = cli(...args);
    expect(run.status, args.join(' ')).toBe(2);
    expect(run.stderr).toMatch(/^wasm-optim fuzz: .+\n\nusage: wasm-optim fuzz/);
  }
  expect(cli('--algorithm', 'lbfgs').stderr).toContain('the library has: adagrad');
});
