import { expect, it } from 'vitest';
import { runCheck } from '../src/cli/check.js';

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
