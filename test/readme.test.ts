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
    cwd: root,
    input: block!,
    encoding: 'utf8',
  });
  const [fit, flavor] = output.trim().split('\n');
  expect(fit).toBe('3.000 -1.000 simd');
  expect(flavor).toBe('0.8994962573051453 tfjs');
  // The comments in the block state the same results.
  expect(block).toContain('// 3.000 -1.000 simd');
  expect(block).toContain('// 0.8994962573051453 tfjs');
});

it('the embeddings example runs as written and prints what its comment says', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const block = /## Embeddings: row-sparse gradients[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block, 'README has a ```js block under ## Embeddings').toBeDefined();
  const output = execFileSync(process.execPath, ['--input-type=module', '-'], {
    cwd: root,
    input: block!,
    encoding: 'utf8',
  });
  expect(output.trim()).toBe('0.4000000059604645 0.4000000059604645 0.5 4 1');
  expect(block).toContain(`// ${output.trim()}`);
});

it('the training-loop example runs as written and prints what its comment says', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const block = /## Training loop: schedules, clipping, accumulation[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block, 'README has a ```js block under ## Training loop').toBeDefined();
  const output = execFileSync(process.execPath, ['--input-type=module', '-'], {
    cwd: root,
    input: block!,
    encoding: 'utf8',
  });
  // The fit converged (slope 2, intercept 1), the last clipped norm is tiny, no step was skipped.
  expect(output.trim()).toBe('2.000 1.000 6.88e-7 0');
  expect(block).toContain(`// ${output.trim()}`);
  // It uses what the section is about.
  for (const call of ['accumulateGrad(', 'clipGradNorm(', 'opt.step()', 'schedule.step()', 'skipNonFinite: true']) {
    expect(block).toContain(call);
  }
});

it('the checkpoint example runs as written and resumes bit-identically', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const block = /```js\n(import \{ stateDictToJSON[\s\S]*?)```/.exec(readme)?.[1];
  expect(block, 'README has the stateDictToJSON example').toBeDefined();
  // The example, run against an optimizer with NaN, −0 and −Infinity in its state, then the
  // same steps on a twin that never went through JSON.
  const program = `${block!}
const { Adam } = await import('wasm-optim');
function run(opt) { opt.step([new Float32Array([0.5, NaN, -0])]); opt.step([new Float32Array([1, -Infinity, 0])]); }
const twin = new Adam([new Float32Array([1, 2, -0])], { lr: -0 });
run(twin); run(twin);
console.log(JSON.stringify([...new Uint32Array(opt.params[0].data.buffer, opt.params[0].data.byteOffset, 3)])
  === JSON.stringify([...new Uint32Array(twin.params[0].data.buffer, twin.params[0].data.byteOffset, 3)]));`;
  const preamble = `const { Adam: A } = await import('wasm-optim');
const opt = new A([new Float32Array([1, 2, -0])], { lr: -0 });
opt.step([new Float32Array([0.5, NaN, -0])]); opt.step([new Float32Array([1, -Infinity, 0])]);
const fresh = new A([new Float32Array([1, 2, -0])], { lr: 0.5 });
`;
  // The example loads into `opt` itself; load into a fresh optimizer instead to prove the text
  // carries everything (the options included: lr −0).
  const adapted = program
    .replace('opt.loadStateDict(', 'fresh.loadStateDict(')
    .replace(/^import .*$/m, "import { stateDictToJSON, stateDictFromJSON } from 'wasm-optim';")
    .replace(
      'console.log(JSON.stringify([...new Uint32Array(opt.params',
      'fresh.params[0].data.set(opt.params[0].data); run(fresh);\nconsole.log(JSON.stringify([...new ' +
        'Uint32Array(fresh.params',
    );
  const output = execFileSync(process.execPath, ['--input-type=module', '-'], {
    cwd: root,
    input: `${adapted.split('\n')[0]}\n${preamble}${adapted.split('\n').slice(1).join('\n')}`,
    encoding: 'utf8',
  });
  expect(output.trim()).toBe('true');
});
