// Table-driven hyperparameter validation, PyTorch's rules: every numeric option a number that is
// not NaN and within its bounds (PyTorch: `if not 0.0 <= lr: raise ValueError(...)`), every
// flag a boolean, pairs (Adam's betas) two such numbers, no unknown keys.
import { describe, rangeError, typeError } from './errors.js';

export type OptionRule =
  | { readonly kind: 'number'; readonly min: number; readonly max?: number; readonly maxExclusive?: boolean }
  | { readonly kind: 'pair'; readonly min: number; readonly max: number; readonly maxExclusive?: boolean }
  | {
      readonly kind: 'boolean';
      /**
       * An option of our own, added after state dicts were first saved (RMSprop's and Adam's
       * `lazy`): a loaded param group without it takes the flavor's default.
       */
      readonly defaultOnLoad?: true;
    };

export type OptionRules<O> = { readonly [K in keyof O]: OptionRule };

/**
 * Where an option sits, for messages: a prefix such as "option " or "paramGroups[#]." whose
 * "#" is replaced by `index`. The label is only built when a check fails.
 */
export interface OptionPlace {
  readonly prefix: string;
  readonly index: number;
}

export function optionLabel(place: OptionPlace, key: string): string {
  return `${place.prefix.replace('#', String(place.index))}${key}`;
}

function inRange(value: number, rule: { min: number; max?: number; maxExclusive?: boolean }): boolean {
  if (!(value >= rule.min)) return false; // NaN fails here too
  if (rule.max === undefined) return true;
  return rule.maxExclusive ? value < rule.max : value <= rule.max;
}

function rangeText(rule: { min: number; max?: number; maxExclusive?: boolean }): string {
  if (rule.max === undefined) return `a number ≥ ${rule.min}`;
  return `a number ≥ ${rule.min} and ${rule.maxExclusive ? '<' : '≤'} ${rule.max}`;
}

/** Throws if `value` breaks `rule`, naming the option and the value. */
/** Checks one option's value against its rule. */
export function checkOption(owner: string, place: OptionPlace, key: string, rule: OptionRule, value: unknown): void {
  switch (rule.kind) {
    case 'boolean':
      if (typeof value !== 'boolean') {
        throw typeError(owner, `${optionLabel(place, key)} must be a boolean, got ${describe(value)}`);
      }
      return;
    case 'number':
      if (typeof value !== 'number') {
        throw typeError(owner, `${optionLabel(place, key)} must be a number, got ${describe(value)}`);
      }
      if (!inRange(value, rule)) {
        throw rangeError(owner, `invalid ${optionLabel(place, key)}: ${describe(value)} (must be ${rangeText(rule)})`);
      }
      return;
    case 'pair': {
      if (!Array.isArray(value) || value.length !== 2 || !value.every((x) => typeof x === 'number')) {
        throw typeError(owner, `${optionLabel(place, key)} must be an array of two numbers, got ${describe(value)}`);
      }
      const pair = value as number[];
      if (!pair.every((x) => inRange(x, rule))) {
        throw rangeError(
          owner,
          `invalid ${optionLabel(place, key)}: [${pair.map(describe).join(', ')}] (each must be ${rangeText(rule)})`,
        );
      }
    }
  }
}

/**
 * Checks every option of a complete option set. `keys` is `Object.keys(rules)`, computed once by
 * the caller: a for-in loop here would allocate.
 */
export function checkOptions<O extends object>(
  owner: string,
  rules: OptionRules<O>,
  keys: readonly (keyof O & string)[],
  options: O,
  place: OptionPlace,
): void {
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    checkOption(owner, place, key, rules[key], options[key]);
  }
}

/**
 * A validated value as the optimizer stores it: pairs become frozen copies, so they cannot
 * change behind a setter. Give it a value from readOptionValue (already a plain copy).
 */
export function storedOption(rule: OptionRule, value: unknown): unknown {
  return rule.kind === 'pair' ? Object.freeze([...(value as number[])]) : value;
}

/**
 * The value a user gave for an option, read once: an array (a pair such as Adam's betas)
 * becomes a plain copy whose elements were each read exactly once, so a getter or a Proxy
 * cannot show one value to the check and another to the store.
 */
export function readOptionValue(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return copyArray(value);
}

/** A plain copy of an array, its length and each element read once (holes become undefined). */
export function copyArray(array: readonly unknown[]): unknown[] {
  const length = array.length;
  const out = new Array<unknown>(length);
  for (let i = 0; i < length; i++) out[i] = array[i];
  return out;
}

/**
 * The user's options object read once: its own enumerable keys, each checked against the
 * rules (or `extraKeys`) and its value read exactly once. Inherited properties (an
 * `Object.prototype.lr` set by other code) are ignored, as in object spread. Undefined values
 * are left out (they mean "the default").
 */
export function readOwnOptions(
  owner: string,
  rules: object,
  given: object,
  extraKeys: readonly string[],
  context: string,
  path = '',
): Record<string, unknown> {
  const keys = Object.keys(given);
  checkKeyList(owner, rules, keys, extraKeys, context, path);
  // No prototype: a key the user did not give must read as undefined, not as whatever
  // Object.prototype holds under that name.
  const out = Object.create(null) as Record<string, unknown>;
  for (const key of keys) {
    const value = readOptionValue((given as Record<string, unknown>)[key]);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * The options object of a method or of a class other than an optimizer (clipGradNorm, an LR
 * scheduler): undefined reads as no options; anything but an object is a TypeError; unknown keys
 * a TypeError naming them; each value read once (arrays copied). `context` opens the messages
 * (e.g. "clipGradNorm: ").
 */
export function readOptionsObject(
  owner: string,
  context: string,
  options: unknown,
  keys: readonly string[],
): Record<string, unknown> {
  if (options === undefined) return Object.create(null) as Record<string, unknown>;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw typeError(owner, `${context}options must be an object, got ${describe(options)}`);
  }
  return readOwnOptions(owner, NO_RULES, options, keys, context);
}

const NO_RULES = Object.freeze({});

/**
 * Throws on a key that is not an option (nor one of `extraKeys`), naming it: `context` opens the
 * message (e.g. "loadStateDict: "), `path` goes before the key (e.g. "param_groups[0].").
 */
function checkKeyList(
  owner: string,
  rules: object,
  keys: readonly string[],
  extraKeys: readonly string[],
  context: string,
  path: string,
): void {
  for (const key of keys) {
    if (!Object.hasOwn(rules, key) && !extraKeys.includes(key)) {
      const known = [...Object.keys(rules), ...extraKeys].join(', ');
      throw typeError(owner, `${context}unknown option ${path}${JSON.stringify(key)} (known: ${known})`);
    }
  }
}
