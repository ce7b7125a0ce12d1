// float32 helpers for the fuzzer: bit-exact comparison (−0 ≠ +0, any NaN = any NaN), ulps, and
// a readable JSON encoding of float32 data that survives a round trip exactly.

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** The raw bits of a float32. */
export function bitsOf(x: number): number {
  scratch[0] = x;
  return scratchBits[0]!;
}

/** The float32 with these raw bits. */
export function fromBits(bits: number): number {
  scratchBits[0] = bits >>> 0;
  return scratch[0]!;
}

/** True when two float32 values have the same bits, NaN payloads aside. */
export function sameBits(a: number, b: number): boolean {
  if (a !== a || b !== b) return a !== a && b !== b;
  return Object.is(a, b);
}

/** Index of the first element whose bits differ (NaN payloads aside), -1 if none. */
export function firstBitDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) {
    const p = x[i]!,
      q = y[i]!;
    if (p !== q && !((p & 0x7fffffff) > 0x7f800000 && (q & 0x7fffffff) > 0x7f800000)) return i;
  }
  return -1;
}

const POW2 = Float64Array.from({ length: 256 }, (_, e) => 2 ** (Math.max(e, 1) - 150));

/** The spacing of float32 values at |x| (the ulp of x's float32 binade; 2^-149 for subnormals). */
export function ulp32(x: number): number {
  if (!(Math.abs(x) < Infinity)) return NaN;
  scratch[0] = Math.min(Math.abs(x), 3.4028234663852886e38);
  return POW2[(scratchBits[0]! >>> 23) & 0xff]!;
}

/** The float32 as text: the shortest decimal that reads back as the same float32. */
export function f32ToString(x: number): string {
  if (x !== x) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  for (let p = 1; p <= 9; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(Number(s)) === x) return String(Number(s));
  }
  return String(x);
}

/** One float32 as JSON: a number, or a string for NaN, ±Infinity and −0 (which JSON lacks). */
export type F32Json = number | string;

export function encodeF32(x: number): F32Json {
  const s = f32ToString(x);
  const n = Number(s);
  return Number.isFinite(n) && !Object.is(n, -0) ? n : s;
}

export function decodeF32(j: F32Json): number {
  return Math.fround(typeof j === 'number' ? j : Number(j));
}

/** A float32 array as JSON: a list, or `{ fill, length }` when every element is the same. */
export type F32ArrayJson = F32Json[] | { fill: F32Json; length: number };

export function encodeF32Array(a: ArrayLike<number>): F32ArrayJson {
  if (a.length > 1) {
    const first = a[0]!;
    let same = true;
    for (let i = 1; i < a.length && same; i++) same = sameBits(a[i]!, first) && bitsOf(a[i]!) === bitsOf(first);
    if (same) return { fill: encodeF32(first), length: a.length };
  }
  return Array.from(a, encodeF32);
}

export function decodeF32Array(j: F32ArrayJson): Float32Array {
  if (Array.isArray(j)) {
    const out = new Float32Array(j.length);
    for (let i = 0; i < j.length; i++) out[i] = decodeF32(j[i]!);
    return out;
  }
  if (j === null || typeof j !== 'object' || !Number.isInteger(j.length) || j.length < 0) {
    throw new TypeError(`not a float32 array: ${JSON.stringify(j)}`);
  }
  return new Float32Array(j.length).fill(decodeF32(j.fill));
}

/**
 * Any value as JSON with a tag for what JSON lacks: `{"$n": "NaN"}` for non-finite numbers and
 * −0, `{"$f32": [...]}` for a Float32Array, `{"$typed": "Float64Array", "values": [...]}` for
 * other typed arrays, `{"$undefined": 1}`, `{"$bigint": "1"}`, and `{"$param": k}` for "the
 * caller's own array of tensor k" (used by bad-input cases).
 */
export function encodeAny(value: unknown): unknown {
  if (typeof value === 'number') {
    return Number.isFinite(value) && !Object.is(value, -0)
      ? value
      : { $n: Object.is(value, -0) ? '-0' : String(value) };
  }
  if (value === undefined) return { $undefined: 1 };
  if (typeof value === 'bigint') return { $bigint: String(value) };
  if (value instanceof Float32Array) return { $f32: encodeF32Array(value) };
  if (ArrayBuffer.isView(value)) {
    return { $typed: value.constructor.name, values: Array.from(value as unknown as ArrayLike<number>, encodeAny) };
  }
  if (Array.isArray(value)) return value.map(encodeAny);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = encodeAny(v);
    return out;
  }
  return value;
}

const TYPED: Record<string, new (values: number[]) => unknown> = {
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
};

/** Inverse of encodeAny; `param(k)` supplies the array of tensor k for `{"$param": k}`. */
export function decodeAny(json: unknown, param?: (k: number) => unknown): unknown {
  if (Array.isArray(json)) return json.map((x) => decodeAny(x, param));
  if (json === null || typeof json !== 'object') return json;
  const o = json as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0] === '$n') return Number(o['$n'] === '-0' ? -0 : o['$n']);
  if (keys.length === 1 && keys[0] === '$undefined') return undefined;
  if (keys.length === 1 && keys[0] === '$bigint') return BigInt(o['$bigint'] as string);
  if (keys.length === 1 && keys[0] === '$f32') return decodeF32Array(o['$f32'] as F32ArrayJson);
  if (keys.length === 1 && keys[0] === '$param') {
    if (param === undefined) throw new TypeError('$param outside a bad-input case');
    return param(o['$param'] as number);
  }
  if (keys.length === 2 && typeof o['$typed'] === 'string' && Array.isArray(o['values'])) {
    const Ctor = TYPED[o['$typed']];
    if (Ctor === undefined) throw new TypeError(`unknown typed array ${o['$typed']}`);
    return new Ctor((o['values'] as unknown[]).map((x) => decodeAny(x) as number));
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = decodeAny(o[k], param);
  return out;
}
