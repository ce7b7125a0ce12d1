// Reading a state dict given to loadStateDict exactly once, before anything is checked or
// applied: each property and each buffer element is read one time into a private snapshot,
// so getters, Proxies or a buffer edited from a callback cannot show the checks one value and
// the memory another. Buffers come as Float32Array (what stateDict() returns), Float64Array,
// arrays of numbers, or what JSON.stringify makes of a Float32Array: an object whose keys are
// "0" … "n-1".
import { describe, rangeError, typeError } from './errors.js';
import { copyArray } from './options.js';
import { isDetached, isFloat32Array, isFloat64Array, isTypedArray, typedLength } from './typed.js';

/** A buffer of the snapshot: the user's own typed array (read with the intrinsic length), or a copy. */
export type BufferSnapshot = Float32Array | Float64Array;

/** A state entry as read: numbers as given, buffers as BufferSnapshot, anything else as given. */
export type EntrySnapshot = Map<string, unknown>;

interface StateDictSnapshot {
  /** The flavor the dict was saved by, if it says. */
  readonly flavor: unknown;
  readonly groups: readonly Record<string, unknown>[];
  /** State entries by the key they had ("0", "1", …), in the dict's order. */
  readonly state: ReadonlyMap<string, unknown>;
}

/** Own property `key` of `object`, read once; inherited properties do not count. */
function ownValue(object: object, key: string): unknown {
  return Object.hasOwn(object, key) ? (object as Record<string, unknown>)[key] : undefined;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !isTypedArray(value);
}

/** The outer layers of a state dict: its group list and its state entries, each read once. */
export function readStateDict(owner: string, where: string, dict: unknown): StateDictSnapshot {
  if (dict === null || typeof dict !== 'object') {
    throw typeError(owner, `${where}: the state dict must be an object, got ${describe(dict)}`);
  }
  const groups = ownValue(dict, 'param_groups');
  const state = ownValue(dict, 'state');
  const flavor = ownValue(dict, 'flavor');
  if (!Array.isArray(groups)) {
    throw typeError(owner, `${where}: param_groups must be an array, got ${describe(groups)}`);
  }
  if (!isPlainRecord(state)) {
    throw typeError(owner, `${where}: state must be an object keyed by parameter index, got ${describe(state)}`);
  }
  // The list is copied; each group object is read once later, by loadStateDict's readOwnOptions.
  const groupList = copyArray(groups).map((group, g) => {
    if (group === null || typeof group !== 'object' || Array.isArray(group)) {
      throw typeError(owner, `${where}: param_groups[${g}] must be an object, got ${describe(group)}`);
    }
    return group as Record<string, unknown>;
  });
  const entries = new Map<string, unknown>();
  for (const key of Object.keys(state)) entries.set(key, state[key]);
  return { flavor, groups: groupList, state: entries };
}

/**
 * One state entry read once: every own key; the values of `bufferNames` become buffers
 * (checked to hold only numbers), the rest stay as given for the caller to check.
 */
export function readEntry(
  owner: string,
  label: string,
  entry: unknown,
  bufferNames: ReadonlySet<string>,
): EntrySnapshot {
  if (!isPlainRecord(entry)) {
    throw typeError(owner, `${label} must be an object, got ${describe(entry)}`);
  }
  const out: EntrySnapshot = new Map();
  for (const key of Object.keys(entry)) {
    const value = entry[key];
    out.set(key, bufferNames.has(key) && value !== undefined ? readBuffer(owner, `${label}.${key}`, value) : value);
  }
  return out;
}

/** A state buffer as a typed array, its elements read once; a clear error for anything else. */
function readBuffer(owner: string, label: string, value: unknown): BufferSnapshot {
  const expected =
    'a Float32Array, an array of numbers, or an object with keys "0" … "n-1" (a Float32Array through JSON)';
  if (isFloat32Array(value) || isFloat64Array(value)) {
    const typed = value as Float32Array;
    if (isDetached(typed)) throw typeError(owner, `${label} is a typed array whose buffer is detached`);
    return typed;
  }
  if (Array.isArray(value)) {
    const length = value.length;
    const out = new Float64Array(length);
    for (let i = 0; i < length; i++) {
      if (!(i in value))
        throw typeError(
          owner,
          `${label} has a hole at index ${i} (a sparse array); buffers must be dense arrays of numbers`,
        );
      const x: unknown = value[i];
      if (typeof x !== 'number') throw typeError(owner, `${label}[${i}] must be a number, got ${describe(x)}`);
      out[i] = x;
    }
    return out;
  }
  if (isPlainRecord(value)) return readIndexedObject(owner, label, value, expected);
  throw typeError(owner, `${label} must be ${expected}, got ${describe(value)}`);
}

/** `{ "0": x0, "1": x1, … }`: exactly the keys 0 … n-1, each a number (JSON's null is not). */
function readIndexedObject(
  owner: string,
  label: string,
  value: Record<string, unknown>,
  expected: string,
): BufferSnapshot {
  const keys = Object.keys(value);
  const out = new Float64Array(keys.length);
  // Integer-like keys come first in ascending order, so key i must be String(i).
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] !== String(i)) {
      throw typeError(
        owner,
        `${label} must be ${expected}; it has the key ${JSON.stringify(keys[i])} where "${i}" belongs`,
      );
    }
    const x = value[keys[i]!];
    if (typeof x !== 'number') {
      const hint =
        x === null ? ' (plain JSON turns NaN and ±Infinity into null: save with stateDictToJSON to keep them)' : '';
      throw typeError(owner, `${label}["${i}"] must be a number, got ${describe(x)}${hint}`);
    }
    out[i] = x;
  }
  return out;
}

/** The element count of a snapshot buffer (its internal length: no user getter runs). */
export function bufferLength(buffer: BufferSnapshot): number {
  return typedLength(buffer as Float32Array);
}

/** Throws unless `value` is a whole number index key of `0 … count-1`. */
export function checkStateKey(owner: string, where: string, key: string, count: number): number {
  const index = Number(key);
  if (!Number.isInteger(index) || String(index) !== key || index < 0 || index >= count) {
    throw rangeError(
      owner,
      `${where}: state has an entry for parameter ${describe(key)}; the optimizer has parameters 0 to ${count - 1}`,
    );
  }
  return index;
}
