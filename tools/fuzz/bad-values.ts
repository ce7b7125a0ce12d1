// Values the library must refuse, shared by the invalid-input generators (generate.ts) and the
// failed additions (failed-add.ts): per option domain, per flavor, and as parameters.
import type { Flavor } from '#lib/spec.js';
import type { Domain } from './describe.js';
import { sameValue, sampleDomain, type AlgorithmInfo } from './info.js';
import type { Random } from './random.js';

/** Values no option of this domain accepts (in a constructor, a group or a state dict). */
export function invalidValues(domain: Domain, withUndefined: boolean): unknown[] {
  const extra = withUndefined ? [undefined] : [];
  if (domain.kind === 'boolean') return [0, 1, 'true', null, {}, NaN, ...extra];
  if (domain.kind === 'custom') return [...(domain.invalid ?? []), ...extra];
  const out: unknown[] = [NaN, '0.1', null, true, {}, [0.5], 1n, ...extra];
  const min = domain.min;
  if (min !== undefined && Number.isFinite(min))
    out.push(-Infinity, min === 0 ? -Number.MIN_VALUE : min - Math.abs(min) * 1e-6, min - 1);
  if (domain.max !== undefined) out.push(domain.maxExclusive ? domain.max : domain.max + 1, Infinity);
  return out;
}

/** An invalid value for option `key`, or a supported-elsewhere value this flavor rejects. */
export function badOptionValue(
  info: AlgorithmInfo,
  flavor: Flavor,
  key: string,
  r: Random,
  withUndefined: boolean,
): unknown {
  const fi = info.flavors[flavor]!;
  if (fi.unsupported.has(key) && r.chance(0.5)) {
    for (let i = 0; i < 10; i++) {
      const v = sampleDomain(info.domains[key]!, r, 0.7);
      if (!sameValue(v, fi.defaults[key])) return v;
    }
  }
  const pool = invalidValues(info.domains[key]!, withUndefined);
  return pool.length > 0 ? r.pick(pool) : NaN;
}

/** Parameters that are neither a Float32Array nor a valid length. */
export const BAD_PARAMS: readonly unknown[] = [
  new Float64Array(3),
  -1,
  1.5,
  2 ** 31,
  '3',
  null,
  [1, 2],
  NaN,
  new Int32Array(2),
  true,
];
