// The README's quickstart must run as written: it is extracted and executed with Node against
// the built package (imported by its own name, as a user would), and its printed results are
// checked.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

it('the quickstart runs as written and prints what its comments say', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const block = /## Quickstart\n\n```js\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block, 'README has a ```js block under ## Quickstart').toBeDefined();
  const output = execFileSync(process.execPath, ['--input-type=module', '-'], {
    cwd: root, input: block!, encoding: 'utf8',
  });
  const [fit, flavor] = output.trim().split('\n');
  expect(fit).toBe('3.000 -1.000 simd');
  expect(flavor).toBe('0.8994962573051453 tfjs');
  // The comments in the block state the same results.
  expect(block).toContain('// 3.000 -1.000 simd');
  expect(block).toContain('// 0.8994962573051453 tfjs');
});
