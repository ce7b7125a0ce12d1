// Checkpoints through plain JSON (src/state-json.ts): every algorithm of the registry, in every
// flavor it has, on every backend, resumes bit for bit from JSON text, with NaN (payloads
// included), ±Infinity, −0 and subnormals in parameters and state and −0 and Infinity in
// options; the codec itself keeps every bit pattern; malformed checkpoints are refused with an
// error naming the bad field.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as library from '../src/index.js';
import { availableBackends, stateDictFromJSON, stateDictToJSON, type StateDictJSON } from '../src/index.js';
import {
  type AlgorithmName,
  OPTIMIZERS,
  type AnyOptimizer,
  type OptimizerClass,
  specOfAlgorithm,
} from '../src/registry.js';
import { FLAVORS, type Flavor } from '../src/spec.js';
import {
  TABLE_NAMES,
  flavorRow,
  pairOptions,
  stateKeysOf,
  flavorsOf as tableFlavorsOf,
  withDefaults,
} from './helpers/algorithms.js';
import { randomF32, rng } from './helpers/random.js';

// ---------------------------------------------------------------- helpers

/** The raw bits of a float32 array: −0 ≠ 0, and NaNs compare by payload. */
const bits = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** A float32 array from raw bits. */
const fromBits = (words: readonly number[]): Float32Array => new Float32Array(Uint32Array.from(words).buffer);

/** A structure with every Float32Array as its bits and every number as text (−0, NaN, Infinity distinct). */
function exact(value: unknown): unknown {
  if (typeof value === 'number') return `n:${Object.is(value, -0) ? '-0' : String(value)}`;
  if (value instanceof Float32Array) return { f32: bits(value) };
  if (ArrayBuffer.isView(value))
    return { [value.constructor.name]: Array.from(value as unknown as ArrayLike<number>, exact) };
  if (Array.isArray(value)) return value.map(exact);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).map((k) => [k, exact((value as Record<string, unknown>)[k])]));
  }
  return value;
}

/** Throws unless `value` holds only strings, finite numbers other than −0, booleans, arrays and plain objects. */
function expectJsonSafe(value: unknown, path = '$'): void {
  if (typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    expect(Number.isFinite(value) && !Object.is(value, -0), `${path} = ${String(value)}`).toBe(true);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, k) => expectJsonSafe(item, `${path}[${k}]`));
    return;
  }
  expect(
    value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype,
    `${path} is a plain object`,
  ).toBe(true);
  for (const [key, item] of Object.entries(value as object)) expectJsonSafe(item, `${path}.${key}`);
}

/** What a user does: the JSON form to text and back (the text crosses a file or the network). */
const throughText = (json: StateDictJSON): unknown => JSON.parse(JSON.stringify(json));

/** A one-parameter dict around `buffer`, for codec tests. */
const dictOf = (buffer: unknown): { state: Record<number, object>; param_groups: object[] } => ({
  state: { 0: { step: 1, sum: buffer } },
  param_groups: [{ lr: 0.1, params: [0] }],
});

const sumOf = (json: unknown): Float32Array => stateDictFromJSON(json as StateDictJSON).state[0]!.sum!;

// ---------------------------------------------------------------- every algorithm, flavor, backend

interface FlavorCase {
  /** Options under which the state holds every buffer the algorithm keeps in this flavor (the table's `full`). */
  readonly options: Record<string, unknown>;
  /** The keys of a state entry then, sorted (from the spec: its buffers, aux keys and step). */
  readonly keys: readonly string[];
}

/** One entry per algorithm of src/registry.ts, one per flavor it has (checked below), from the table. */
const CASES: Readonly<Record<string, Partial<Record<Flavor, FlavorCase>>>> = Object.fromEntries(
  TABLE_NAMES.map((algorithm) => [
    algorithm,
    Object.fromEntries(
      tableFlavorsOf(algorithm).map((flavor) => {
        const options = flavorRow(algorithm, flavor).full;
        return [flavor, { options, keys: stateKeysOf(algorithm, flavor, options) }];
      }),
    ),
  ]),
);

/** The flavors a class has: those its constructor accepts (AdamW: torch only). */
function flavorsOf(Class: OptimizerClass): Flavor[] {
  return FLAVORS.filter((flavor) => {
    try {
      new Class([new Float32Array(1)], { flavor, backend: 'js' });
      return true;
    } catch (error) {
      if (error instanceof RangeError && /flavor/.test(error.message)) return false;
      throw error;
    }
  });
}

/**
 * Float32 values optimizers choke on, by their bits: NaNs with payloads and signs, infinities, zeros, subnormals,
 * extremes.
 */
const SPECIAL_BITS = [
  0x7fc00000,
  0xffc00000,
  0x7fc0beef,
  0x7f800001,
  0xff812345, // NaNs: quiet, negative, payloads, signalling
  0x7f800000,
  0xff800000,
  0x80000000,
  0x00000000, // ±Infinity, −0, +0
  0x00000001,
  0x80000001,
  0x000fffff,
  0x807fffff, // subnormals
  0x00800000,
  0x7f7fffff,
  0xff7fffff, // smallest normal, ±largest finite
];

/** Normal values with the special ones spread through (at `shift`, `shift` + 3, …). */
function paramValues(length: number, seed: number, shift: number): Float32Array {
  const out = randomF32(rng(seed), length, 'normal');
  const u32 = new Uint32Array(out.buffer);
  for (let k = 0; k < SPECIAL_BITS.length && shift + 3 * k < length; k++) u32[shift + 3 * k] = SPECIAL_BITS[k]!;
  return out;
}

/** Five tensors in three groups: specials, plain values, an empty tensor, a length past a SIMD block. */
const LENGTHS = [53, 5, 37, 0, 9];
const GROUPS = [[0, 1], [2, 3], [4]];

function initialParams(): Float32Array[] {
  return LENGTHS.map((n, i) => paramValues(n, 100 + i, i));
}

/**
 * Gradients of step t: mostly normal, with NaN, ±Infinity, −0, subnormals and huge values (a different pattern each
 * step).
 */
function gradients(t: number): Float32Array[] {
  return LENGTHS.map((n, i) => randomF32(rng(1000 * t + i), n, 'special'));
}

/**
 * The groups: the algorithm's options from the constructor's defaults; group 1 with −0 (lr,
 * weightDecay, Adam's β1), group 2 with lr = Infinity. `withOptions` false: the groups give
 * no options (a twin whose options must come from the checkpoint).
 */
function groups(params: readonly Float32Array[], algorithm: string, withOptions: boolean): Record<string, unknown>[] {
  const rules = specOfAlgorithm(algorithm as AlgorithmName).rules as Record<string, unknown>;
  const negativeZero: Record<string, unknown> = { lr: -0, ...('weightDecay' in rules ? { weightDecay: -0 } : {}) };
  // Every pair (Adam's betas) with a −0 first, its second from the defaults.
  for (const key of pairOptions(algorithm as AlgorithmName)) {
    const pair = withDefaults(algorithm as AlgorithmName, 'torch', {})[key] as readonly number[];
    negativeZero[key] = [-0, pair[1]];
  }
  const extras = [{}, negativeZero, { lr: Infinity }];
  return GROUPS.map((indices, g) => ({ params: indices.map((i) => params[i]!), ...(withOptions ? extras[g] : {}) }));
}

/**
 * Everything a resumed run must match: each parameter in memory and in the caller's array, and the whole state dict.
 */
function observe(opt: AnyOptimizer, userArrays: readonly Float32Array[]): unknown {
  return {
    data: opt.params.map((p) => bits(p.data)),
    user: userArrays.map(bits),
    state: exact(opt.stateDict()),
  };
}

const backends = availableBackends();

describe('the case table covers the registry', () => {
  it.each(Object.keys(OPTIMIZERS))('%s: one case per flavor the optimizer has', (name) => {
    expect(Object.keys(CASES[name] ?? {}).sort()).toEqual(flavorsOf(OPTIMIZERS[name]!).sort());
  });

  // TF.js has no AdamW, NAdam, RAdam or SparseAdam.
  const TORCH_ONLY = ['adamw', 'nadam', 'radam', 'sparseadam'];

  it('AdamW, NAdam, RAdam and SparseAdam are torch only; every other algorithm has both flavors', () => {
    for (const name of TORCH_ONLY) expect(flavorsOf(OPTIMIZERS[name]!), name).toEqual(['torch']);
    for (const name of Object.keys(OPTIMIZERS).filter((n) => !TORCH_ONLY.includes(n))) {
      expect(flavorsOf(OPTIMIZERS[name]!), name).toEqual(['torch', 'tfjs']);
    }
  });
});

const RESUME_CASES = Object.entries(CASES).flatMap(([algorithm, flavors]) =>
  Object.entries(flavors).flatMap(([flavor, testCase]) =>
    backends.map((backend) => ({ algorithm, flavor: flavor as Flavor, backend, testCase: testCase! })),
  ),
);

describe('a run resumed from JSON text continues bit for bit', () => {
  it.each(RESUME_CASES)('$algorithm / $flavor / $backend', ({ algorithm, flavor, backend, testCase }) => {
    const Class = OPTIMIZERS[algorithm]!;
    const userArrays = initialParams();
    const opt = new Class(groups(userArrays, algorithm, true) as never, { ...testCase.options, flavor, backend });
    for (let t = 1; t <= 3; t++) opt.step(gradients(t));

    const dict = opt.stateDict();
    for (const [i, entry] of Object.entries(dict.state)) {
      expect(Object.keys(entry).sort(), `state[${i}] holds every buffer`).toEqual(testCase.keys);
    }
    const json = stateDictToJSON(dict);
    expectJsonSafe(json);
    const restored = stateDictFromJSON(throughText(json) as StateDictJSON);
    expect(exact(restored), 'the dict after JSON text, bit for bit').toEqual(exact(dict));

    // A twin with the same parameter bits and no options of its own: the checkpoint brings them.
    const twinArrays = opt.params.map((p) => p.data.slice());
    const twin = new Class(groups(twinArrays, algorithm, false) as never, { flavor, backend });
    twin.loadStateDict(restored as never);
    expect(observe(twin, twinArrays)).toEqual(observe(opt, userArrays));
    expect(Object.is(twin.paramGroups[1]!['lr' as never], -0), 'lr = -0 restored').toBe(true);
    expect(twin.paramGroups[2]!['lr' as never]).toBe(Infinity);

    for (let t = 4; t <= 6; t++) {
      const grads = gradients(t);
      opt.step(grads);
      twin.step(grads);
      expect(observe(twin, twinArrays), `after step ${t}`).toEqual(observe(opt, userArrays));
    }
  });
});

describe('options JSON cannot hold', () => {
  it('−0, Infinity and a −0 inside a pair are tagged, and come back as themselves', () => {
    const userArrays = initialParams();
    const opt = new library.Adam(groups(userArrays, 'adam', true) as never, { amsgrad: true, backend: 'js' });
    opt.step(gradients(1));
    const dict = opt.stateDict();
    const json = stateDictToJSON(dict);
    expect(json.param_groups[1]!['lr']).toEqual({ $number: '-0' });
    expect(json.param_groups[1]!['weightDecay']).toEqual({ $number: '-0' });
    expect(json.param_groups[1]!['betas']).toEqual([{ $number: '-0' }, 0.999]);
    expect(json.param_groups[2]!['lr']).toEqual({ $number: 'Infinity' });
    const back = stateDictFromJSON(JSON.stringify(json));
    expect(Object.is(back.param_groups[1]!['lr'], -0)).toBe(true);
    expect(Object.is((back.param_groups[1]!['betas'] as number[])[0], -0)).toBe(true);
    expect(back.param_groups[2]!['lr']).toBe(Infinity);
    // What the tags are for: plain JSON turns these into 0 and null.
    const plain = JSON.parse(JSON.stringify(dict)) as { param_groups: Record<string, unknown>[] };
    expect(Object.is(plain.param_groups[1]!['lr'], 0)).toBe(true);
    expect(plain.param_groups[2]!['lr']).toBeNull();
  });

  it('NaN, ±Infinity and −0 anywhere in a group or as an aux number', () => {
    const dict = {
      state: { 0: { step: 2, acc_beta1: -0, acc_beta2: NaN, sum: new Float32Array(2) } },
      param_groups: [{ a: NaN, b: -Infinity, c: [Infinity, [-0, 1.5]], d: 'text', e: true, params: [0] }],
    };
    const json = stateDictToJSON(dict);
    expectJsonSafe(json);
    expect(json.state['0']!['acc_beta1']).toEqual({ $number: '-0' });
    expect(json.param_groups[0]).toEqual({
      a: { $number: 'NaN' },
      b: { $number: '-Infinity' },
      c: [{ $number: 'Infinity' }, [{ $number: '-0' }, 1.5]],
      d: 'text',
      e: true,
      params: [0],
    });
    expect(exact(stateDictFromJSON(throughText(json) as StateDictJSON))).toEqual(exact(dict));
  });
});

describe('flavor (needs stateDict() to record it and loadStateDict() to check it)', () => {
  it.each(Object.keys(OPTIMIZERS))("%s: the checkpoint keeps the optimizer's flavor", (name) => {
    for (const flavor of flavorsOf(OPTIMIZERS[name]!)) {
      const opt = new OPTIMIZERS[name]!([new Float32Array([1, 2])], { flavor, backend: 'js' });
      opt.step([new Float32Array([0.5, -0.5])]);
      const json = stateDictToJSON(opt.stateDict());
      expect(json.flavor, `${name} ${flavor}`).toBe(flavor);
      expect(stateDictFromJSON(throughText(json) as StateDictJSON).flavor).toBe(flavor);
    }
  });

  it('a checkpoint of the other flavor is refused by loadStateDict', () => {
    const torch = new library.Adagrad([new Float32Array([1, 2])], { backend: 'js' });
    torch.step([new Float32Array([0.5, -0.5])]);
    const text = JSON.stringify(stateDictToJSON({ ...torch.stateDict(), flavor: 'torch' }));
    const tfjs = new library.Adagrad([new Float32Array([1, 2])], { flavor: 'tfjs', backend: 'js' });
    expect(() => tfjs.loadStateDict(stateDictFromJSON(text) as never)).toThrow(RangeError);
    expect(() => tfjs.loadStateDict(stateDictFromJSON(text) as never)).toThrow(/flavor/);
  });
});

describe('flavor, as the codec sees it', () => {
  it('is kept when present, absent when absent', () => {
    const withFlavor = stateDictToJSON({ ...dictOf(new Float32Array(1)), flavor: 'tfjs' });
    expect(Object.keys(withFlavor)).toEqual(['format', 'version', 'flavor', 'state', 'param_groups']);
    expect(stateDictFromJSON(throughText(withFlavor) as StateDictJSON).flavor).toBe('tfjs');
    const without = stateDictToJSON(dictOf(new Float32Array(1)));
    expect('flavor' in without).toBe(false);
    expect('flavor' in stateDictFromJSON(throughText(without) as StateDictJSON)).toBe(false);
  });

  it('a checkpoint without flavor loads (an older dict, or one built by hand)', () => {
    const opt = new library.RMSprop([new Float32Array([1, -0, NaN])], { momentum: 0.5, backend: 'js' });
    opt.step([new Float32Array([0.5, -0.5, 1])]);
    const { flavor: _flavor, ...dict } = opt.stateDict() as unknown as { flavor?: Flavor } & Record<string, unknown>;
    const back = stateDictFromJSON(JSON.stringify(stateDictToJSON(dict as never)));
    const twin = new library.RMSprop([opt.params[0]!.data.slice()], { backend: 'js' });
    twin.loadStateDict(back as never);
    expect(exact(twin.stateDict())).toEqual(exact(opt.stateDict()));
  });
});

// ---------------------------------------------------------------- the codec

describe('buffers: base64 of little-endian float32 bytes', () => {
  it('a known vector: [1, −0, NaN]', () => {
    const json = stateDictToJSON(dictOf(new Float32Array([1, -0, NaN])));
    expect(json.state['0']!['sum']).toEqual({ dtype: 'float32', base64: 'AACAPwAAAIAAAMB/' });
    expect(bits(sumOf(json))).toEqual([0x3f800000, 0x80000000, 0x7fc00000]);
  });

  it('every bit pattern survives, at every length mod 3 (padding), and agrees with an independent encoder', () => {
    const next = rng(7);
    for (const length of [0, 1, 2, 3, 4, 5, 6, 7, 8, 63, 64, 65, 1000, 1 << 20]) {
      const words = Array.from({ length }, () => Math.floor(next() * 2 ** 32));
      const buffer = fromBits(words);
      const json = stateDictToJSON(dictOf(buffer));
      const base64 = (json.state['0']!['sum'] as { base64: string }).base64;
      expect(base64, `length ${length}`).toBe(Buffer.from(buffer.buffer).toString('base64'));
      expect(bits(sumOf(throughText(json))), `length ${length}`).toEqual(words);
    }
  });

  it('NaN payloads, signalling NaNs, ±Infinity, ±0 and subnormals survive the JSON text', () => {
    const json = throughText(stateDictToJSON(dictOf(fromBits(SPECIAL_BITS))));
    expect(bits(sumOf(json))).toEqual(SPECIAL_BITS);
  });

  it('a view encodes its own elements only, and the result shares no memory with the input', () => {
    const whole = new Float32Array([1, 2, 3, 4, 5]);
    const view = whole.subarray(1, 3);
    const back = sumOf(throughText(stateDictToJSON(dictOf(view))));
    expect(Array.from(back)).toEqual([2, 3]);
    back[0] = 99;
    expect(whole[1]).toBe(2);
  });

  it(
    'number arrays, Float64Arrays and JSON\'s {"0": …} of a Float32Array are rounded to float32, as loadStateDict ' +
      'stores them',
    () => {
      const want = bits(new Float32Array([0.1, -0, 1e-46, 3]));
      for (const input of [
        [0.1, -0, 1e-46, 3],
        new Float64Array([0.1, -0, 1e-46, 3]),
        { 0: 0.1, 1: -0, 2: 1e-46, 3: 3 },
      ]) {
        expect(bits(sumOf(throughText(stateDictToJSON(dictOf(input)))))).toEqual(want);
      }
    },
  );

  it('decodes into Float32Arrays loadStateDict takes, and accepts the JSON text itself', () => {
    const json = stateDictToJSON(dictOf(new Float32Array([1, 2])));
    const back = stateDictFromJSON(JSON.stringify(json));
    expect(back.state[0]!.sum).toBeInstanceOf(Float32Array);
    expect(back.state[0]!.step).toBe(1);
    expect(back.param_groups).toEqual([{ lr: 0.1, params: [0] }]);
  });

  it('the JSON form is marked with its format and version', () => {
    const json = stateDictToJSON(dictOf(new Float32Array(1)));
    expect(json.format).toBe('wasm-optim/state-dict');
    expect(json.version).toBe(1);
  });

  it('a key "__proto__" stays a key (loadStateDict then refuses it by name), not a prototype', () => {
    const back = stateDictFromJSON(
      '{"format":"wasm-optim/state-dict","version":1,"state":{},' +
        '"param_groups":[{"__proto__":{"$number":"-0"},"params":[0]}]}',
    );
    const group = back.param_groups[0]!;
    expect(Object.getPrototypeOf(group)).toBe(Object.prototype);
    expect(Object.keys(group)).toEqual(['__proto__', 'params']);
    expect(Object.is(Object.getOwnPropertyDescriptor(group, '__proto__')!.value, -0)).toBe(true);
  });

  it('the input dict is left as it was', () => {
    const dict = dictOf(new Float32Array([1, NaN]));
    const before = exact(dict);
    stateDictToJSON(dict);
    expect(exact(dict)).toEqual(before);
  });
});

// ---------------------------------------------------------------- malformed input

/** A valid checkpoint to break: one buffer of two floats, one group. */
function valid(): Record<string, unknown> & {
  state: Record<string, Record<string, unknown>>;
  param_groups: Record<string, unknown>[];
} {
  return JSON.parse(JSON.stringify(stateDictToJSON({ ...dictOf(new Float32Array([1, 2])), flavor: 'torch' })));
}

type Breaker = (j: ReturnType<typeof valid>) => unknown;
const sum =
  (base64: unknown): Breaker =>
  (j) => {
    j.state['0']!['sum'] = { dtype: 'float32', base64 };
    return j;
  };

const MALFORMED: [string, Breaker, typeof TypeError | typeof RangeError, RegExp][] = [
  ['not an object', () => 42, TypeError, /^stateDictFromJSON: the checkpoint must be an object, got 42$/],
  ['null', () => null, TypeError, /the checkpoint must be an object, got null/],
  ['an array', () => [], TypeError, /the checkpoint must be an object, got an array/],
  ['text that is not JSON', () => '{"format":', TypeError, /^stateDictFromJSON: the text is not JSON/],
  [
    'no format tag',
    (j) => {
      delete j['format'];
      return j;
    },
    TypeError,
    /^stateDictFromJSON: format is undefined, expected "wasm-optim\/state-dict"/,
  ],
  [
    'another format tag',
    (j) => {
      j['format'] = 'pytorch';
      return j;
    },
    RangeError,
    /format is "pytorch", expected "wasm-optim\/state-dict"/,
  ],
  [
    'version as a string',
    (j) => {
      j['version'] = '1';
      return j;
    },
    TypeError,
    /version must be a whole number, got "1"/,
  ],
  [
    'a fractional version',
    (j) => {
      j['version'] = 1.5;
      return j;
    },
    TypeError,
    /version must be a whole number, got 1.5/,
  ],
  [
    'a newer version',
    (j) => {
      j['version'] = 2;
      return j;
    },
    RangeError,
    /version 2 is unknown \(written by a newer wasm-optim\?\); this library reads versions 1/,
  ],
  [
    'a newer version with keys of its own',
    (j) => Object.assign(j, { version: 2, chunks: [] }),
    RangeError,
    /version 2 is unknown/,
  ],
  [
    'version 0',
    (j) => {
      j['version'] = 0;
      return j;
    },
    RangeError,
    /version 0 is unknown; this library reads versions 1/,
  ],
  [
    'an unexpected top-level key',
    (j) => {
      j['extra'] = 1;
      return j;
    },
    RangeError,
    /the checkpoint has an unexpected key "extra"/,
  ],
  [
    'an unknown flavor',
    (j) => {
      j['flavor'] = 'jax';
      return j;
    },
    RangeError,
    /flavor is "jax", expected one of "torch", "tfjs"/,
  ],
  [
    'a flavor that is not a string',
    (j) => {
      j['flavor'] = 1;
      return j;
    },
    TypeError,
    /flavor must be a string, got 1/,
  ],
  [
    'state as an array',
    (j) => Object.assign(j, { state: [] }),
    TypeError,
    /^stateDictFromJSON: state must be an object, got an array of length 0$/,
  ],
  [
    'a state key that is not an index',
    (j) => {
      j.state['x'] = {};
      return j;
    },
    RangeError,
    /state has a key "x" that is not a parameter index/,
  ],
  [
    'a state key with a leading zero',
    (j) => {
      j.state['01'] = {};
      return j;
    },
    RangeError,
    /state has a key "01"/,
  ],
  [
    'a state entry that is not an object',
    (j) => {
      j.state['0'] = 5 as never;
      return j;
    },
    TypeError,
    /state\[0\] must be an object, got 5/,
  ],
  [
    'a step as a string',
    (j) => {
      j.state['0']!['step'] = '3';
      return j;
    },
    TypeError,
    new RegExp(
      String.raw`^stateDictFromJSON: state\[0\]\.step must be a number, \{"\$number": …\} ` +
        String.raw`or \{"dtype": "float32", "base64": …\}, got "3"$`,
    ),
  ],
  [
    'a buffer as null (plain JSON of NaN)',
    (j) => {
      j.state['0']!['sum'] = null;
      return j;
    },
    TypeError,
    /state\[0\]\.sum must be a number/,
  ],
  [
    'a buffer as a plain array',
    (j) => {
      j.state['0']!['sum'] = [1, 2];
      return j;
    },
    TypeError,
    /state\[0\]\.sum must be a number, .* got an array of length 2/,
  ],
  [
    'a buffer of another dtype',
    (j) => {
      (j.state['0']!['sum'] as Record<string, unknown>)['dtype'] = 'float64';
      return j;
    },
    RangeError,
    /state\[0\]\.sum\.dtype is "float64", expected "float32"/,
  ],
  [
    'a buffer with an extra key',
    (j) => {
      (j.state['0']!['sum'] as Record<string, unknown>)['length'] = 2;
      return j;
    },
    RangeError,
    /state\[0\]\.sum has an unexpected key "length" \(expected dtype, base64\)/,
  ],
  ['base64 that is not a string', sum(123), TypeError, /state\[0\]\.sum\.base64 must be a string, got 123/],
  [
    'a character outside base64',
    sum('AAAA!AAA'),
    RangeError,
    /^stateDictFromJSON: state\[0\]\.sum\.base64 is not base64 \(invalid character "!" at offset 4\)$/,
  ],
  [
    'URL-safe base64',
    sum('AAAA_-AA'),
    RangeError,
    /state\[0\]\.sum\.base64 is not base64 \(invalid character "_" at offset 4\)/,
  ],
  [
    'a non-ASCII character whose low byte is a base64 letter',
    sum('AAA\u0141'),
    RangeError,
    /is not base64 \(invalid character "Ł" at offset 3\)/,
  ],
  [
    'padding in the middle',
    sum('AA==AAAA'),
    RangeError,
    /state\[0\]\.sum\.base64 is not base64 \(invalid character "=" at offset 2\)/,
  ],
  [
    'a bad character in the padded last group',
    sum('AAAAAAAAA!A='),
    RangeError,
    /is not base64 \(invalid character "!" at offset 9\)/,
  ],
  [
    'a length that is not a multiple of 4',
    sum('AAAAAAA'),
    RangeError,
    /state\[0\]\.sum\.base64 is not base64 \(its length 7 is not a multiple of 4\)/,
  ],
  ['whitespace (atob would skip it)', sum('AAAA AAA'), RangeError, /invalid character " " at offset 4/],
  [
    '5 bytes: not whole float32 values',
    sum('AAAAAAA='),
    RangeError,
    /^stateDictFromJSON: state\[0\]\.sum\.base64 holds 5 bytes, not a whole number of float32 values \(4 bytes each\)$/,
  ],
  ['2 bytes', sum('AAA='), RangeError, /state\[0\]\.sum\.base64 holds 2 bytes/],
  [
    'non-zero bits under the padding',
    sum('AAAAAAAAAAB='),
    RangeError,
    /state\[0\]\.sum\.base64 is not base64 \(non-zero bits in its padded last group\)/,
  ],
  [
    'a special number that is finite',
    (j) => {
      j.state['0']!['step'] = { $number: '1.5' };
      return j;
    },
    RangeError,
    /state\[0\]\.step\.\$number is "1.5", expected one of "NaN", "Infinity", "-Infinity", "-0"/,
  ],
  [
    'a special number that is not a string',
    (j) => {
      j.param_groups[0]!['lr'] = { $number: 0 };
      return j;
    },
    TypeError,
    /param_groups\[0\]\.lr\.\$number must be a string, got 0/,
  ],
  [
    'a special number with an extra key',
    (j) => {
      j.param_groups[0]!['lr'] = { $number: '-0', x: 1 };
      return j;
    },
    RangeError,
    /param_groups\[0\]\.lr has an unexpected key "x"/,
  ],
  [
    'param_groups not an array',
    (j) => Object.assign(j, { param_groups: {} }),
    TypeError,
    /param_groups must be an array, got an object/,
  ],
  [
    'a group that is not an object',
    (j) => Object.assign(j, { param_groups: [1] }),
    TypeError,
    /param_groups\[0\] must be an object, got 1/,
  ],
  [
    'an option as an object',
    (j) => {
      j.param_groups[0]!['lr'] = {};
      return j;
    },
    TypeError,
    new RegExp(
      String.raw`^stateDictFromJSON: param_groups\[0\]\.lr must be a number, \{"\$number": …\}, ` +
        String.raw`boolean, string or array, got an object \(Object\)$`,
    ),
  ],
  [
    'a bad element deep in an option',
    (j) => {
      j.param_groups[0]!['betas'] = [0.9, [1, null]];
      return j;
    },
    TypeError,
    /param_groups\[0\]\.betas\[1\]\[1\] must be a number/,
  ],
  [
    'a buffer among the options',
    (j) => {
      j.param_groups[0]!['lr'] = { dtype: 'float32', base64: '' };
      return j;
    },
    TypeError,
    /param_groups\[0\]\.lr must be a number/,
  ],
];

describe('stateDictFromJSON refuses malformed checkpoints, naming the bad field', () => {
  it('the valid checkpoint the cases break is accepted', () => {
    expect(bits(stateDictFromJSON(valid() as unknown as StateDictJSON).state[0]!.sum!)).toEqual(
      bits(new Float32Array([1, 2])),
    );
    expect(stateDictFromJSON(JSON.stringify(sum('')(valid()))).state[0]!.sum!.length).toBe(0);
  });

  it.each(MALFORMED)('%s', (_what, breakIt, errorClass, message) => {
    const broken = breakIt(valid());
    const call = (): unknown => stateDictFromJSON(broken as StateDictJSON);
    expect(call).toThrow(errorClass);
    expect(call).toThrow(message);
    // The same through JSON text, unless the case is about the text itself.
    if (typeof broken !== 'string') {
      expect(() => stateDictFromJSON(JSON.stringify(broken))).toThrow(message);
    }
  });
});

const UNENCODABLE: [string, unknown, typeof TypeError | typeof RangeError, RegExp][] = [
  ['null', null, TypeError, /^stateDictToJSON: the state dict must be an object, got null$/],
  [
    'an unexpected top-level key',
    { ...dictOf(new Float32Array(1)), extra: 1 },
    RangeError,
    /^stateDictToJSON: the state dict has an unexpected key "extra" \(expected flavor, state, param_groups\)$/,
  ],
  [
    'an unknown flavor',
    { ...dictOf(new Float32Array(1)), flavor: 'jax' },
    RangeError,
    /stateDictToJSON: flavor is "jax"/,
  ],
  ['state missing', { param_groups: [] }, TypeError, /stateDictToJSON: state must be an object, got undefined/],
  [
    'a string among the state',
    dictOf('1,2'),
    TypeError,
    new RegExp(
      String.raw`^stateDictToJSON: state\[0\]\.sum must be a number, a Float32Array, an array of numbers ` +
        `or an object with keys "0" … "n-1", got "1,2"$`,
    ),
  ],
  [
    'a null in a number array (plain JSON of NaN)',
    dictOf([1, null]),
    TypeError,
    /^stateDictToJSON: state\[0\]\.sum\[1\] must be a number, got null$/,
  ],
  [
    'an indexed object with a gap',
    dictOf({ 0: 1, 2: 3 }),
    TypeError,
    /state\[0\]\.sum must be .*; it has the key "2" where "1" belongs/,
  ],
  [
    'an Int32Array',
    dictOf(new Int32Array(2)),
    TypeError,
    /state\[0\]\.sum must be a number, .* got a Int32Array of length 2/,
  ],
  [
    'an object among the options',
    { state: {}, param_groups: [{ lr: {}, params: [] }] },
    TypeError,
    /^stateDictToJSON: param_groups\[0\]\.lr must be a number, boolean, string or array, got an object \(Object\)$/,
  ],
  [
    'a function among the options',
    { state: {}, param_groups: [{ lr: [1, () => 1], params: [] }] },
    TypeError,
    /param_groups\[0\]\.lr\[1\] must be a number, boolean, string or array, got a function/,
  ],
];

describe('stateDictToJSON refuses what is not a state dict, naming the field', () => {
  it.each(UNENCODABLE)('%s', (_what, dict, errorClass, message) => {
    const call = (): unknown => stateDictToJSON(dict as never);
    expect(call).toThrow(errorClass);
    expect(call).toThrow(message);
  });
});

// ---------------------------------------------------------------- the documented example

describe('the TSDoc example of stateDictToJSON', () => {
  it('runs as written and prints what its comments say', () => {
    const source = readFileSync(new URL('../src/state-json.ts', import.meta.url), 'utf8');
    const block = /@example\n \* ```ts\n([\s\S]*?) \* ```/.exec(source)?.[1];
    expect(block, 'an ```ts block after @example').toBeDefined();
    const lines = block!.split('\n').map((line) => line.replace(/^ \* ?/, ''));
    expect(lines[0]).toBe("import { Adam, stateDictFromJSON, stateDictToJSON } from 'wasm-optim';");
    // The body is plain JavaScript: run it with the library's exports and a console that records.
    const printed: string[] = [];
    const run = new Function('Adam', 'stateDictFromJSON', 'stateDictToJSON', 'console', lines.slice(1).join('\n'));
    run(library.Adam, stateDictFromJSON, stateDictToJSON, {
      log: (...args: unknown[]) => printed.push(args.map(String).join(' ')),
    });
    const promised = lines
      .filter((line) => line.startsWith('console.log('))
      .map((line) => / \/\/ (.*)$/.exec(line)![1]);
    expect(printed).toEqual(promised);
  });
});
