// Invalid input of every kind throws a TypeError or RangeError whose message names the
// argument and the bad value, and leaves the parameters and the state exactly as they were:
// one table, every row run on every backend against an optimizer that has already taken real
// steps (two drop-in, one zero-copy, so its memory is ahead of the user's arrays). After the
// failed call the optimizer must also continue exactly like a twin that never saw it.
// Plus: NaN and ±Infinity in gradients propagate (no clamping), identically on every backend (but
// for the sign of a NaN, which neither WebAssembly nor JavaScript defines).
import { describe, expect, it } from 'vitest';
import { availableBackends, type BackendName, type Flavor } from '../src/index.js';
import type { AlgorithmName } from '../src/registry.js';
import {
  ALGORITHM_TABLE,
  TABLE_NAMES,
  badValues,
  booleanOptions,
  buffersOf,
  classNameOf,
  contractStateOf,
  flavorRow,
  flavorsOf,
  foreignBuffer,
  hasStepOf,
  numericOptions,
  pairOptions,
  requiredBuffersOf,
  unsupportedInputs,
} from './helpers/algorithms.js';
import {
  bitsOf,
  construct,
  gradsFor,
  snapshot,
  values,
  zeroCopyStep,
  type Algo,
  type AnyOptimizer,
} from './helpers/snapshot.js';

const backends = availableBackends();

// ---------------------------------------------------------------- the fixture

const LENGTHS = [5, 3, 7];

interface Fixture {
  algo: Algo;
  flavor: Flavor;
  backend: BackendName;
  opt: AnyOptimizer;
  /** The user's arrays given to the constructor (drop-in parameters). */
  user: Float32Array[];
}

/** The registry name of an algorithm given by class name ('Adagrad' → 'adagrad'). */
const registryName = (algo: Algo): AlgorithmName => TABLE_NAMES.find((name) => classNameOf(name) === algo)!;

/** Options of the second group: the table's `full`, so that every state buffer exists. */
function secondGroup(algo: Algo, flavor: Flavor): Record<string, unknown> {
  return { ...flavorRow(registryName(algo), flavor).full };
}

/** Two groups ([a, b] with the defaults, [c] with secondGroup), after three real steps. */
function fixture(algo: Algo, flavor: Flavor, backend: BackendName): Fixture {
  const user = LENGTHS.map((n, k) => values(n, k + 1));
  const opt = construct(algo, [{ params: [user[0], user[1]] }, { params: [user[2]], ...secondGroup(algo, flavor) }], {
    flavor,
    backend,
  });
  opt.step(gradsFor(LENGTHS, 1));
  opt.step(gradsFor(LENGTHS, 2));
  zeroCopyStep(opt, gradsFor(LENGTHS, 3));
  return { algo, flavor, backend, opt, user };
}

/** One more step after the failed call: drop-in, so memory is written back to user arrays. */
function advance(f: Fixture): void {
  f.opt.step(gradsFor(LENGTHS, 4));
}

// ---------------------------------------------------------------- the table

type ErrorClass = typeof TypeError | typeof RangeError;

interface Row {
  name: string;
  algo: Algo;
  flavor?: Flavor;
  /** Run on the fixture and its twin before the "before" snapshot; returns how to undo it. */
  prepare?: (f: Fixture) => () => void;
  /** The call (or calls) that must throw. */
  act: (f: Fixture) => unknown;
  /** Undoes what act itself legitimately changed before the throw (e.g. an option it set). */
  undo?: (f: Fixture) => void;
  error: ErrorClass;
  /** Must name the argument and the bad value. */
  message: RegExp;
  /** A library bug found by this row: the row is expected to fail until it is fixed. */
  bug?: string;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const edge = (s: string, atEnd: boolean): string => (/\w/.test(atEnd ? s.slice(-1) : s[0]!) ? '\\b' : '');

/** A message naming `arg` and, after it, the bad `value` (both as whole words). */
function names(arg: string, value: string): RegExp {
  return new RegExp(
    `${edge(arg, false)}${escapeRegExp(arg)}${edge(arg, true)}[^]*` +
      `${edge(value, false)}${escapeRegExp(value)}${edge(value, true)}`,
  );
}

/** The buffer names of state[0] (group 0, defaults) and state[2] (secondGroup), torch, from the spec. */
function buffersFor(algorithm: AlgorithmName): { first: string | undefined; last: readonly string[] } {
  return {
    first: buffersOf(algorithm, 'torch', {})[0],
    last: buffersOf(algorithm, 'torch', flavorRow(algorithm, 'torch').full),
  };
}

const arr = (n: number): Float32Array => new Float32Array(n);

/** A state dict as loosely typed as JSON, to break. */
type LooseDict = { state: Record<string, Record<string, unknown>>; param_groups: Record<string, unknown>[] };

/** Loads the fixture's own state dict after `mutate` broke it. */
function loadBroken(mutate: (d: LooseDict) => void): (f: Fixture) => void {
  return (f) => {
    const d = f.opt.stateDict() as unknown as LooseDict;
    mutate(d);
    f.opt.loadStateDict(d as never);
  };
}

/** Sets paramGroups[g][key] to `value` before the snapshot; restores it afterwards. */
function setGroup(g: number, key: string, value: unknown): (f: Fixture) => () => void {
  return (f) => {
    const group = f.opt.paramGroups[g]!;
    const old = group[key];
    group[key] = value;
    return () => {
      group[key] = old;
    };
  };
}

/**
 * An invalid option written through paramGroups[g][key], then `then` (a step): the library may
 * reject the write itself or the step after it; either way one of them must throw. `undo`
 * puts the old value back if the write was accepted (the write is the user's change, not the
 * library's), before checking that nothing else changed.
 */
function breakGroup(g: number, key: string, bad: unknown, then: (f: Fixture) => unknown): Pick<Row, 'act' | 'undo'> {
  const old = new WeakMap<Fixture, unknown>();
  return {
    act: (f) => {
      const group = f.opt.paramGroups[g]!;
      old.set(f, group[key]);
      group[key] = bad;
      return then(f);
    },
    undo: (f) => {
      const group = f.opt.paramGroups[g]!;
      if (!Object.is(group[key], old.get(f))) group[key] = old.get(f);
    },
  };
}
const stepDropIn = (f: Fixture): unknown => f.opt.step(gradsFor(LENGTHS, 9));
const stepZeroCopy = (f: Fixture): unknown => f.opt.step();

function rowsFor(algo: Algo): Row[] {
  const rows: Row[] = [];
  const add = (row: Omit<Row, 'algo'>): void => {
    rows.push({ algo, ...row });
  };
  const ctor =
    (options: Record<string, unknown>, params?: unknown) =>
    (f: Fixture): unknown =>
      construct(algo, params ?? [arr(3)], { backend: f.backend, ...options });
  // What the spec says about this algorithm: its options by kind, what TF.js lacks, its state.
  const algorithm = registryName(algo);
  const NUMERIC = numericOptions(algorithm);
  const BOOLEAN = booleanOptions(algorithm);
  const TFJS_UNSUPPORTED = unsupportedInputs(algorithm, 'tfjs');
  const hasTfjs = ALGORITHM_TABLE[algorithm].tfjs !== undefined;
  /** A numeric option other than lr, for rows that need one: eps where the algorithm has it. */
  const num = NUMERIC.includes('eps') ? 'eps' : NUMERIC.find((key) => key !== 'lr')!;
  /** A boolean option, for rows that need one: maximize where the algorithm has it. */
  const flag = BOOLEAN.includes('maximize') ? 'maximize' : BOOLEAN[0];
  const hasStep = hasStepOf(algorithm, 'torch');

  // ------------------------------------------------------- constructor: hyperparameters
  for (const key of [...NUMERIC, ...BOOLEAN, ...pairOptions(algorithm)]) {
    for (const bad of badValues(algorithm, key)) {
      add({
        name: `option ${key} ${bad.label}`,
        act: ctor({ [key]: bad.value }),
        error: bad.error,
        message: names(`option ${key}`, bad.shown),
      });
    }
  }
  add({
    name: `option ${num} a bigint`,
    act: ctor({ [num]: 1n }),
    error: TypeError,
    message: names(`option ${num}`, '1n'),
  });
  add({
    name: 'unknown option learningRate',
    act: ctor({ learningRate: 0.1 }),
    error: TypeError,
    message: names('unknown option', 'learningRate'),
  });
  add({
    name: 'unknown option decay (the TF.js name)',
    act: ctor({ decay: 0.9 }),
    error: TypeError,
    message: names('unknown option', 'decay'),
  });
  add({
    name: 'unknown option named like an Object.prototype member (constructor)',
    act: ctor({ constructor: 1 }),
    error: TypeError,
    message: names('unknown option', 'constructor'),
  });
  add({
    name: 'options a number',
    act: () => construct(algo, [arr(3)], 0.1),
    error: TypeError,
    message: names('options', '0.1'),
  });
  add({
    name: 'options null',
    act: () => construct(algo, [arr(3)], null),
    error: TypeError,
    message: names('options', 'null'),
  });
  add({
    name: 'unknown flavor',
    act: ctor({ flavor: 'pytorch' }),
    error: RangeError,
    message: names('flavor', '"pytorch"'),
  });
  add({ name: 'flavor a number', act: ctor({ flavor: 1 }), error: RangeError, message: names('flavor', '1') });
  add({
    name: 'unknown backend',
    act: ctor({ backend: 'gpu' }),
    error: RangeError,
    message: names('backend', '"gpu"'),
  });
  add({ name: 'backend a number', act: ctor({ backend: 0 }), error: RangeError, message: names('backend', '0') });
  for (const [key, bad] of TFJS_UNSUPPORTED) {
    add({
      name: `tfjs flavor with ${key}`,
      act: ctor({ flavor: 'tfjs', [key]: bad }),
      error: RangeError,
      message: new RegExp(`${names(`option ${key}`, String(bad)).source}[^]*tfjs`),
    });
    add({
      name: `tfjs flavor with ${key} in a param group`,
      act: ctor({ flavor: 'tfjs' }, [{ params: [arr(2)], [key]: bad }]),
      error: RangeError,
      message: new RegExp(`${names(`param group 0: ${key}`, String(bad)).source}[^]*tfjs`),
    });
  }

  if (!hasTfjs) {
    add({
      name: 'tfjs flavor, which TF.js lacks',
      act: ctor({ flavor: 'tfjs' }),
      error: RangeError,
      message: names("flavor 'tfjs'", 'not available'),
    });
  }

  // ------------------------------------------------------- constructor: params
  add({
    name: 'params a Float32Array, not a list',
    act: (f) => construct(algo, arr(3), { backend: f.backend }),
    error: TypeError,
    message: names('params', 'a Float32Array of length 3'),
  });
  add({
    name: 'params missing',
    act: () => construct(algo, undefined),
    error: TypeError,
    message: names('params', 'undefined'),
  });
  add({
    name: 'params empty',
    act: (f) => construct(algo, [], { backend: f.backend }),
    error: RangeError,
    message: /params is an empty list/,
  });
  add({
    name: 'params containing a Float64Array',
    act: ctor({}, [arr(2), new Float64Array(3)]),
    error: TypeError,
    message: names('params[1]', 'a Float64Array of length 3'),
  });
  add({
    name: 'params containing a number[]',
    act: ctor({}, [[1, 2, 3]]),
    error: TypeError,
    message: names('params[0]', 'an array of length 3'),
  });
  add({
    name: 'params containing null',
    act: ctor({}, [arr(2), null]),
    error: TypeError,
    message: names('params[1]', 'null'),
  });
  add({
    name: 'params containing a negative length',
    act: ctor({}, [-1]),
    error: RangeError,
    message: names('params[0]', '-1'),
  });
  add({
    name: 'params containing a fractional length',
    act: ctor({}, [2.5]),
    error: RangeError,
    message: names('params[0]', '2.5'),
  });
  add({
    name: 'params containing the same array twice',
    act: (f) => {
      const a = arr(3);
      return construct(algo, [a, arr(2), a], { backend: f.backend });
    },
    error: RangeError,
    message: /params\[2\] is the same Float32Array as params\[0\]/,
  });
  add({
    name: 'the same array in two param groups',
    act: (f) => {
      const a = arr(3);
      return construct(algo, [{ params: [a] }, { params: [arr(1), a] }], { backend: f.backend });
    },
    error: RangeError,
    message: /param group 1: params\[1\] is the same Float32Array as a parameter of an earlier group/,
  });
  add({
    name: 'params mixing groups and bare arrays',
    act: ctor({}, [arr(2), { params: [arr(3)] }]),
    error: TypeError,
    message: /mixes param groups and bare parameters/,
  });
  add({
    name: 'a param group without params',
    act: ctor({}, [{ params: [arr(2)] }, { lr: 0.1 }]),
    error: TypeError,
    message: names('param group 1: params', 'undefined'),
  });
  add({
    name: 'a param group with params not a list',
    act: ctor({}, [{ params: arr(2) }]),
    error: TypeError,
    message: names('param group 0: params', 'a Float32Array of length 2'),
  });
  add({
    name: 'a param group with empty params',
    act: ctor({}, [{ params: [] }]),
    error: RangeError,
    message: names('param group 0: params', 'empty'),
  });
  add({
    name: 'a param group with a negative lr',
    act: ctor({}, [{ params: [arr(2)] }, { params: [arr(1)], lr: -1 }]),
    error: RangeError,
    message: names('param group 1: lr', '-1'),
  });
  add({
    name: `a param group with a string ${num}`,
    act: ctor({}, [{ params: [arr(2)], [num]: '1e-8' }]),
    error: TypeError,
    message: names(`param group 0: ${num}`, '"1e-8"'),
  });
  add({
    name: 'a param group with an unknown option',
    act: ctor({}, [{ params: [arr(2)], learningRate: 1 }]),
    error: TypeError,
    message: names('unknown option', 'learningRate'),
  });
  add({
    name: 'a param group with a flavor',
    act: ctor({}, [{ params: [arr(2)], flavor: 'tfjs' }]),
    error: TypeError,
    message: names('unknown option', 'flavor'),
  });

  // ------------------------------------------------------- step(grads)
  add({
    name: 'step with too few grads',
    act: (f) => f.opt.step(gradsFor(LENGTHS, 9).slice(0, 2)),
    error: RangeError,
    message: /step\(grads\)[\s\S]*\b2 gradients for 3 parameters/,
  });
  add({
    name: 'step with too many grads',
    act: (f) => f.opt.step([...gradsFor(LENGTHS, 9), arr(1)]),
    error: RangeError,
    message: /step\(grads\)[\s\S]*\b4 gradients for 3 parameters/,
  });
  add({
    name: 'step with no grads (empty list)',
    act: (f) => f.opt.step([]),
    error: RangeError,
    message: /step\(grads\)[\s\S]*\b0 gradients for 3 parameters/,
  });
  add({
    name: 'step with a grad of the wrong length',
    act: (f) => f.opt.step([arr(5), arr(4), arr(7)]),
    error: RangeError,
    message: names('grads[1]', 'length 4'),
  });
  add({
    name: 'step with a grad of the wrong length last',
    act: (f) => f.opt.step([arr(5), arr(3), arr(8)]),
    error: RangeError,
    message: names('grads[2]', 'length 8'),
  });
  add({
    name: 'step with a Float64Array grad',
    act: (f) => f.opt.step([new Float64Array(5), arr(3), arr(7)] as never),
    error: TypeError,
    message: names('grads[0]', 'a Float64Array of length 5'),
  });
  add({
    name: 'step with a row-sparse grad for a parameter declared without rows',
    act: (f) => f.opt.step([arr(5), { indices: Int32Array.of(0), values: arr(3) } as never, arr(7)]),
    error: TypeError,
    message: /step\(grads\): grads\[1\] is a row-sparse gradient, but parameter 1 was declared without rows/,
  });
  add({
    name: 'zero-copy sparseGrad on a parameter declared without rows',
    act: (f) => f.opt.params[2]!.sparseGrad(1),
    error: TypeError,
    message: /params\[2\]\.sparseGrad: parameter 2 was declared without rows/,
  });
  add({
    name: 'step with a plain-array grad',
    act: (f) => f.opt.step([arr(5), arr(3), [1, 2, 3, 4, 5, 6, 7]] as never),
    error: TypeError,
    message: names('grads[2]', 'an array of length 7'),
  });
  add({
    name: 'step with a number as a grad',
    act: (f) => f.opt.step([arr(5), 3, arr(7)] as never),
    error: TypeError,
    message: names('grads[1]', '3'),
  });
  add({
    name: 'step with grads not a list',
    act: (f) => f.opt.step(arr(15) as never),
    error: TypeError,
    message: names('grads', 'a Float32Array of length 15'),
  });
  add({
    name: 'step with grads null',
    act: (f) => f.opt.step(null as never),
    error: TypeError,
    message: names('grads', 'null'),
  });

  // ------------------------------------------------------- options broken through paramGroups
  for (const key of NUMERIC.filter((k) => badValues(algorithm, k)[0]!.value === -1)) {
    add({
      name: `paramGroups[0].${key} = -1, then step(grads)`,
      ...breakGroup(0, key, -1, stepDropIn),
      error: RangeError,
      message: names(`paramGroups[0].${key}`, '-1'),
    });
  }
  add({
    name: 'paramGroups[0].lr = -1, then zero-copy step()',
    ...breakGroup(0, 'lr', -1, stepZeroCopy),
    error: RangeError,
    message: names('paramGroups[0].lr', '-1'),
  });
  add({
    name: 'paramGroups[1].lr = NaN, then step()',
    ...breakGroup(1, 'lr', NaN, stepZeroCopy),
    error: RangeError,
    message: names('paramGroups[1].lr', 'NaN'),
  });
  add({
    name: `paramGroups[1].${num} a string, then step(grads)`,
    ...breakGroup(1, num, '1e-8', stepDropIn),
    error: TypeError,
    message: names(`paramGroups[1].${num}`, '"1e-8"'),
  });
  add({
    name: 'paramGroups[0].lr undefined, then step()',
    ...breakGroup(0, 'lr', undefined, stepZeroCopy),
    error: TypeError,
    message: names('paramGroups[0].lr', 'undefined'),
  });
  if (flag !== undefined) {
    add({
      name: `paramGroups[0].${flag} a string, then step()`,
      ...breakGroup(0, flag, 'yes', stepZeroCopy),
      error: TypeError,
      message: names(`paramGroups[0].${flag}`, '"yes"'),
    });
  }
  add({
    name: 'a valid paramGroups change but a bad grad: the change is not half-applied',
    prepare: setGroup(0, 'lr', 0.5),
    act: (f) => f.opt.step([arr(5), arr(3), arr(6)]),
    error: RangeError,
    message: names('grads[2]', 'length 6'),
  });
  if (algo === 'RMSprop') {
    add({
      name: 'paramGroups[0].momentum = 0.5 (new buffer needed), then a bad grad',
      prepare: setGroup(0, 'momentum', 0.5),
      act: (f) => f.opt.step([arr(5), arr(2), arr(7)]),
      error: RangeError,
      message: names('grads[1]', 'length 2'),
    });
  }
  for (const [key, bad] of TFJS_UNSUPPORTED) {
    add({
      name: `tfjs: paramGroups[1].${key} set, then step()`,
      flavor: 'tfjs',
      ...breakGroup(1, key, bad, stepZeroCopy),
      error: RangeError,
      message: new RegExp(`${names(`paramGroups[1].${key}`, String(bad)).source}[^]*tfjs`),
    });
  }

  // ------------------------------------------------------- addParamGroup
  add({
    name: 'addParamGroup with a negative lr',
    act: (f) => f.opt.addParamGroup({ params: [arr(2)], lr: -1 }),
    error: RangeError,
    message: names('addParamGroup: lr', '-1'),
  });
  add({
    name: `addParamGroup with a string ${num}`,
    act: (f) => f.opt.addParamGroup({ params: [arr(2)], [num]: 'small' }),
    error: TypeError,
    message: names(`addParamGroup: ${num}`, '"small"'),
  });
  add({
    name: 'addParamGroup with an unknown option',
    act: (f) => f.opt.addParamGroup({ params: [arr(2)], learningRate: 0.1 }),
    error: TypeError,
    message: names('unknown option', 'learningRate'),
  });
  add({
    name: 'addParamGroup with a flavor',
    act: (f) => f.opt.addParamGroup({ params: [arr(2)], flavor: 'tfjs' } as never),
    error: TypeError,
    message: names('unknown option', 'flavor'),
  });
  add({
    name: 'addParamGroup with an array already in the optimizer',
    act: (f) => f.opt.addParamGroup({ params: [arr(2), f.user[1]!] }),
    error: RangeError,
    message: /addParamGroup: params\[1\] is the same Float32Array as a parameter the optimizer already has/,
  });
  add({
    name: 'addParamGroup with the same new array twice',
    act: (f) => {
      const a = arr(2);
      f.opt.addParamGroup({ params: [a, a] });
    },
    error: RangeError,
    message: /addParamGroup: params\[1\] is the same Float32Array as params\[0\]/,
  });
  add({
    name: 'addParamGroup with a Float64Array',
    act: (f) => f.opt.addParamGroup({ params: [new Float64Array(2)] } as never),
    error: TypeError,
    message: names('params[0]', 'a Float64Array of length 2'),
  });
  add({
    name: 'addParamGroup without params',
    act: (f) => f.opt.addParamGroup({ lr: 0.1 } as never),
    error: TypeError,
    message: names('params', 'undefined'),
  });
  add({
    name: 'addParamGroup with params not a list',
    act: (f) => f.opt.addParamGroup({ params: arr(2) } as never),
    error: TypeError,
    message: names('params', 'a Float32Array of length 2'),
  });
  add({
    name: 'addParamGroup with empty params: the message names addParamGroup (or the new group 2), not "param group 0"',
    act: (f) => f.opt.addParamGroup({ params: [] }),
    error: RangeError,
    message: /(addParamGroup|param group 2)[\s\S]*\bparams\b[\s\S]*empty/,
  });
  add({
    name: 'addParamGroup(null)',
    act: (f) => f.opt.addParamGroup(null as never),
    error: TypeError,
    message: /\bnull\b/,
  });
  add({
    name: 'addParamGroup given a bare Float32Array instead of a group',
    act: (f) => f.opt.addParamGroup(arr(2) as never),
    error: TypeError,
    message: names('group', 'a Float32Array of length 2'),
  });
  for (const [key, bad] of TFJS_UNSUPPORTED) {
    add({
      name: `tfjs: addParamGroup with ${key}`,
      flavor: 'tfjs',
      act: (f) => f.opt.addParamGroup({ params: [arr(2)], [key]: bad }),
      error: RangeError,
      message: new RegExp(`${names(`addParamGroup: ${key}`, String(bad)).source}[^]*tfjs`),
    });
  }

  // ------------------------------------------------------- loadStateDict
  const { first, last } = buffersFor(algorithm);
  /** The buffers a loaded entry of parameter 2 must have (an optional one may be left out). */
  const required = requiredBuffersOf(algorithm, 'torch', flavorRow(algorithm, 'torch').full);
  const load = (f: Fixture, d: unknown): void => f.opt.loadStateDict(d as never);
  /** A buffer name of the library this algorithm never keeps; a name no algorithm keeps. */
  const foreign = foreignBuffer(algorithm)!;
  const unknown = contractStateOf(algorithm, 'torch').includes('exp_avg') ? 'exp_avg_max' : 'exp_avg';
  /** A state entry the fixture has: parameter 0's (group 0, defaults) unless those keep no buffer. */
  const entry = first !== undefined ? '0' : '2';
  add({
    name: 'loadStateDict(null)',
    act: (f) => load(f, null),
    error: TypeError,
    message: names('state dict', 'null'),
  });
  add({
    name: 'loadStateDict of a string',
    act: (f) => load(f, '{"state":{}}'),
    error: TypeError,
    message: names('state dict', '"{\\"state\\":{}}"'),
  });
  add({
    name: 'loadStateDict without param_groups',
    act: loadBroken((d) => {
      delete (d as Partial<LooseDict>).param_groups;
    }),
    error: TypeError,
    message: names('param_groups', 'undefined'),
  });
  add({
    name: 'loadStateDict without state',
    act: loadBroken((d) => {
      delete (d as Partial<LooseDict>).state;
    }),
    error: TypeError,
    message: names('state', 'undefined'),
  });
  if (first !== undefined) {
    add({
      name: 'loadStateDict with state an array',
      act: loadBroken((d) => {
        (d as { state: unknown }).state = [d.state['0']];
      }),
      error: TypeError,
      message: names('state', 'an array of length 1'),
    });
  }
  add({
    name: 'loadStateDict with one param group too few',
    act: loadBroken((d) => {
      d.param_groups.pop();
    }),
    error: RangeError,
    message: /\b1 param groups, the optimizer 2\b/,
  });
  add({
    name: 'loadStateDict with one param group too many',
    act: loadBroken((d) => {
      d.param_groups.push({ ...d.param_groups[1]!, params: [3] });
    }),
    error: RangeError,
    message: /\b3 param groups, the optimizer 2\b/,
  });
  add({
    name: 'loadStateDict with a param group not an object',
    act: loadBroken((d) => {
      (d.param_groups as unknown[])[1] = 5;
    }),
    error: TypeError,
    message: names('param_groups[1]', '5'),
  });
  add({
    name: 'loadStateDict with a group listing too few params',
    act: loadBroken((d) => {
      d.param_groups[0]!['params'] = [0];
    }),
    error: RangeError,
    message: names('param_groups[0].params', 'an array of length 1'),
  });
  add({
    name: 'loadStateDict with a group listing other params',
    act: loadBroken((d) => {
      d.param_groups[0]!['params'] = [1, 0];
    }),
    error: RangeError,
    message: names('param_groups[0].params', 'expected [0, 1]'),
  });
  add({
    name: 'loadStateDict with a group listing params as strings',
    act: loadBroken((d) => {
      d.param_groups[1]!['params'] = ['2'];
    }),
    error: RangeError,
    message: names('param_groups[1].params', 'expected [2]'),
  });
  add({
    name: 'loadStateDict with a group without params',
    act: loadBroken((d) => {
      delete d.param_groups[1]!['params'];
    }),
    error: RangeError,
    message: names('param_groups[1].params', 'undefined'),
  });
  add({
    name: 'loadStateDict with a group missing lr',
    act: loadBroken((d) => {
      delete d.param_groups[0]!['lr'];
    }),
    error: RangeError,
    message: names('param_groups[0]', 'lacks option lr'),
  });
  add({
    name: `loadStateDict with a group missing ${num}`,
    act: loadBroken((d) => {
      delete d.param_groups[1]![`${num}`];
    }),
    error: RangeError,
    message: names('param_groups[1]', `lacks option ${num}`),
  });
  if (flag !== undefined) {
    add({
      name: `loadStateDict with a group missing ${flag}`,
      act: loadBroken((d) => {
        delete d.param_groups[1]![`${flag}`];
      }),
      error: RangeError,
      message: names('param_groups[1]', `lacks option ${flag}`),
    });
  }
  add({
    name: 'loadStateDict with a negative lr',
    act: loadBroken((d) => {
      d.param_groups[0]!['lr'] = -1;
    }),
    error: RangeError,
    message: names('param_groups[0].lr', '-1'),
  });
  add({
    name: `loadStateDict with a negative ${num} in group 1`,
    act: loadBroken((d) => {
      d.param_groups[1]![`${num}`] = -1e-8;
    }),
    error: RangeError,
    message: names(`param_groups[1].${num}`, '-1e-8'),
  });
  add({
    name: 'loadStateDict with a string lr',
    act: loadBroken((d) => {
      d.param_groups[0]!['lr'] = '0.1';
    }),
    error: TypeError,
    message: names('param_groups[0].lr', '"0.1"'),
  });
  add({
    name: 'loadStateDict with lr null (NaN after JSON)',
    act: loadBroken((d) => {
      d.param_groups[0]!['lr'] = null;
    }),
    error: TypeError,
    message: names('param_groups[0].lr', 'null'),
  });
  if (flag !== undefined) {
    add({
      name: `loadStateDict with ${flag} a number`,
      act: loadBroken((d) => {
        d.param_groups[1]![`${flag}`] = 0;
      }),
      error: TypeError,
      message: names(`param_groups[1].${flag}`, '0'),
    });
  }
  add({
    name: 'loadStateDict with an unknown option in a group',
    act: loadBroken((d) => {
      d.param_groups[0]!['learningRate'] = 0.1;
    }),
    error: TypeError,
    message: names('param_groups[0].', 'learningRate'),
  });
  add({
    name: 'loadStateDict with an option named like an Object.prototype member (valueOf)',
    act: loadBroken((d) => {
      d.param_groups[0]!['valueOf'] = 1;
    }),
    error: TypeError,
    message: names('param_groups[0].', 'valueOf'),
  });
  for (const [key, bad] of TFJS_UNSUPPORTED) {
    add({
      name: `tfjs: loadStateDict with ${key} set`,
      flavor: 'tfjs',
      act: loadBroken((d) => {
        d.param_groups[1]![key] = bad;
      }),
      error: RangeError,
      message: new RegExp(`${names(`param_groups[1].${key}`, String(bad)).source}[^]*tfjs`),
    });
  }
  if (first !== undefined) {
    add({
      name: 'loadStateDict with state for a parameter that does not exist',
      act: loadBroken((d) => {
        d.state['7'] = d.state['0']!;
      }),
      error: RangeError,
      message: names('state', '"7"'),
    });
  }
  if (first !== undefined) {
    add({
      name: 'loadStateDict with state for parameter -1',
      act: loadBroken((d) => {
        d.state['-1'] = d.state['0']!;
      }),
      error: RangeError,
      message: names('state', '"-1"'),
    });
  }
  if (first !== undefined) {
    add({
      name: 'loadStateDict with state for parameter "x"',
      act: loadBroken((d) => {
        d.state['x'] = d.state['0']!;
      }),
      error: RangeError,
      message: names('state', '"x"'),
    });
  }
  if (first !== undefined) {
    add({
      name: 'loadStateDict with state for parameter 0.5',
      act: loadBroken((d) => {
        d.state['0.5'] = d.state['0']!;
      }),
      error: RangeError,
      message: names('state', '"0.5"'),
    });
  }
  if (first !== undefined) {
    add({
      name: 'loadStateDict with state keyed "01" instead of "1"',
      act: loadBroken((d) => {
        d.state['01'] = d.state['1']!;
        delete d.state['1'];
      }),
      error: RangeError,
      message: names('state', '"01"'),
    });
  }
  add({
    name: 'loadStateDict with a state entry not an object',
    act: loadBroken((d) => {
      (d.state as Record<string, unknown>)['1'] = 5;
    }),
    error: TypeError,
    message: names('state[1]', '5'),
  });
  add({
    name: 'loadStateDict with a state entry null',
    act: loadBroken((d) => {
      (d.state as Record<string, unknown>)['2'] = null;
    }),
    error: TypeError,
    message: names('state[2]', 'null'),
  });
  if (first !== undefined) {
    add({
      name: `loadStateDict with ${first} too short`,
      act: loadBroken((d) => {
        d.state['0']![first] = arr(4);
      }),
      error: RangeError,
      message: names(`state[0].${first}`, 'length 4'),
    });
  }
  if (first !== undefined) {
    add({
      name: `loadStateDict with ${first} too long (number[])`,
      act: loadBroken((d) => {
        d.state['1']![first] = [1, 2, 3, 4];
      }),
      error: RangeError,
      message: names(`state[1].${first}`, 'length 4'),
    });
  }
  for (const name of last) {
    add({
      name: `loadStateDict with ${name} of parameter 2 of the wrong length`,
      act: loadBroken((d) => {
        d.state['2']![name] = arr(6);
      }),
      error: RangeError,
      message: names(`state[2].${name}`, 'length 6'),
    });
    if ((required as readonly string[]).includes(name)) {
      add({
        name: `loadStateDict without ${name} of parameter 2`,
        act: loadBroken((d) => {
          delete d.state['2']![name];
        }),
        error: TypeError,
        message: names(`state[2].${name}`, 'undefined'),
      });
    }
  }
  if (first !== undefined) {
    add({
      name: `loadStateDict with ${first} a string`,
      act: loadBroken((d) => {
        d.state['0']![first] = '0,0,0,0,0';
      }),
      error: TypeError,
      message: names(`state[0].${first}`, '"0,0,0,0,0"'),
    });
  }
  if (first !== undefined) {
    add({
      name: `loadStateDict with ${first} holding a null (NaN after JSON)`,
      act: loadBroken((d) => {
        d.state['0']![first] = [0, 0, null, 0, 0];
      }),
      error: TypeError,
      message: names(`state[0].${first}[2]`, 'null'),
    });
  }
  if (first !== undefined) {
    add({
      name: `loadStateDict with ${first} an Int32Array`,
      act: loadBroken((d) => {
        d.state['0']![first] = new Int32Array(5);
      }),
      error: TypeError,
      message: names(`state[0].${first}`, 'Int32Array of length 5'),
    });
  }
  add({
    name: `loadStateDict with a buffer of another algorithm (${foreign})`,
    act: loadBroken((d) => {
      d.state[entry]![foreign] = arr(5);
    }),
    error: RangeError,
    message: names(`state[${entry}]`, `"${foreign}"`),
  });
  if (first !== undefined) {
    add({
      name: 'loadStateDict with an unknown buffer name',
      act: loadBroken((d) => {
        d.state['1']![unknown] = arr(3);
      }),
      error: RangeError,
      message: names('state[1]', `"${unknown}"`),
    });
  }
  if (algo === 'RMSprop') {
    add({
      name: 'loadStateDict setting momentum > 0 without a momentum_buffer',
      act: loadBroken((d) => {
        d.param_groups[0]!['momentum'] = 0.5;
      }),
      error: TypeError,
      message: names('state[0].momentum_buffer', 'undefined'),
    });
    add({
      name: 'tfjs: loadStateDict without momentum_buffer (TF.js always has it)',
      flavor: 'tfjs',
      act: loadBroken((d) => {
        delete d.state['0']!['momentum_buffer'];
      }),
      error: TypeError,
      message: names('state[0].momentum_buffer', 'undefined'),
    });
  }
  if (hasStep) {
    for (const [label, bad, shown] of [
      ['negative', -1, '-1'],
      ['fractional', 1.5, '1.5'],
      ['NaN', NaN, 'NaN'],
      ['Infinity', Infinity, 'Infinity'],
    ] as const) {
      add({
        name: `loadStateDict with a ${label} step`,
        act: loadBroken((d) => {
          d.state['1']!['step'] = bad;
        }),
        error: RangeError,
        message: names('state[1].step', shown),
      });
    }
    add({
      name: 'loadStateDict with a string step',
      act: loadBroken((d) => {
        d.state['0']!['step'] = '3';
      }),
      error: TypeError,
      message: names('state[0].step', '"3"'),
    });
    add({
      name: 'loadStateDict without a step',
      act: loadBroken((d) => {
        delete d.state['2']!['step'];
      }),
      error: TypeError,
      message: names('state[2].step', 'undefined'),
    });
  }
  add({
    name: 'loadStateDict with new options and a bad last buffer: nothing is applied',
    act: loadBroken((d) => {
      d.param_groups[0]!['lr'] = 0.5;
      d.param_groups[1]!['lr'] = 0.25;
      if (hasStep && first !== undefined) d.state['0']!['step'] = 40;
      d.state['2']![last[0]!] = arr(2);
    }),
    error: RangeError,
    message: names(`state[2].${last[0]!}`, 'length 2'),
  });
  return rows;
}

/** Every algorithm of the table, by class name (its messages' prefix). */
const ALGOS: readonly Algo[] = TABLE_NAMES.map(classNameOf);

const ROWS: Row[] = ALGOS.flatMap(rowsFor);

describe.each(backends)('backend %s', (backend) => {
  describe.each(ALGOS)('%s', (algo) => {
    for (const row of ROWS.filter((r) => r.algo === algo)) {
      const test = row.bug === undefined ? it : it.fails;
      test(row.name, () => {
        const flavor = row.flavor ?? 'torch';
        const f = fixture(algo, flavor, backend);
        const twin = fixture(algo, flavor, backend);
        const restore = row.prepare?.(f);
        const restoreTwin = row.prepare?.(twin);
        const before = snapshot(f.opt, f.user);
        expect(snapshot(twin.opt, twin.user)).toEqual(before);

        let caught: unknown;
        try {
          row.act(f);
        } catch (error) {
          caught = error;
        }
        expect(caught, 'must throw').toBeInstanceOf(Error);
        const error = caught as Error;
        expect(error.constructor, error.message).toBe(row.error);
        expect(error.message).toMatch(new RegExp(`^${algo}: `));
        expect(error.message).toMatch(row.message);

        // Nothing changed: user arrays, memory, options, defaults, state.
        row.undo?.(f);
        expect(snapshot(f.opt, f.user)).toEqual(before);
        // And nothing hidden changed either: it continues exactly like its twin.
        restore?.();
        restoreTwin?.();
        advance(f);
        advance(twin);
        expect(snapshot(f.opt, f.user)).toEqual(snapshot(twin.opt, twin.user));
      });
    }
  });
});

it('the table covers every option of every algorithm', () => {
  expect(ROWS.length).toBeGreaterThan(200 * (ALGOS.length / 2));
  for (const algo of ALGOS) {
    const algorithm = registryName(algo);
    const opt = construct(algo, [arr(1)]);
    const optionKeys = Object.keys(opt.stateDict().param_groups[0]!)
      .filter((k) => k !== 'params')
      .sort();
    const options = [...numericOptions(algorithm), ...booleanOptions(algorithm), ...pairOptions(algorithm)];
    expect(options.sort(), algo).toEqual(optionKeys);
    for (const key of options) {
      expect(
        ROWS.some((row) => row.algo === algo && row.name.startsWith(`option ${key} `)),
        `${algo}: a row for option ${key}`,
      ).toBe(true);
    }
  }
});

// ---------------------------------------------------------------- NaN and Infinity

describe('NaN and ±Infinity in gradients propagate, identically on every backend', () => {
  const NAN_PAYLOAD = 0x7fc12345; // a quiet NaN with a payload
  const nanWithPayload = new Float32Array(new Uint32Array([NAN_PAYLOAD]).buffer)[0]!;
  /**
   * The sign of a NaN that arithmetic returns is not defined by WebAssembly (an "arithmetic NaN"
   * of either sign) nor observable in JavaScript, and the engines' tiers differ: (−ga)·ga with ga a
   * NaN (RMSprop centered) came out +NaN or −NaN from run to run as Liftoff, TurboFan and V8's
   * JS tiers took over (1 run in 3); AMSGrad's f32x4.max gives +NaN where the scalar max gives
   * −NaN. So NaNs compare with their sign cleared, payload and every other bit exact.
   */
  /** Raw bits with the sign of every NaN cleared. */
  const signFree = (bits: number[]): number[] =>
    bits.map((b) => ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0 ? b & 0x7fffffff : b));
  interface Case {
    algo: Algo;
    flavor: Flavor;
    options: Record<string, unknown>;
    /** The buffer holding fl(g²). */
    squares: string;
  }
  const cases: Case[] = [
    { algo: 'Adagrad', flavor: 'torch', options: { lr: 0.1, weightDecay: 0.01 }, squares: 'sum' },
    { algo: 'Adagrad', flavor: 'tfjs', options: { lr: 0.1 }, squares: 'sum' },
    { algo: 'RMSprop', flavor: 'torch', options: { lr: 0.01 }, squares: 'square_avg' },
    { algo: 'RMSprop', flavor: 'torch', options: { lr: 0.01, momentum: 0.9, centered: true }, squares: 'square_avg' },
    { algo: 'RMSprop', flavor: 'tfjs', options: { lr: 0.01, momentum: 0.9 }, squares: 'square_avg' },
    // Every algorithm of the table with a g² buffer, each flavor with every buffer on.
    ...TABLE_NAMES.flatMap((algorithm) => {
      const squares = ALGORITHM_TABLE[algorithm].squares;
      if (squares === undefined) return [];
      return flavorsOf(algorithm).flatMap((flavor) => {
        const { full, pair } = flavorRow(algorithm, flavor);
        return [full, pair[0]].map((options) => ({
          algo: classNameOf(algorithm),
          flavor,
          options: { ...options },
          squares,
        }));
      });
    }),
  ];
  const BAD = [0, 5, 6]; // NaN, +Infinity, -Infinity

  const run = (c: Case, backend: BackendName, finiteOnly: boolean) => {
    const w = values(9, 7);
    const opt = construct(c.algo, [w], { ...c.options, flavor: c.flavor, backend });
    const first = values(9, 8);
    if (!finiteOnly) {
      first[0] = nanWithPayload;
      first[5] = Infinity;
      first[6] = -Infinity;
    }
    opt.step([first]);
    const afterFirst = bitsOf(w);
    const stateAfterFirst = opt.stateDict().state[0] as unknown as Record<string, Float32Array | number>;
    opt.step([values(9, 9)]);
    return {
      w,
      afterFirst,
      stateAfterFirst,
      state: opt.stateDict().state[0] as unknown as Record<string, Float32Array | number>,
    };
  };

  for (const c of cases) {
    it(`${c.algo} ${c.flavor} ${JSON.stringify(c.options)}`, () => {
      /** A buffer's bits as the backends must agree on them: all but the sign of a NaN. */
      const agreed = (value: Float32Array): number[] => signFree(bitsOf(value));
      const results = backends.map((backend) => run(c, backend, false));
      const reference = run(c, 'js', true);
      const { w, state, stateAfterFirst } = results[0]!;
      const accumulator = stateAfterFirst[c.squares] as Float32Array;
      for (const k of BAD) {
        expect(Number.isNaN(w[k]!), `param ${k} after a non-finite grad`).toBe(true);
      }
      // After the first step: the NaN's own bits travel through (its payload survives in the
      // accumulator), and ±Infinity squared is +Infinity there, not clamped to the largest float.
      expect(bitsOf(accumulator)[0]).toBe(NAN_PAYLOAD);
      expect(accumulator[5]).toBe(Infinity);
      expect(accumulator[6]).toBe(Infinity);
      // After the second (finite) step the NaN params keep the coordinates NaN: no recovery.
      const accumulatorNow = state[c.squares] as Float32Array;
      expect(Number.isNaN(accumulatorNow[0]!)).toBe(true);
      expect(accumulatorNow[5]! === Infinity || Number.isNaN(accumulatorNow[5]!)).toBe(true);
      // The other coordinates are untouched by their neighbours' NaNs.
      const clean = bitsOf(reference.w);
      bitsOf(w).forEach((bits, i) => {
        if (!BAD.includes(i)) expect(bits, `param ${i}`).toBe(clean[i]);
      });
      // Every backend: the same bits, NaNs included, after each step and in the state.
      for (const other of results.slice(1)) {
        expect(signFree(other.afterFirst)).toEqual(signFree(results[0]!.afterFirst));
        for (const [name, value] of Object.entries(stateAfterFirst)) {
          const theirs = other.stateAfterFirst[name]!;
          if (typeof value === 'number') expect(theirs).toBe(value);
          else expect(agreed(theirs as Float32Array), name).toEqual(agreed(value));
        }
        expect(agreed(other.w)).toEqual(agreed(w));
        for (const [name, value] of Object.entries(state)) {
          const theirs = other.state[name]!;
          if (typeof value === 'number') expect(theirs).toBe(value);
          else expect(agreed(theirs as Float32Array), name).toEqual(agreed(value));
        }
      }
    });
  }
});
