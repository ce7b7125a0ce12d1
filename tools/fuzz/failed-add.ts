// Failed additions: addParamGroup calls that must throw a TypeError or RangeError and leave the
// optimizer exactly as it was — parameters, state dict, options, memoryBytes, and every later
// step (the runner's "twin" law: a lane that never saw the call must stay equal). The bad part
// sits among valid new tensors, so that a library adding parameters one by one and failing
// half-way shows a half-added parameter.
//
// Too-large requests are lengths whose parameter alone cannot fit in 4 GiB of memory
// (4·length rounds up to 4 GiB): they fail at the first allocation even in a library that
// checks nothing up front, so they cost nothing to try. 2^30 is one past the largest length the
// library accepts.
import type { Flavor } from '#lib/spec.js';
import { BAD_PARAMS, badOptionValue } from './bad-values.js';
import type { AddGroupBadOp, NewTensor, Options } from './case.js';
import { encodeAny } from './f32.js';
import type { AlgorithmInfo } from './info.js';
import type { Random } from './random.js';

export const TOO_LARGE: readonly number[] = [2 ** 30 - 1, 2 ** 30 - 3, 2 ** 30];

const UNKNOWN_KEYS = ['lrr', 'momentun', 'learningRate', 'foo'];

/** A few small valid tensors (caller's arrays or lengths). */
function newTensors(r: Random, max: number): NewTensor[] {
  return Array.from({ length: r.int(max + 1) }, () => ({
    length: r.pick([0, 1, 3, 5, 16, 17, 33]),
    source: r.chance(0.6),
  }));
}

export interface FailedAddContext {
  readonly info: AlgorithmInfo;
  readonly flavor: Flavor;
  /** Whether some parameter was given as the caller's array (a `duplicate` needs one). */
  readonly hasSources: boolean;
  /** Valid option overrides for a new group. */
  validOptions(r: Random): Options;
}

/** One failing addParamGroup call. */
export function randomFailedAdd(ctx: FailedAddContext, r: Random): AddGroupBadOp {
  const { info, flavor } = ctx;
  const around = { before: newTensors(r, 2), after: newTensors(r, 1) };
  const options = r.chance(0.3) ? { options: encodeAny(ctx.validOptions(r)) as Options } : {};
  const kinds = ['option', 'unknownOption', 'param', 'duplicate', 'selfDuplicate', 'tooLarge'] as const;
  let what = kinds[r.weighted([25, 10, 20, 10, 10, 25])]!;
  if (what === 'duplicate' && !ctx.hasSources) what = 'selfDuplicate';
  switch (what) {
    case 'option': {
      // Mostly lr, the option everyone sets.
      const key = r.chance(0.5) || !info.keys.includes('lr') ? r.pick(info.keys) : 'lr';
      return {
        kind: 'addGroup',
        what,
        key,
        value: encodeAny(badOptionValue(info, flavor, key, r, false)),
        ...around,
        ...options,
      };
    }
    case 'unknownOption':
      return { kind: 'addGroup', what, key: r.pick(UNKNOWN_KEYS), ...around, ...options };
    case 'param':
      return { kind: 'addGroup', what, value: encodeAny(r.pick(BAD_PARAMS)), ...around, ...options };
    case 'duplicate':
      return { kind: 'addGroup', what, pick: r.next(), ...around, ...options };
    case 'selfDuplicate':
      return { kind: 'addGroup', what, ...around, ...options };
    case 'tooLarge':
      return { kind: 'addGroup', what, value: r.pick(TOO_LARGE), ...around, ...options };
  }
}
