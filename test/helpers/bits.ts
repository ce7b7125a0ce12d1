// Bit-level equality of float32 arrays: -0 differs from +0, NaN equals NaN (payloads aside,
// which neither Wasm nor JS define).
import { expect } from 'vitest';
import { firstMismatch } from '../../tools/golden/compare.js';

export function expectSameBits(got: ArrayLike<number>, want: ArrayLike<number>, where: string): void {
  const mismatch = firstMismatch(where, got, want);
  expect(mismatch, mismatch ? `${where}: ${JSON.stringify(mismatch)}` : '').toBeNull();
}
