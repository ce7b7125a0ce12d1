// The registry is derived from the package's exports: every exported optimizer class under its
// spec's name lowercased. Its type (AlgorithmName) is derived from the export names, so the two
// must agree: an export whose spec names it differently would be typed under one name and
// found under another.
import { expect, it } from 'vitest';
import * as library from '../src/index.js';
import { Optimizer } from '../src/optimizer.js';
import { ALGORITHM_NAMES, ALGORITHMS, OPTIMIZERS } from '../src/registry.js';

const exportedClasses = Object.entries(library).filter(
  ([, value]) => typeof value === 'function' && value.prototype instanceof Optimizer,
);

it('every exported optimizer class is in the registry under its export name lowercased', () => {
  expect(exportedClasses.length).toBeGreaterThanOrEqual(7);
  expect([...ALGORITHM_NAMES].sort()).toEqual(exportedClasses.map(([name]) => name.toLowerCase()).sort());
  for (const [name, Class] of exportedClasses) {
    expect(OPTIMIZERS[name.toLowerCase()], name).toBe(Class);
    expect(ALGORITHMS[name.toLowerCase() as keyof typeof ALGORITHMS].spec.name.toLowerCase()).toBe(name.toLowerCase());
  }
});

it('each registry class builds an optimizer of its own spec, and nothing else is registered', () => {
  for (const name of ALGORITHM_NAMES) {
    const opt = new ALGORITHMS[name]([new Float32Array(3)], { backend: 'js' });
    expect(opt).toBeInstanceOf(Optimizer);
    opt.dispose();
  }
  expect(OPTIMIZERS['optimizer']).toBeUndefined();
  expect(OPTIMIZERS['paramhandle']).toBeUndefined();
  expect(Object.isFrozen(ALGORITHMS)).toBe(true);
});
