// Constructor options of the schedulers: read once (own keys only, unknown keys refused) and
// checked one by one, each error naming the option: "StepLR: option stepSize must be …".
import { describe, rangeError, typeError } from '../errors.js';
import { readOptionsObject } from '../options.js';

/**
 * The options object read once (src/options.ts readOptionsObject: own keys, each value read
 * once, unknown keys a TypeError); `required`: undefined is refused too.
 */
export function readOptions(
  owner: string,
  options: unknown,
  known: readonly string[],
  required = false,
): Record<string, unknown> {
  if (options === undefined && required) {
    throw typeError(owner, `options must be an object, got ${describe(options)}`);
  }
  return readOptionsObject(owner, '', options, known);
}

function fail(owner: string, key: string, rule: string, value: unknown): Error {
  const message = `option ${key} must be ${rule}, got ${describe(value)}`;
  return typeof value === 'number' ? rangeError(owner, message) : typeError(owner, message);
}

/** A number satisfying `ok` (default: any number but NaN), or `fallback` when absent. */
export function numberOption(
  owner: string,
  o: Record<string, unknown>,
  key: string,
  fallback: number | undefined,
  rule = 'a number',
  ok: (x: number) => boolean = (x) => !Number.isNaN(x),
): number {
  const value = o[key];
  if (value === undefined) {
    if (fallback === undefined) throw typeError(owner, `option ${key} is required (${rule})`);
    return fallback;
  }
  if (typeof value !== 'number' || !ok(value)) throw fail(owner, key, rule, value);
  return value;
}

/** An integer satisfying `ok`, or `fallback` when absent. */
export function integerOption(
  owner: string,
  o: Record<string, unknown>,
  key: string,
  fallback: number | undefined,
  rule = 'an integer',
  ok: (x: number) => boolean = () => true,
): number {
  return numberOption(owner, o, key, fallback, rule, (x) => Number.isSafeInteger(x) && ok(x));
}

/** A boolean, or `fallback` when absent. */
export function booleanOption(owner: string, o: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const value = o[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw fail(owner, key, 'a boolean', value);
  return value;
}

/** One of the given strings, or `fallback` when absent. */
export function choiceOption<T extends string>(
  owner: string,
  o: Record<string, unknown>,
  key: string,
  choices: readonly T[],
  fallback: T,
): T {
  const value = o[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    const message = `option ${key} must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${describe(value)}`;
    throw typeof value === 'string' ? rangeError(owner, message) : typeError(owner, message);
  }
  return value as T;
}

/**
 * A number or an array with one number per param group (PyTorch's "float or list"), each
 * satisfying `ok`; returned as one value per group.
 */
export function perGroupOption(
  owner: string,
  o: Record<string, unknown>,
  key: string,
  fallback: number | undefined,
  groups: number,
  rule: string,
  ok: (x: number) => boolean,
): number[] {
  const value = o[key];
  if (Array.isArray(value)) {
    if (value.length !== groups) {
      throw rangeError(owner, `option ${key}: expected ${groups} values (one per param group), got ${value.length}`);
    }
    value.forEach((x, i) => {
      if (typeof x !== 'number' || !ok(x)) throw fail(owner, `${key}[${i}]`, rule, x);
    });
    return value as number[];
  }
  const x = numberOption(owner, o, key, fallback, `${rule} (or an array of ${groups}, one per param group)`, ok);
  return new Array<number>(groups).fill(x);
}

/** A function, or `fallback` when absent. */
export function functionOption<F extends (...args: never[]) => unknown>(
  owner: string,
  o: Record<string, unknown>,
  key: string,
  fallback: F | undefined,
): F | undefined {
  const value = o[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'function') throw fail(owner, key, 'a function', value);
  return value as F;
}

/** lastEpoch: −1 (start) or a non-negative integer (resume). */
export function lastEpochOption(owner: string, o: Record<string, unknown>): number {
  return integerOption(owner, o, 'lastEpoch', -1, 'an integer ≥ −1', (x) => x >= -1);
}
