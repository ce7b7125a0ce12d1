// The fuzzer's option domains take their bounds from each algorithm's spec (tools/fuzz/info.ts):
// the values a description lists as worth trying must be valid under those bounds, and the bad
// values the fuzzer derives must be refused by the optimizer, exactly at the rule's limits.
import { describe, expect, it } from 'vitest';
import { ALGORITHM_NAMES, ALGORITHMS } from '../src/registry.js';
import type { Flavor } from '../src/spec.js';
import { invalidValues } from '../tools/fuzz/bad-values.js';
import { algorithmInfo } from '../tools/fuzz/info.js';

/** The class of the error `make` throws, or 'none'. */
function refusal(make: () => unknown): string {
  try {
    make();
  } catch (error) {
    return (error as Error).constructor.name;
  }
  return 'none';
}

describe.each([...ALGORITHM_NAMES])('%s', (name) => {
  const info = algorithmInfo(name);
  const rules = ALGORITHMS[name].spec.rules as Record<string, { kind: string; min?: number; max?: number }>;

  it("every domain's bounds are the spec rule's", () => {
    for (const key of info.keys) {
      const domain = info.domains[key]!;
      const rule = rules[key]!;
      if (rule.kind === 'number') {
        expect(domain.kind, key).toBe('number');
        if (domain.kind === 'number') expect([domain.min, domain.max], key).toEqual([rule.min, rule.max]);
      } else if (rule.kind === 'pair') {
        expect(domain.kind, key).toBe('custom');
      } else {
        expect(domain.kind, key).toBe('boolean');
      }
    }
  });

  it.each(Object.keys(info.flavors) as Flavor[])(
    '%s: every listed edge is accepted, every derived bad value refused with a TypeError or RangeError',
    (flavor) => {
      const flavorInfo = info.flavors[flavor]!;
      const base = { ...flavorInfo.defaults, flavor, backend: 'js' as const };
      for (const key of flavorInfo.supported) {
        const domain = info.domains[key]!;
        if (domain.kind !== 'boolean') {
          for (const edge of domain.edges) {
            const options = { ...base, [key]: edge };
            if (!info.valid(options, flavor)) continue; // a cross-option rule, not the bounds
            expect(() => new ALGORITHMS[name]([1], options), `${key} = ${String(edge)}`).not.toThrow();
          }
        }
        for (const bad of invalidValues(domain, false)) {
          const made = refusal(() => new ALGORITHMS[name]([1], { ...base, [key]: bad }));
          expect(made, `${key} = ${String(bad)}`).toMatch(/^(TypeError|RangeError)$/);
        }
      }
    },
  );
});
