// The emulated FMA's suspect protocol (scripts/check-fma-protocol.mjs, run before every Wasm
// build): the kernels pass it, and each way of breaking it, applied to a real kernel, fails it.
// None of these mutants fails a test that runs the kernels: a lost mask only shows on inputs
// that land on a double-rounding trap, and the FMA-trap tests build those for weight decay and
// the default loops' square average only.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const script = join(root, 'scripts/check-fma-protocol.mjs');
const dir = mkdtempSync(join(tmpdir(), 'fma-protocol-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A kernel's source with one edit; throws if the edit no longer applies. */
function mutant(file: string, from: string | RegExp, to: string): string {
  const source = readFileSync(join(root, 'assembly', file), 'utf8');
  const edited = source.replace(from, to);
  if (edited === source) throw new Error(`the mutation of ${file} no longer applies: update this test`);
  return edited;
}

/** The check's stderr on the given sources, all in one run (loading TypeScript takes a while). */
function checkAll(sources: [name: string, source: string][]): { status: number | null; stderr: string } {
  const paths = sources.map(([name, source]) => {
    const path = join(dir, name);
    writeFileSync(path, source);
    return path;
  });
  const result = spawnSync(process.execPath, [script, ...paths], { encoding: 'utf8' });
  return { status: result.status, stderr: result.stderr };
}

describe('FMA suspect protocol check', () => {
  // One node process each, loading TypeScript: slow on a busy machine.
  const TIMEOUT = 60_000;

  it('passes the kernels in assembly/', { timeout: TIMEOUT }, () => {
    execFileSync(process.execPath, [script], { cwd: root, stdio: 'pipe' });
  });

  const mutants: [string, string, () => string, RegExp][] = [
    [
      'a mask left out of the OR (centered RMSprop, fma(−ga, ga, sq))',
      'rmsprop.ts',
      () =>
        mutant(
          'rmsprop.ts',
          new RegExp(
            String.raw`v128\.or\(\s*(fmaBySuspect4\(g, oneMinusAlpha, slot\(ONE_MINUS_ALPHA\), cga, ga\)), ` +
              String.raw`fmaSuspect4\(negGa, ga, sq, variance\)\)`,
          ),
          '$1',
        ),
      /variance = fmaFast4\(negGa, ga, sq\) has no fmaSuspect4/,
    ],
    [
      'a suspect line deleted (SGD, the param update)',
      'sgd.ts',
      () => mutant('sgd.ts', /\n.*suspect = v128\.or\(suspect, fmaBySuspect4\(d, lr,.*/, ''),
      /updated = fmaByFast4\(d, lr, slot\(NEG_LR\), p\) has no fmaBySuspect4/,
    ],
    [
      'the suspect test asked of other operands (Adadelta, accDelta)',
      'adadelta.ts',
      () => mutant('adadelta.ts', 'fmaSuspect4(aDelta, delta, cDelta, newAd)', 'fmaSuspect4(a, delta, cDelta, newAd)'),
      /newAd = fmaFast4\(aDelta, delta, cDelta\) has no fmaSuspect4[\s\S]*tests operands that no fast call/,
    ],
    [
      'the suspect test named after another result (Adam, m and v swapped)',
      'adam.ts',
      () => mutant('adam.ts', 'cmLo1, cmHi1, m1)', 'cmLo1, cmHi1, v1)'),
      /m1 = fmaHalvesFast\(.*\) has no fmaHalvesSuspect/,
    ],
    [
      'the mask overwritten instead of ORed (RMSprop, squareAvg)',
      'rmsprop.ts',
      () =>
        mutant(
          'rmsprop.ts',
          'suspect = v128.or(suspect, fmaSuspect4(a, g, c, sq));',
          'suspect = fmaSuspect4(a, g, c, sq);',
        ),
      /suspect holds suspect masks: reassign it only as v128\.or\(suspect, …\)/,
    ],
    [
      'masks ORed but never tested (Adagrad with weight decay)',
      'adagrad.ts',
      () =>
        mutant(
          'adagrad.ts',
          'if (anySuspect(v128.or(suspect, fmaSuspect4(g, g, c, s)))) {',
          'if (anySuspect(suspect)) {',
        ),
      /s = fmaFast4\(g, g, c\) has no fmaSuspect4/,
    ],
    [
      'the accumulated mask not tested (RMSprop)',
      'rmsprop.ts',
      () => mutant('rmsprop.ts', 'if (anySuspect(suspect)) {', 'if (anySuspect(i32x4.splat(0))) {'),
      /the mask of fmaSuspect4\(…\) never reaches anySuspect/,
    ],
    [
      'the mask tested before the last FMA ORs into it (RMSprop)',
      'rmsprop.ts',
      () =>
        mutant(
          'rmsprop.ts',
          '    if (hasMomentum) {\n      b = f32x4.add(',
          '    if (anySuspect(suspect)) return i;\n    if (hasMomentum) {\n      b = f32x4.add(',
        ).replace(
          '    if (anySuspect(suspect)) {\n      rmspropTorchElements',
          '    if (false) {\n      rmspropTorchElements',
        ),
      /never reaches anySuspect/,
    ],
    [
      'an operand reassigned between the fast call and its test',
      'sgd.ts',
      () =>
        mutant(
          'sgd.ts',
          'd = fmaByFast4(b, momentum, slot(MOMENTUM), g);\n',
          'd = fmaByFast4(b, momentum, slot(MOMENTUM), g);\n      g = f32x4.neg(g);\n',
        ),
      /g is assigned between/,
    ],
    [
      'a protocol function imported under another name',
      'adadelta.ts',
      () => mutant('adadelta.ts', 'fmaSuspect4, fmaf', 'fmaSuspect4 as maskOf, fmaf'),
      /fmaSuspect4 imported as maskOf/,
    ],
  ];

  it('fails each mutant, naming what broke', { timeout: TIMEOUT }, () => {
    const { status, stderr } = checkAll(mutants.map(([, file, make], k) => [`mutant${k}.${file}`, make()]));
    expect(status).toBe(1);
    mutants.forEach(([title, file, , expected], k) => {
      const lines = stderr.split('\n').filter((line) => line.includes(`mutant${k}.${file}:`));
      expect(lines.join('\n'), title).toMatch(expected);
    });
  });
});
