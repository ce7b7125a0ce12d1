// Table-driven hyperparameter validation, PyTorch's rules: every numeric option a number that is
// not NaN and not below its minimum (PyTorch: `if not 0.0 <= lr: raise ValueError(...)`), every
// flag a boolean, no unknown keys.
import { describe, rangeError, typeError } from './errors.js';

export type OptionRule =
  | { readonly kind: 'number'; readonly min: number }
  | { readonly kind: 'boolean' };

export type OptionRules<O> = { readonly [K in keyof O]: OptionRule };

/**
 * Where an option sits, for messages: a prefix such as "option " or "paramGroups[#]." whose
 * "#" is replaced by `index`. The label is only built when a check fails, so validating inside
 * step() allocates nothing.
 */
export interface OptionPlace {
  readonly prefix: string;
  readonly index: number;
}

export function optionLabel(place: OptionPlace, key: string): string {
  return `${place.prefix.replace('#', String(place.index))}${key}`;
}

/** Throws if `value` breaks `rule`, naming the option and the value. */
export function checkOption(owner: string, place: OptionPlace, key: string, rule: OptionRule, value: unknown): void {
  if (rule.kind === 'boolean') {
    if (typeof value !== 'boolean') {
      throw typeError(owner, `${optionLabel(place, key)} must be a boolean, got ${describe(value)}`);
    }
    return;
  }
  if (typeof value !== 'number') {
    throw typeError(owner, `${optionLabel(place, key)} must be a number, got ${describe(value)}`);
  }
  if (!(value >= rule.min)) {
    throw rangeError(owner, `invalid ${optionLabel(place, key)}: ${describe(value)} (must be a number ≥ ${rule.min})`);
  }
}

/**
 * Checks every option of a complete option set. `keys` is `Object.keys(rules)`, computed once by
 * the caller: a for-in loop here would allocate on every step.
 */
export function checkOptions<O extends object>(
  owner: string, rules: OptionRules<O>, keys: readonly (keyof O & string)[], options: O, place: OptionPlace,
): void {
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    checkOption(owner, place, key, rules[key], options[key]);
  }
}

/**
 * Throws on a key that is not an option (nor one of `extraKeys`), naming it: `context` opens the
 * message (e.g. "loadStateDict: "), `path` goes before the key (e.g. "param_groups[0].").
 */
export function checkKnownKeys(
  owner: string, rules: object, given: object, extraKeys: readonly string[], context: string, path = '',
): void {
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(rules, key) && !extraKeys.includes(key)) {
      const known = [...Object.keys(rules), ...extraKeys].join(', ');
      throw typeError(owner, `${context}unknown option ${path}${JSON.stringify(key)} (known: ${known})`);
    }
  }
}
