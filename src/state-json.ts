// Checkpoints as plain JSON that resume bit for bit. JSON.stringify turns NaN and ±Infinity
// into null and −0 into 0, and a Float32Array into an object of decimal numbers: a state dict
// saved that way does not always restore exactly. Here every float32 buffer travels as base64
// of its raw bytes and every number JSON cannot hold as a small tagged object, so the JSON text
// carries every bit. No Node Buffer: the same code runs in browsers.
import { describe, rangeError, typeError } from './errors.js';
import type { ParamState } from './optimizer.js';
import { FLAVORS, type Flavor } from './spec.js';

/** The `format` tag of a JSON checkpoint. */
export const STATE_DICT_FORMAT = 'wasm-optim/state-dict';
/** The version {@link stateDictToJSON} writes; {@link stateDictFromJSON} reads it and every older one. */
export const STATE_DICT_VERSION = 1;

/** A number JSON has no literal for: NaN, ±Infinity or −0 (which JSON would turn into 0). */
export interface SpecialNumberJSON {
  /** Which number. */
  $number: 'NaN' | 'Infinity' | '-Infinity' | '-0';
}

/** A number in the JSON form: itself when finite and not −0, else tagged. */
export type NumberJSON = number | SpecialNumberJSON;

/**
 * A float32 state buffer: standard base64 (RFC 4648 §4, with `=` padding) of its elements'
 * IEEE-754 bytes, 4 per element, little-endian, whatever the machine's byte order. Every bit
 * survives, NaN payloads included.
 */
export interface Float32BufferJSON {
  /** Always `"float32"`. */
  dtype: 'float32';
  /** The bytes, base64. */
  base64: string;
}

/** A value of a parameter's state: `step`, aux numbers (TF.js Adam's `acc_beta1`…) or a buffer. */
export type StateValueJSON = NumberJSON | Float32BufferJSON;

/** A value of a param group: an option (number, flag, pair such as `betas`) or `params`. */
export type GroupValueJSON = NumberJSON | boolean | string | GroupValueJSON[];

/**
 * The JSON form of a state dict (version 1): only strings, finite numbers, booleans, arrays and
 * objects, so `JSON.parse(JSON.stringify(x))` gives back an equal value.
 *
 * ```json
 * {
 *   "format": "wasm-optim/state-dict",
 *   "version": 1,
 *   "flavor": "torch",
 *   "state": { "0": { "step": 2, "exp_avg": { "dtype": "float32", "base64": "AACAPwAAAIAAAMB/" }, … } },
 *   "param_groups": [{ "lr": { "$number": "-0" }, "betas": [0.9, 0.999], "amsgrad": false, "params": [0] }]
 * }
 * ```
 */
export interface StateDictJSON {
  /** Always `"wasm-optim/state-dict"`. */
  format: typeof STATE_DICT_FORMAT;
  /** The format's version: 1. */
  version: typeof STATE_DICT_VERSION;
  /** Present when the state dict had it (optimizers that record their flavor). */
  flavor?: Flavor;
  /** By parameter index ("0", "1", …), as in the state dict. */
  state: Record<string, Record<string, StateValueJSON>>;
  /** The param groups, options and `params` indices, in order. */
  param_groups: Array<Record<string, GroupValueJSON>>;
}

/**
 * What {@link stateDictToJSON} takes: a state dict as `stateDict()` returns it. State buffers
 * may also be in the other forms loadStateDict takes (number arrays, Float64Arrays, JSON's
 * `{ "0": x0, … }` of a Float32Array, e.g. from an older plain-JSON checkpoint); they are
 * rounded to float32, as loadStateDict would.
 */
export interface StateDictLike {
  /** Whose arithmetic the state belongs to, if recorded. */
  flavor?: Flavor;
  /** Each parameter's state by index. */
  state: Readonly<Record<number, object>>;
  /** The param groups. */
  param_groups: readonly object[];
}

/** What {@link stateDictFromJSON} returns, ready for `loadStateDict`: buffers are Float32Arrays. */
export interface DecodedStateDict<O extends object = Record<string, unknown>> {
  /** Present when the JSON had it. */
  flavor?: Flavor;
  /** Each parameter's state by index, buffers as Float32Arrays. */
  state: Record<number, ParamState>;
  /** Each group's options and its parameters' indices. */
  param_groups: Array<
    O & {
      /** Indices of the group's parameters. */
      params: number[];
    }
  >;
}

const TO = 'stateDictToJSON';
const FROM = 'stateDictFromJSON';
const TOP_KEYS = ['flavor', 'state', 'param_groups'] as const;
const JSON_TOP_KEYS = ['format', 'version', ...TOP_KEYS] as const;

/**
 * A state dict as plain JSON that restores bit for bit: buffers as base64 of their
 * little-endian float32 bytes ({@link Float32BufferJSON}), NaN, ±Infinity and −0 anywhere else
 * as `{ "$number": "NaN" | "Infinity" | "-Infinity" | "-0" }`, tagged with
 * `format: "wasm-optim/state-dict"` and `version: 1` ({@link StateDictJSON}). `flavor` is kept
 * when present. The input is not modified and nothing in the result aliases it.
 *
 * A JSON text is one string, so in V8 (Node, Chrome) a checkpoint is limited to its maximum
 * string length, 2^29 − 24 characters: about 100 million float32 values in all.
 *
 * @throws TypeError or RangeError naming the path of a value that is not part of a state dict,
 *   e.g. `stateDictToJSON: state[0].sum[1] must be a number, got null`.
 *
 * @example
 * ```ts
 * import { Adam, stateDictFromJSON, stateDictToJSON } from 'wasm-optim';
 *
 * const w = new Float32Array([1, -0, 2]);
 * const opt = new Adam([w], { lr: 0.5 });
 * const g = new Float32Array([0.25, NaN, -1]);
 * opt.step([g]);
 * const text = JSON.stringify(stateDictToJSON(opt.stateDict())); // save this, with the parameters
 *
 * const w2 = w.slice();
 * const resumed = new Adam([w2]); // lr and everything else come from the checkpoint
 * resumed.loadStateDict(stateDictFromJSON(text));
 * console.log(resumed.stateDict().state[0]?.exp_avg?.join(' ')); // 0.02500000037252903 NaN -0.10000000149011612
 * opt.step([g]);
 * resumed.step([g]);
 * console.log(w2.join(' ')); // 5.960464477539063e-8 NaN 3
 * console.log(w2.join(' ') === w.join(' ')); // true
 * ```
 */
export function stateDictToJSON(dict: StateDictLike): StateDictJSON {
  const record = expectRecord(TO, dict, 'the state dict');
  checkKeys(TO, record, TOP_KEYS, 'the state dict');
  const flavor = optionalFlavor(TO, record['flavor']);
  return {
    format: STATE_DICT_FORMAT,
    version: STATE_DICT_VERSION,
    ...(flavor === undefined ? {} : { flavor }),
    state: mapState(TO, record['state'], encodeStateValue),
    param_groups: mapGroups(TO, record['param_groups'], encodeGroupValue),
  };
}

/**
 * Reads a checkpoint written by {@link stateDictToJSON} (the object, or its JSON text) back
 * into a state dict for `loadStateDict`, every bit as it was saved: buffers become
 * Float32Arrays, tagged numbers numbers again. Reads every version up to
 * the current version (1).
 *
 * @throws TypeError (a value of the wrong type, text that is not JSON) or RangeError (a wrong
 *   `format` tag, an unknown `version`, bad base64, a byte length that is not a multiple of 4,
 *   an unexpected key), naming the path of the bad field, e.g.
 *   `stateDictFromJSON: state[3].exp_avg.base64 is not base64 (invalid character "!" at offset 17)`.
 *   Nothing is validated beyond the encoding: `loadStateDict` checks the dict against the optimizer.
 *
 * @example See {@link stateDictToJSON}.
 */
export function stateDictFromJSON<O extends object = Record<string, unknown>>(
  json: StateDictJSON | string,
): DecodedStateDict<O> {
  const record = expectRecord(FROM, typeof json === 'string' ? parseText(json) : json, 'the checkpoint');
  // Format and version first: which keys are allowed is the version's business (its reader's).
  const format = record['format'];
  if (format !== STATE_DICT_FORMAT) {
    const complain = typeof format === 'string' ? rangeError : typeError;
    throw complain(
      FROM,
      `format is ${describe(format)}, expected "${STATE_DICT_FORMAT}" (not a wasm-optim JSON checkpoint)`,
    );
  }
  const version = record['version'];
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    throw typeError(FROM, `version must be a whole number, got ${describe(version)}`);
  }
  const read = READERS[version];
  if (read === undefined) {
    const newer = version > STATE_DICT_VERSION ? ' (written by a newer wasm-optim?)' : '';
    throw rangeError(
      FROM,
      `version ${version} is unknown${newer}; this library reads versions ${Object.keys(READERS).join(', ')}`,
    );
  }
  return read(record) as DecodedStateDict<O>;
}

// ---------------------------------------------------------------- versions

/**
 * One reader per format version ever written, so old checkpoints stay readable: a later
 * version adds its reader here and keeps the earlier ones.
 */
const READERS: Readonly<Record<number, (record: Record<string, unknown>) => DecodedStateDict>> = {
  1: readVersion1,
};

function readVersion1(record: Record<string, unknown>): DecodedStateDict {
  checkKeys(FROM, record, JSON_TOP_KEYS, 'the checkpoint');
  const flavor = optionalFlavor(FROM, record['flavor']);
  return {
    ...(flavor === undefined ? {} : { flavor }),
    state: mapState(FROM, record['state'], decodeStateValue) as Record<number, ParamState>,
    param_groups: mapGroups(FROM, record['param_groups'], decodeGroupValue) as DecodedStateDict['param_groups'],
  };
}

// ---------------------------------------------------------------- structure (both directions)

/** Converts one value found at `path`; throws naming the path. */
type Convert<T> = (value: unknown, path: string) => T;

/** `state` with each entry's values converted; keys must be parameter indices. */
function mapState<T>(owner: string, state: unknown, convert: Convert<T>): Record<string, Record<string, T>> {
  const record = expectRecord(owner, state, 'state');
  const out: Record<string, Record<string, T>> = {};
  for (const key of Object.keys(record)) {
    // A canonical index only: the paths in messages (state[3]) and loadStateDict assume it.
    if (!/^(0|[1-9][0-9]*)$/.test(key)) {
      throw rangeError(owner, `state has a key ${describe(key)} that is not a parameter index`);
    }
    out[key] = mapRecord(owner, record[key], `state[${key}]`, convert);
  }
  return out;
}

/** `param_groups` with each group's values converted. */
function mapGroups<T>(owner: string, groups: unknown, convert: Convert<T>): Record<string, T>[] {
  if (!Array.isArray(groups)) {
    throw typeError(owner, `param_groups must be an array, got ${describe(groups)}`);
  }
  return groups.map((group, g) => mapRecord(owner, group, `param_groups[${g}]`, convert));
}

/** A copy of a plain object with every defined value converted (undefined ones are dropped, as JSON does). */
function mapRecord<T>(owner: string, value: unknown, path: string, convert: Convert<T>): Record<string, T> {
  const record = expectRecord(owner, value, path);
  const out: Record<string, T> = {};
  for (const key of Object.keys(record)) {
    const item = record[key]; // read once: a getter cannot show the check one value and the copy another
    if (item === undefined) continue;
    // defineProperty, not assignment: a key "__proto__" (JSON.parse makes it an own key)
    // must stay data, not replace the copy's prototype.
    Object.defineProperty(out, key, {
      value: convert(item, `${path}.${key}`),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function expectRecord(owner: string, value: unknown, path: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || ArrayBuffer.isView(value)) {
    throw typeError(owner, `${path} must be an object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

function checkKeys(owner: string, record: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) {
      throw rangeError(owner, `${path} has an unexpected key ${describe(key)} (expected ${allowed.join(', ')})`);
    }
  }
}

/** The dict's flavor, or undefined when it has none (older dicts, dicts built by hand). */
function optionalFlavor(owner: string, flavor: unknown): Flavor | undefined {
  if (flavor === undefined) return undefined;
  if (typeof flavor !== 'string') throw typeError(owner, `flavor must be a string, got ${describe(flavor)}`);
  if (!FLAVORS.includes(flavor as Flavor)) {
    throw rangeError(
      owner,
      `flavor is ${describe(flavor)}, expected one of ${FLAVORS.map((f) => `"${f}"`).join(', ')}`,
    );
  }
  return flavor as Flavor;
}

function parseText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw typeError(FROM, `the text is not JSON (${(error as Error).message})`);
  }
}

// ---------------------------------------------------------------- values: encoding

const SPECIAL_NAMES: readonly SpecialNumberJSON['$number'][] = ['NaN', 'Infinity', '-Infinity', '-0'];

function encodeNumber(x: number): NumberJSON {
  if (Number.isFinite(x) && !Object.is(x, -0)) return x;
  return { $number: Object.is(x, -0) ? '-0' : (String(x) as SpecialNumberJSON['$number']) };
}

/**
 * A number, or a buffer in any form loadStateDict takes: a Float32Array (its bits as they
 * are), or a Float64Array, an array of numbers or JSON's `{ "0": x0, … }` of a Float32Array
 * (each rounded to float32, as loadStateDict stores them).
 */
function encodeStateValue(value: unknown, path: string): StateValueJSON {
  if (typeof value === 'number') return encodeNumber(value);
  const tag = typedArrayTag(value);
  if (tag === 'Float32Array') return bufferJSON(value as Float32Array);
  if (tag === 'Float64Array') return bufferJSON(new Float32Array(value as Float64Array));
  if (Array.isArray(value)) return bufferJSON(roundToFloat32(value, path));
  if (tag === undefined && value !== null && typeof value === 'object')
    return bufferJSON(roundToFloat32(indexedValues(value, path), path));
  throw typeError(
    TO,
    `${path} must be a number, a Float32Array, an array of numbers ` +
      `or an object with keys "0" … "n-1", got ${describe(value)}`,
  );
}

function bufferJSON(values: Float32Array): Float32BufferJSON {
  return { dtype: 'float32', base64: base64FromFloat32(values) };
}

/** Numbers as float32; anything else (e.g. the null plain JSON leaves for NaN) is an error. */
function roundToFloat32(values: readonly unknown[], path: string): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (typeof x !== 'number') throw typeError(TO, `${path}[${i}] must be a number, got ${describe(x)}`);
    out[i] = x;
  }
  return out;
}

/** The values of `{ "0": x0, "1": x1, … }` (a Float32Array through plain JSON): exactly those keys. */
function indexedValues(record: object, path: string): unknown[] {
  // Integer-like keys come first, ascending, so key i must be String(i).
  return Object.keys(record).map((key, i) => {
    if (key !== String(i)) {
      throw typeError(
        TO,
        `${path} must be a number, a Float32Array, an array of numbers or an object with keys "0" … "n-1"; ` +
          `it has the key ${JSON.stringify(key)} where "${i}" belongs`,
      );
    }
    return (record as Record<string, unknown>)[key];
  });
}

function encodeGroupValue(value: unknown, path: string): GroupValueJSON {
  if (typeof value === 'number') return encodeNumber(value);
  if (typeof value === 'boolean' || typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((item, k) => encodeGroupValue(item, `${path}[${k}]`));
  throw typeError(TO, `${path} must be a number, boolean, string or array, got ${describe(value)}`);
}

// ---------------------------------------------------------------- values: decoding

function decodeStateValue(value: unknown, path: string): number | Float32Array {
  if (typeof value === 'number') return value;
  if (isTagged(value, '$number')) return decodeSpecial(value, path);
  if (isTagged(value, 'dtype')) return decodeBuffer(value, path);
  throw typeError(
    FROM,
    `${path} must be a number, {"$number": …} or {"dtype": "float32", "base64": …}, got ${describe(value)}`,
  );
}

function decodeGroupValue(value: unknown, path: string): unknown {
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((item, k) => decodeGroupValue(item, `${path}[${k}]`));
  if (isTagged(value, '$number')) return decodeSpecial(value, path);
  throw typeError(FROM, `${path} must be a number, {"$number": …}, boolean, string or array, got ${describe(value)}`);
}

/** A plain object carrying `tag`: what it must then be is checked by its decoder. */
function isTagged(value: unknown, tag: string): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, tag);
}

function decodeSpecial(value: Record<string, unknown>, path: string): number {
  checkKeys(FROM, value, ['$number'], path);
  const name = value['$number'];
  if (typeof name !== 'string') throw typeError(FROM, `${path}.$number must be a string, got ${describe(name)}`);
  if (!SPECIAL_NAMES.includes(name as SpecialNumberJSON['$number'])) {
    throw rangeError(
      FROM,
      `${path}.$number is ${describe(name)}, expected one of ${SPECIAL_NAMES.map((s) => `"${s}"`).join(', ')}`,
    );
  }
  return name === '-0' ? -0 : Number(name);
}

function decodeBuffer(value: Record<string, unknown>, path: string): Float32Array {
  checkKeys(FROM, value, ['dtype', 'base64'], path);
  const dtype = value['dtype'];
  if (dtype !== 'float32') {
    const complain = typeof dtype === 'string' ? rangeError : typeError;
    throw complain(FROM, `${path}.dtype is ${describe(dtype)}, expected "float32"`);
  }
  const text = value['base64'];
  if (typeof text !== 'string') throw typeError(FROM, `${path}.base64 must be a string, got ${describe(text)}`);
  return float32FromBase64(text, `${path}.base64`);
}

// ---------------------------------------------------------------- base64 of float32 bytes
//
// Hand-written rather than btoa/atob: those take and give "binary strings" (one char per byte),
// so every chunk costs a String.fromCharCode or a charCodeAt pass and an extra string (btoa over
// 24 KiB chunks measured 5x slower than this encoder on Node 20), and atob is forgiving (skips
// whitespace, accepts missing padding) where a checkpoint should be checked strictly. Here bytes
// go straight to ASCII codes in one Uint8Array, made a string once by TextDecoder, and come back
// through charCodeAt: no string is built piece by piece.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const PAD = 61; // '='
/** 6-bit value → ASCII code. */
const ENCODE = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
/** Char code → 6-bit value, −1 where not in the alphabet (up to 0xffff: charCodeAt's range). */
const DECODE = (() => {
  const table = new Int8Array(0x10000).fill(-1);
  for (let i = 0; i < 64; i++) table[ALPHABET.charCodeAt(i)] = i;
  return table;
})();
/** Base64 is ASCII, so UTF-8 decoding gives the same string, on the engines' fastest path. */
const ASCII = new TextDecoder();
// A typed array's kind and extent from its internal slots, through %TypedArray%.prototype's own
// getters: right for arrays of another realm (a worker, an iframe), and a subclass or an own
// property shadowing `length` or `buffer` cannot make us read other bytes than it holds.
const TYPED_ARRAY_PROTOTYPE = Object.getPrototypeOf(Float32Array.prototype) as object;
const intrinsic = (key: string | symbol): ((this: unknown) => unknown) =>
  Object.getOwnPropertyDescriptor(TYPED_ARRAY_PROTOTYPE, key)!.get as (this: unknown) => unknown;
const tagOf = intrinsic(Symbol.toStringTag);
const bufferOf = intrinsic('buffer');
const byteOffsetOf = intrinsic('byteOffset');
const byteLengthOf = intrinsic('byteLength');

/** 'Float32Array' etc. for a typed array, undefined for anything else. */
function typedArrayTag(value: unknown): string | undefined {
  return tagOf.call(value) as string | undefined;
}

/** Typed arrays use the machine's byte order; the format is little-endian (all mainstream machines). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function base64FromFloat32(values: Float32Array): string {
  const bytes = littleEndianBytes(values);
  const n = bytes.length;
  const whole = n - (n % 3);
  const out = new Uint8Array(Math.ceil(n / 3) * 4);
  let o = 0;
  for (let i = 0; i < whole; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o] = ENCODE[v >>> 18]!;
    out[o + 1] = ENCODE[(v >>> 12) & 63]!;
    out[o + 2] = ENCODE[(v >>> 6) & 63]!;
    out[o + 3] = ENCODE[v & 63]!;
    o += 4;
  }
  if (n > whole) {
    // One or two bytes left: pad with zero bits to a whole character, then '='.
    const two = n - whole === 2;
    const v = (bytes[whole]! << 16) | (two ? bytes[whole + 1]! << 8 : 0);
    out[o] = ENCODE[v >>> 18]!;
    out[o + 1] = ENCODE[(v >>> 12) & 63]!;
    out[o + 2] = two ? ENCODE[(v >>> 6) & 63]! : PAD;
    out[o + 3] = PAD;
  }
  return ASCII.decode(out);
}

function float32FromBase64(text: string, path: string): Float32Array {
  const n = text.length;
  if (n % 4 !== 0) throw rangeError(FROM, `${path} is not base64 (its length ${n} is not a multiple of 4)`);
  const padding = n === 0 || text.charCodeAt(n - 1) !== PAD ? 0 : text.charCodeAt(n - 2) === PAD ? 2 : 1;
  const byteLength = (n / 4) * 3 - padding;
  const bytes = new Uint8Array(byteLength);
  const whole = padding === 0 ? n : n - 4;
  let bad = 0; // ORs every 6-bit value: negative iff some character was not in the alphabet
  let o = 0;
  for (let i = 0; i < whole; i += 4) {
    const a = DECODE[text.charCodeAt(i)]!,
      b = DECODE[text.charCodeAt(i + 1)]!;
    const c = DECODE[text.charCodeAt(i + 2)]!,
      d = DECODE[text.charCodeAt(i + 3)]!;
    bad |= a | b | c | d;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    bytes[o] = v >>> 16;
    bytes[o + 1] = (v >>> 8) & 255;
    bytes[o + 2] = v & 255;
    o += 3;
  }
  if (padding > 0) {
    const a = DECODE[text.charCodeAt(whole)]!,
      b = DECODE[text.charCodeAt(whole + 1)]!;
    const c = padding === 1 ? DECODE[text.charCodeAt(whole + 2)]! : 0;
    bad |= a | b | c;
    // The bits below the last byte must be zero, as every encoder writes them: anything else
    // is not a checkpoint we wrote (a truncated or edited string).
    if (bad >= 0 && (padding === 2 ? b & 15 : c & 3) !== 0) {
      throw rangeError(FROM, `${path} is not base64 (non-zero bits in its padded last group)`);
    }
    const v = (a << 18) | (b << 12) | (c << 6);
    bytes[o] = v >>> 16;
    if (padding === 1) bytes[o + 1] = (v >>> 8) & 255;
  }
  if (bad < 0) throw rangeError(FROM, `${path} is not base64 (${firstBadCharacter(text, whole, padding)})`);
  // Checked after the characters: a string that is not base64 at all says so first.
  if (byteLength % 4 !== 0) {
    throw rangeError(FROM, `${path} holds ${byteLength} bytes, not a whole number of float32 values (4 bytes each)`);
  }
  return float32FromLittleEndian(bytes);
}

/** Where the first character outside the alphabet is, for the message (the error path only). */
function firstBadCharacter(text: string, whole: number, padding: number): string {
  const end = whole + (padding === 0 ? 0 : 4 - padding);
  for (let i = 0; i < end; i++) {
    if (DECODE[text.charCodeAt(i)]! < 0) return `invalid character ${JSON.stringify(text[i])} at offset ${i}`;
  }
  return 'invalid character';
}

/** The array's bytes in little-endian order: a view on little-endian machines, else a swapped copy. */
function littleEndianBytes(values: Float32Array): Uint8Array {
  const view = new Uint8Array(
    bufferOf.call(values) as ArrayBuffer,
    byteOffsetOf.call(values) as number,
    byteLengthOf.call(values) as number,
  );
  return LITTLE_ENDIAN ? view : swapEach4(view.slice());
}

/** Float32Array over little-endian bytes (a multiple of 4), swapped in place on big-endian machines. */
function float32FromLittleEndian(bytes: Uint8Array): Float32Array {
  return new Float32Array((LITTLE_ENDIAN ? bytes : swapEach4(bytes)).buffer, 0, bytes.length >> 2);
}

/** Reverses each 4-byte group in place. Bytes, not numbers: a float read as a number may lose its NaN payload. */
function swapEach4(bytes: Uint8Array): Uint8Array {
  for (let i = 0; i < bytes.length; i += 4) {
    const b0 = bytes[i]!,
      b1 = bytes[i + 1]!;
    bytes[i] = bytes[i + 3]!;
    bytes[i + 1] = bytes[i + 2]!;
    bytes[i + 2] = b1;
    bytes[i + 3] = b0;
  }
  return bytes;
}
