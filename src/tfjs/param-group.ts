// The one parameter group a wasm-optim/tfjs optimizer shows as `paramGroups`: what wasm-optim's
// LR schedulers (PyTorch's design) read and assign, mapped onto the optimizer's TF.js fields.
// The main entry cannot import this entry (it would need tfjs-core), so schedulers recognize
// these optimizers by the SCHEDULABLE brand instead of instanceof.
import { describe } from '../errors.js';

/**
 * The brand, `Symbol.for('wasm-optim.schedulable')`, true on WasmOptimizer and its instances:
 * they take the options a scheduler sets through `paramGroups`.
 */
export const SCHEDULABLE: unique symbol = Symbol.for('wasm-optim.schedulable') as never;

/**
 * A group of `paramGroups`: live accessors over the optimizer's options (reading shows the
 * current value, assigning sets it for every variable, checked first).
 */
export interface ParamGroupView {
  /** The learning rate (the optimizer's `learningRate`). */
  lr: number;
  /** The momentum factor (momentum and rmsprop only; `momentum`). */
  momentum?: number;
  /** `[beta1, beta2]` (adam and adamax only); assign a new pair, both are checked before either changes. */
  betas?: readonly [number, number];
}

/** Access to the optimizer's wasm-optim options: `field` is the public name for error messages. */
export interface OptionAccess {
  get(key: string): unknown;
  set(key: string, value: unknown, field: string): void;
}

const FIELDS: Readonly<Record<string, string>> = { lr: 'paramGroups[0].lr', momentum: 'paramGroups[0].momentum' };

/** A sealed group object with `lr` and the given options, read and written through `access`. */
export function makeParamGroup(options: readonly ('momentum' | 'betas')[], access: OptionAccess): ParamGroupView {
  const group = {} as ParamGroupView;
  for (const key of ['lr', ...options]) {
    Object.defineProperty(group, key, {
      enumerable: true,
      get: key === 'betas' ? () => Object.freeze([...(access.get(key) as number[])]) : () => access.get(key),
      set: (value: unknown) => {
        if (key !== 'betas') return access.set(key, value, FIELDS[key]!);
        // Read the pair once, then set both: the wasm-optim setter checks each element.
        if (!Array.isArray(value) || value.length !== 2) {
          throw new TypeError(`paramGroups[0].betas must be an array [beta1, beta2], got ${describe(value)}`);
        }
        access.set(key, [value[0], value[1]], 'paramGroups[0].betas');
      },
    });
  }
  return Object.seal(group);
}
