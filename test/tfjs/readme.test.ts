// The README's TensorFlow.js example must run as written: the first ```js block under
// "## TensorFlow.js models" is executed with Node against the built package (imported as
// 'wasm-optim/tfjs', as a user would) and its printed result checked.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

it('the TensorFlow.js example runs as written and prints what its comment says', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const block = /## TensorFlow\.js models\n[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block, 'README has a ```js block under ## TensorFlow.js models').toBeDefined();
  const output = execFileSync(process.execPath, ['--input-type=module', '-'], {
    cwd: root,
    input: block!,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  expect(output.trim()).toBe('WasmOptimAdagrad 10');
  expect(block).toContain('// WasmOptimAdagrad 10');
}, 60_000);
