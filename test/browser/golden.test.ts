// test/golden.test.ts in Chromium: every golden case of the algorithms the library has, on each
// backend, drop-in and zero-copy, bit for bit; fixtures come from Vite JSON imports. Chromium has
// relaxed SIMD, so the SIMD backend runs on the hardware FMA; the replay runs again with it
// switched off, so the float64 emulation is held to the same data in the browser too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableBackends, detectBackend, simdFma } from '../../src/index.js';
import { allowHardwareFma } from '../../src/backend/wasm.js';
import { describeGoldenReplay } from '../helpers/golden-suite.js';
import { goldenSources, workedExamples } from './fixtures.js';

const backends = availableBackends();

it('runs in a real browser', () => {
  expect(typeof window).toBe('object');
  expect(navigator.userAgent).toMatch(/Chrome\//);
});

it('compiles both Wasm builds synchronously on the main thread: auto picks simd', () => {
  expect(backends).toEqual(['simd', 'wasm', 'js']);
  expect(detectBackend()).toBe('simd');
});

it('loads every fixture file', () => {
  expect(goldenSources.length).toBeGreaterThanOrEqual(13);
});

it("runs the SIMD backend on the CPU's fused multiply-add (relaxed SIMD)", () => {
  expect(simdFma()).toBe('hardware');
});

describe('hardware FMA', () => {
  describeGoldenReplay(goldenSources, workedExamples, backends);
});

describe('emulated FMA (hardware switched off)', () => {
  beforeAll(() => allowHardwareFma(false));
  afterAll(() => allowHardwareFma(true));
  describeGoldenReplay(goldenSources, workedExamples, ['simd']);
});
