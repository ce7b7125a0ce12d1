// The runnable examples (examples/*.mjs) run as a user runs them, against the built package
// (they import 'wasm-optim', which resolves to dist/ through package.json "exports"), in a
// reduced mode: the loss must fall and the timing lines must be printed.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

it('examples/matrix-factorization.mjs: the loss falls and sparse vs dense step times are printed', () => {
  const run = spawnSync(process.execPath, ['examples/matrix-factorization.mjs', '--epochs', '2'], {
    cwd: root,
    encoding: 'utf8',
  });
  expect(run.status, run.stderr).toBe(0);
  const losses = [...run.stdout.matchAll(/^epoch (\d+): loss (\d+\.\d+)$/gm)].map((m) => Number(m[2]));
  expect(losses).toHaveLength(3);
  const [initial, , final] = losses as [number, number, number];
  expect(final).toBeLessThan(initial * 0.6);
  expect(run.stdout).toMatch(/^Adagrad sparse step \(256 ratings\): \d+\.\d µs per step$/m);
  expect(run.stdout).toMatch(/^Adagrad dense step \(25000 rows × 32\): \d+\.\d µs per step$/m);
  expect(run.stdout).toMatch(/^sparse is \d+\.\d× (faster|slower) per step$/m);
}, 20_000);
