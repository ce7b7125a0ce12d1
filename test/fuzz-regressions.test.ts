// Every case under test/fixtures/fuzz-regressions/ is replayed through the full fuzz checks
// (all backends, the float64 oracle, its laws, its invalid input). A fixture is a shrunk case as
// `wasm-optim fuzz` prints it; one with a "bug" field shows a library bug that is still open
// and is expected to fail (it.fails) until the bug is fixed — then drop the field (and the
// matching KNOWN_BUGS entry in fuzz.test.ts) and it becomes an ordinary regression test.
// Also: the case format round-trips, `--replay` re-runs a case, and the shrinker shrinks.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { caseFromJson, caseToJson, caseToText } from '../src/fuzz/case.js';
import { shrinkFailure } from '../src/fuzz/engine.js';
import { shrinkCase } from '../src/fuzz/shrink.js';
import { buildCase } from '../src/fuzz/generate.js';
import { runCase } from '../src/fuzz/runner.js';
import { parseFuzzArgs } from '../src/cli/fuzz.js';

const DIR = new URL('./fixtures/fuzz-regressions/', import.meta.url);
const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

describe('fuzz regression fixtures', () => {
  it('has fixtures', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const file of files) {
    const json = JSON.parse(readFileSync(new URL(file, DIR), 'utf8')) as Record<string, unknown>;
    const bug = typeof json['bug'] === 'string' ? json['bug'] : undefined;
    const test = bug === undefined ? it : it.fails;
    test(`${file}${bug === undefined ? '' : ` (open library bug: ${bug})`}`, () => {
      const c = caseFromJson(json);
      const result = runCase(c, { stopAtFirst: true });
      const m = result.mismatches[0];
      expect(m, m ? `${m.kind} (${m.check}) after op ${m.op}: ${m.where}: ${m.message}` : '').toBeUndefined();
      expect(result.steps).toBe(c.ops.filter((op) => op.op === 'step').length);
    }, 30_000);
  }
});

describe('the fuzz case format and tools', () => {
  const knobs = {
    algorithm: 'rmsprop', flavor: 'torch' as const, seed: 3, steps: 6, lengths: [5, 0, 17], groups: 1, options: 2, overrides: 1,
    grads: 4, init: 4, sequence: 4, mode: 2, sources: 2, nullGrads: 1, sets: 2, addGroups: 1, checkpoints: 1, bad: 1, laws: 15,
  };

  it('a case survives JSON exactly (NaN, ±Infinity, −0, subnormals) and replays the same', () => {
    const c = buildCase(knobs);
    const text = JSON.stringify(caseToJson(c));
    const back = caseFromJson(JSON.parse(text));
    expect(JSON.stringify(caseToJson(back))).toBe(text);
    expect(caseFromJson(JSON.parse(caseToText(c))).ops.length).toBe(c.ops.length);
    const a = runCase(c), b = runCase(back);
    expect(b.valuesCompared).toBe(a.valuesCompared);
    expect(b.mismatches).toEqual(a.mismatches);
  });

  it('the shrinker reduces a failing case to its essence', () => {
    // A stand-in failure: "some gradient has a value above 1".
    const c = buildCase({ ...knobs, grads: 0, bad: 0, laws: 0 });
    const fails = (x: typeof c): boolean => x.ops.some((op) => op.op === 'step' && op.grads.some((g) => g !== null && g.some((v) => v > 1)));
    expect(fails(c)).toBe(true);
    const { case: small } = shrinkCase(c, fails, { ms: 10_000 });
    expect(fails(small)).toBe(true);
    const steps = small.ops.filter((op) => op.op === 'step');
    expect(steps.length).toBe(1);
    const values = steps.flatMap((op) => (op.op === 'step' ? op.grads.flatMap((g) => (g === null ? [] : [...g])) : []));
    expect(values.filter((v) => v > 1)).toEqual([2]);
    expect(values.length).toBeLessThanOrEqual(2);
  });

  it('shrinkFailure keeps the same failure and reduces the case (a "bad" input that is valid)', () => {
    // A bad-input operation whose value is in fact valid: the runner reports "accepted".
    const c = buildCase({ ...knobs, algorithm: 'adagrad', laws: 0, bad: 0 });
    const ops = [...c.ops];
    ops.splice(ops.length - 1, 0, { op: 'bad', bad: { kind: 'construct', what: 'option', key: 'lr', value: 0.5 } });
    const failing = { ...c, ops };
    const m = runCase(failing).mismatches[0];
    expect(m).toMatchObject({ kind: 'bad-input', check: 'construct' });
    const f = shrinkFailure(failing, m!, {}, 10_000);
    expect(f.shrunkMismatch).toMatchObject({ kind: 'bad-input', check: 'construct' });
    expect(f.shrunkSize.values).toBeLessThanOrEqual(2);
    expect(f.shrunkSize.ops).toBe(1);
    const replayed = caseFromJson(JSON.parse(JSON.stringify(f.shrunk)));
    expect(runCase(replayed).mismatches[0]).toMatchObject({ kind: 'bad-input', message: f.shrunkMismatch.message });
  });

  it('parses the command line as documented', () => {
    expect(parseFuzzArgs(['--seconds', '60'])).toMatchObject({ seconds: 60 });
    expect(parseFuzzArgs(['--cases', '10', '--seed', '0x10', '--algorithm', 'adagrad,rmsprop', '--flavor', 'tfjs', '--json']))
      .toMatchObject({ cases: 10, seed: 16, algorithms: ['adagrad', 'rmsprop'], flavors: ['tfjs'], json: true });
    expect(parseFuzzArgs(['--replay', 'a.json', 'b.json'])).toMatchObject({ replay: ['a.json', 'b.json'] });
    for (const bad of [['--seconds', '-1'], ['--cases', '1.5'], ['--algorithm', 'nope'], ['--flavor', 'jax'], ['--seconds', '1', '--cases', '2'], ['--wat'], ['--replay']]) {
      expect(typeof parseFuzzArgs(bad), bad.join(' ')).toBe('string');
    }
  });
});
