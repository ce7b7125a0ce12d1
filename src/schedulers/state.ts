// Scheduler state dicts: PyTorch's keys (snake_case, as `scheduler.state_dict()` names them),
// JSON-safe values (±Infinity and NaN as strings), and a reader that validates every key of a
// dict before anything is loaded.
import { describe, rangeError, typeError } from '../errors.js';

/**
 * A number as a state dict stores it: finite numbers as themselves, `Infinity`, `-Infinity` and
 * `NaN` as those strings, so that `JSON.parse(JSON.stringify(dict))` loads back exactly.
 */
export type StateNumber = number | 'Infinity' | '-Infinity' | 'NaN';

/** A scheduler's state dict: PyTorch's keys, JSON-safe values. */
export type SchedulerStateDict = { [key: string]: unknown };

/** Encodes a number for a state dict (non-finite numbers become strings). */
export function encodeNumber(x: number): StateNumber {
  if (Number.isFinite(x)) return x;
  return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
}

/** Decodes a state dict number: a number, or one of the strings encodeNumber writes; else undefined. */
export function decodeNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  if (value === 'NaN') return NaN;
  return undefined;
}

/**
 * PyTorch state-dict keys that hold nothing we can load (functions, weak references) or
 * nothing that matters here (verbose printing): accepted and ignored, so that a PyTorch
 * state dict exported to JSON loads.
 */
const IGNORED = new Set([
  'verbose',
  '_get_lr_called_within_step',
  'lr_lambdas',
  '_scale_fn_ref',
  '_scale_fn_custom',
  'anneal_func',
]);

/**
 * Reads a state dict for loadStateDict: each accessor validates one key (absent keys read as
 * undefined: PyTorch's load is `__dict__.update`, keeping what the dict does not mention);
 * finish() rejects keys nobody read. Throws before anything is changed.
 */
export class StateReader {
  readonly #owner: string;
  readonly #dict: Record<string, unknown>;
  readonly #read = new Set<string>();

  constructor(owner: string, dict: unknown) {
    this.#owner = owner;
    if (dict === null || typeof dict !== 'object' || Array.isArray(dict)) {
      throw typeError(owner, `loadStateDict: the state dict must be an object, got ${describe(dict)}`);
    }
    this.#dict = dict as Record<string, unknown>;
  }

  /** The raw value of a key (own properties only), marking it read. */
  raw(key: string): unknown {
    this.#read.add(key);
    return Object.hasOwn(this.#dict, key) ? this.#dict[key] : undefined;
  }

  /** A number (or an encoded non-finite one) satisfying `ok`, described by `rule`. */
  number(key: string, rule = 'a number', ok: (x: number) => boolean = () => true): number | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    const x = decodeNumber(value);
    if (x === undefined) throw this.typeError(key, rule, value);
    if (!ok(x)) throw this.rangeError(key, rule, value);
    return x;
  }

  /** An integer satisfying `ok`. */
  integer(key: string, rule = 'an integer', ok: (x: number) => boolean = () => true): number | undefined {
    return this.number(key, rule, (x) => Number.isInteger(x) && ok(x));
  }

  /** A boolean. */
  boolean(key: string): boolean | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') throw this.typeError(key, 'a boolean', value);
    return value;
  }

  /** One of the given strings. */
  choice<T extends string>(key: string, choices: readonly T[]): T | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
      const rule = `one of ${choices.map((c) => `'${c}'`).join(', ')}`;
      throw typeof value === 'string' ? this.rangeError(key, rule, value) : this.typeError(key, rule, value);
    }
    return value as T;
  }

  /** An array of `length` numbers, each satisfying `ok` (a copy). */
  numbers(
    key: string,
    length: number,
    rule = 'a number',
    ok: (x: number) => boolean = () => true,
  ): number[] | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) throw this.typeError(key, `an array of ${length} numbers`, value);
    if (value.length !== length) {
      throw rangeError(this.#owner, `loadStateDict: ${key} must have ${length} elements, got ${value.length}`);
    }
    const out = new Array<number>(length);
    for (let i = 0; i < length; i++) {
      const x = decodeNumber(value[i]);
      if (x === undefined) throw this.typeError(`${key}[${i}]`, rule, value[i]);
      if (!ok(x)) throw this.rangeError(`${key}[${i}]`, rule, value[i]);
      out[i] = x;
    }
    return out;
  }

  /** Rejects keys that no accessor read (and that are not PyTorch's ignorable ones). */
  finish(): void {
    for (const key of Object.keys(this.#dict)) {
      if (!this.#read.has(key) && !IGNORED.has(key)) {
        throw rangeError(this.#owner, `loadStateDict: unknown key ${describe(key)} in the state dict`);
      }
    }
  }

  typeError(key: string, rule: string, value: unknown): TypeError {
    return typeError(this.#owner, `loadStateDict: ${key} must be ${rule}, got ${describe(value)}`);
  }

  rangeError(key: string, rule: string, value: unknown): RangeError {
    return rangeError(this.#owner, `loadStateDict: ${key} must be ${rule}, got ${describe(value)}`);
  }
}
