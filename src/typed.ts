// Reading user arrays without running user code. A Float32Array's `length` is an accessor on
// %TypedArray%.prototype that a subclass, a prototype swap or an own property can shadow, and
// `instanceof` can be fooled by Object.setPrototypeOf; `TypedArray.prototype.set` and the
// kernels use the array's internal length and element type. So every check here calls the
// intrinsic getters captured at load time, which read the internal slots and run no user code.

const TypedArrayPrototype = Object.getPrototypeOf(Float32Array.prototype) as object;

function intrinsicGetter(name: string | symbol): (this: unknown) => unknown {
  const descriptor = Object.getOwnPropertyDescriptor(TypedArrayPrototype, name);
  if (descriptor?.get === undefined) throw new Error(`%TypedArray%.prototype has no ${String(name)} getter`);
  return descriptor.get as (this: unknown) => unknown;
}

const tagOf = intrinsicGetter(Symbol.toStringTag);
const lengthOf = intrinsicGetter('length');
const bufferOf = intrinsicGetter('buffer');
const byteOffsetOf = intrinsicGetter('byteOffset');
const byteLengthOf = intrinsicGetter('byteLength');
const detachedOf = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'detached')?.get;

/** Whether `value` really is a Float32Array (by its internal type, not its prototype). */
export function isFloat32Array(value: unknown): value is Float32Array {
  return tagOf.call(value) === 'Float32Array';
}

/** Whether `value` really is a Float64Array (by its internal type). */
export function isFloat64Array(value: unknown): value is Float64Array {
  return tagOf.call(value) === 'Float64Array';
}

/** Whether `value` really is an Int32Array or a Uint32Array (by its internal type). */
export function isIndexArray(value: unknown): value is Int32Array | Uint32Array {
  const tag = tagOf.call(value);
  return tag === 'Int32Array' || tag === 'Uint32Array';
}

/** Whether `value` is any typed array (by its internal slots). */
export function isTypedArray(value: unknown): boolean {
  return tagOf.call(value) !== undefined;
}

/** The internal element count of a typed array (0 once its buffer is detached). */
export function typedLength(array: ArrayBufferView): number {
  return lengthOf.call(array) as number;
}

/** The buffer, byte offset and byte length of a typed array, from its internal slots. */
export function typedRange(array: Float32Array): { buffer: ArrayBufferLike; start: number; end: number } {
  const start = byteOffsetOf.call(array) as number;
  return { buffer: bufferOf.call(array) as ArrayBufferLike, start, end: start + (byteLengthOf.call(array) as number) };
}

/** Whether a typed array's buffer has been detached (transferred, or a grown Wasm memory). */
export function isDetached(array: ArrayBufferView): boolean {
  const buffer = bufferOf.call(array) as ArrayBufferLike;
  if (typeof SharedArrayBuffer === 'function' && buffer instanceof SharedArrayBuffer) return false;
  // ArrayBuffer.prototype.detached is ES2024 (Node 22+); before it, constructing a view of a
  // detached buffer throws a TypeError, even for zero elements.
  if (detachedOf !== undefined) return detachedOf.call(buffer) as boolean;
  try {
    new Uint8Array(buffer as ArrayBuffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

/**
 * The first two arrays of `arrays` (in order) that share memory, as indices [earlier, later],
 * or null. Sorting the byte ranges of each buffer makes this O(n log n): a user with thousands
 * of tensors carved out of one flat buffer pays milliseconds, not seconds. The same array
 * twice counts as sharing even when it is empty.
 */
export function firstOverlap(arrays: readonly Float32Array[]): [number, number] | null {
  const seen = new Map<Float32Array, number>();
  const byBuffer = new Map<ArrayBufferLike, { start: number; end: number; index: number }[]>();
  let found: [number, number] | null = null;
  const note = (a: number, b: number): void => {
    const pair: [number, number] = a < b ? [a, b] : [b, a];
    if (found === null || pair[1] < found[1] || (pair[1] === found[1] && pair[0] < found[0])) found = pair;
  };
  arrays.forEach((array, index) => {
    const twin = seen.get(array);
    if (twin !== undefined) note(twin, index);
    else seen.set(array, index);
    const { buffer, start, end } = typedRange(array);
    if (start === end) return;
    let list = byBuffer.get(buffer);
    if (list === undefined) byBuffer.set(buffer, (list = []));
    list.push({ start, end, index });
  });
  for (const list of byBuffer.values()) {
    list.sort((a, b) => a.start - b.start || a.index - b.index);
    let reach = list[0]!;
    for (let k = 1; k < list.length; k++) {
      const next = list[k]!;
      if (next.start < reach.end) note(reach.index, next.index);
      if (next.end > reach.end) reach = next;
    }
  }
  return found;
}
