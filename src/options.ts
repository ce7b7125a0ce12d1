// Table-driven hyperparameter validation, PyTorch's rules: every numeric option a number that is
// not NaN and not below its minimum (PyTorch: `if not 0.0 <= lr: raise ValueError(...)`), every
// flag a boolean, no unknown keys.
import { describe, rangeError, typeError } from './errors.js';

export type OptionRule =
  | { readonly kind: 'number'; readonly min: number }
  | { readonly kind: 'boolean' };

export type OptionRules<O> = { readonly [K in keyof O]: OptionRule };

/** Throws if `value` breaks `rule`; `label` names it in the message (e.g. "option lr"). */
export function checkOption(owner: string, label: string, rule: OptionRule, value: unknown): void {
  if (rule.kind === 'boolean') {
    if (typeof value !== 'boolean') {
      throw typeError(owner, `${label} must be a boolean, got ${describe(value)}`);
    }
    return;
  }
  if (typeof value !== 'number') {
    throw typeError(owner, `${label} must be a number, got ${describe(value)}`);
  }
  if (!(value >= rule.min)) {
    throw rangeError(owner, `invalid ${label}: ${describe(value)} (must be a number ≥ ${rule.min})`);
  }
}

/** Checks every option of a complete option set (no allocation unless it throws). */
export function checkOptions<O extends object>(
  owner: string, rules: OptionRules<O>, options: O, where: string,
): void {
  for (const key in rules) {
    checkOption(owner, `${where}${key}`, rules[key], (options as Record<string, unknown>)[key]);
  }
}

/** Throws on a key that is not an option (nor one of `extraKeys`), naming it. */
export function checkKnownKeys(
  owner: string, rules: object, given: object, extraKeys: readonly string[], where: string,
): void {
  for (const key of Object.keys(given)) {
    if (!(key in rules) && !extraKeys.includes(key)) {
      const known = [...Object.keys(rules), ...extraKeys].join(', ');
      throw typeError(owner, `unknown option ${where}${JSON.stringify(key)} (known: ${known})`);
    }
  }
}
