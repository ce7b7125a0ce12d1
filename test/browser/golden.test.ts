// test/golden.test.ts in Chromium: every golden case of the algorithms the library has, on each
// backend, drop-in and zero-copy, bit for bit; fixtures come from Vite JSON imports.
import { expect, it } from 'vitest';
import { availableBackends, detectBackend } from '../../src/index.js';
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

describeGoldenReplay(goldenSources, workedExamples, backends);
