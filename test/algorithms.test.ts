// The table of algorithms (test/helpers/algorithms.ts) against the registry and the specs: a
// registry algorithm without a row, or a row that disagrees with its spec, fails here with a
// message saying what to add, before any suite silently skips the algorithm.
import { describe, expect, it } from 'vitest';
import { ALGORITHM_NAMES, ALGORITHMS } from '../src/registry.js';
import { FLAVORS } from '../src/spec.js';
import {
  ALGORITHM_TABLE,
  FLAVOR_CASES,
  buffersOf,
  contractStateOf,
  flavorRow,
  flavorsOf,
  missingRows,
  specFor,
  withDefaults,
} from './helpers/algorithms.js';
import { construct } from './helpers/snapshot.js';

it('has a row for every registry algorithm', () => {
  const missing = missingRows();
  expect(
    missing,
    `add a row for ${missing.join(', ')} to ALGORITHM_TABLE in test/helpers/algorithms.ts (and its golden fixtures)`,
  ).toEqual([]);
  expect(Object.keys(ALGORITHM_TABLE).sort(), 'no row for an algorithm the registry lacks').toEqual(
    [...ALGORITHM_NAMES].sort(),
  );
  expect(Object.keys(ALGORITHMS)).toEqual([...ALGORITHM_NAMES]);
});

describe.each([...ALGORITHM_NAMES])('%s', (algorithm) => {
  const spec = specFor(algorithm);
  const row = ALGORITHM_TABLE[algorithm];

  it('has an entry for exactly the flavors its spec has', () => {
    const specFlavors = FLAVORS.filter((flavor) => spec.flavors[flavor] !== undefined);
    expect(flavorsOf(algorithm), `entries of ${algorithm} in test/helpers/algorithms.ts`).toEqual(specFlavors);
  });

  it('has an FMA trap, or says why its kernel has no fused operation', () => {
    const traps = row.fma.decay !== undefined || row.fma.loaded !== undefined;
    expect(traps !== (row.fma.none !== undefined)).toBe(true);
    for (const trap of [row.fma.decay, row.fma.loaded]) {
      if (trap === undefined) continue;
      expect(contractStateOf(algorithm, 'torch')).toContain(trap.state);
      for (const key of Object.keys(trap.options)) expect(spec.rules).toHaveProperty(key);
    }
  });

  it('state created at construction: untouched options make it all zeros in every flavor', () => {
    if (!spec.stateAtConstruction) return;
    expect(row.untouched, `${algorithm} creates state at construction: give its row \`untouched\``).toBeDefined();
    for (const flavor of flavorsOf(algorithm)) {
      const options = withDefaults(algorithm, flavor, row.untouched!);
      for (const name of contractStateOf(algorithm, flavor)) {
        expect(spec.flavors[flavor]!.initialValue(name, options), `${flavor} ${name}`).toBe(0);
      }
    }
  });

  it('its squares buffer (if any) is one of its buffers', () => {
    if (row.squares !== undefined) expect(contractStateOf(algorithm, 'torch')).toContain(row.squares);
  });
});

describe.each(FLAVOR_CASES)('$name', ({ algorithm, flavor }) => {
  const spec = specFor(algorithm);
  const entry = flavorRow(algorithm, flavor);
  const unsupported = spec.flavors[flavor]!.unsupported as readonly string[];
  const everyOptionSet = [
    ['grid', Object.fromEntries(Object.entries(entry.grid).map(([k, v]) => [k, v[0]]))],
    ['full', entry.full],
    ['pair[0]', entry.pair[0]],
    ['pair[1]', entry.pair[1]],
    ...(entry.partial ?? []).map((options, i) => [`partial[${i}]`, options] as const),
    ['tail', flavor === 'torch' ? ALGORITHM_TABLE[algorithm].tail : {}],
  ] as const;

  it.each(everyOptionSet)('%s: known options only, none the flavor lacks', (_name, options) => {
    for (const key of Object.keys(options)) {
      expect(spec.rules, `option ${key}`).toHaveProperty(key);
      expect(unsupported, `${flavor} lacks ${key}`).not.toContain(key);
    }
  });

  it('grid: every option listed with at least one value', () => {
    for (const [key, values] of Object.entries(entry.grid)) expect(values.length, key).toBeGreaterThan(0);
  });

  it('full: switches on every buffer the kernel may touch', () => {
    const wanted = contractStateOf(algorithm, flavor);
    // SGD's tfjs entry too: with momentum it is tf.train.momentum's state (plain tf.train.sgd keeps none).
    expect([...buffersOf(algorithm, flavor, entry.full)].sort()).toEqual([...wanted].sort());
  });

  it('pair: the two option sets differ in every option the flavor supports', () => {
    const [x, y] = entry.pair.map((options) => withDefaults(algorithm, flavor, options));
    for (const key of Object.keys(spec.rules).filter((k) => !unsupported.includes(k))) {
      expect(JSON.stringify(x![key]) !== JSON.stringify(y![key]), `pair differs in ${key}`).toBe(true);
    }
  });

  it('pair: each set, and the second over the first, is valid', () => {
    const [x, y] = entry.pair;
    for (const options of [x, y, { ...x, ...y }]) {
      expect(() => construct(algorithm, [1], { ...options, flavor, backend: 'js' })).not.toThrow();
    }
  });

  it('full and partial configurations are valid', () => {
    for (const options of [entry.full, ...(entry.partial ?? [])]) {
      expect(() => construct(algorithm, [1], { ...options, flavor, backend: 'js' })).not.toThrow();
    }
  });

  if (flavor === 'tfjs') {
    const tf = ALGORITHM_TABLE[algorithm].tfjs?.tf;
    it('TF.js mapping: every parameter sets a supported option; weights name real buffers', () => {
      if (tf === undefined) return;
      for (const [, option] of tf.params) {
        if (option === null) continue;
        const key = option.replace(/\[\d\]$/, '');
        expect(spec.rules, option).toHaveProperty(key);
        expect(unsupported).not.toContain(key);
      }
      for (const state of Object.values(tf.weights)) expect(contractStateOf(algorithm, flavor)).toContain(state);
      for (const args of tf.calls) expect(args.length).toBeLessThanOrEqual(tf.params.length);
    });
  }
});
