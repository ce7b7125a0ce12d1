// The fallback in a browser: a page whose Content-Security-Policy forbids WebAssembly
// compilation (no 'wasm-unsafe-eval') gets the JS backend from 'auto' by itself, and the same
// bits as every backend produces in a normal page. With 'wasm-unsafe-eval' added it gets SIMD.
import { expect, it } from 'vitest';
import { BACKEND_NAMES } from '../../src/backend/index.js';
import { expectSameBits } from '../helpers/bits.js';
import type { CspReport } from './csp-frame.js';
import { trajectories } from './trajectory.js';

function loadCspFrame(src: string): Promise<CspReport> {
  return new Promise((resolve, reject) => {
    const frame = document.createElement('iframe');
    const timer = setTimeout(() => reject(new Error('no report from the CSP page within 45 s')), 45_000);
    window.addEventListener('message', function onMessage(event: MessageEvent) {
      if (event.source !== frame.contentWindow) return;
      window.removeEventListener('message', onMessage);
      clearTimeout(timer);
      frame.remove();
      if (event.data?.type === 'csp-report') resolve(event.data.result as CspReport);
      else reject(new Error(`CSP page failed: ${event.data?.error}`));
    });
    frame.src = src;
    document.body.append(frame);
  });
}

const report = await loadCspFrame('/__csp__/frame.html');

it('the CSP page really forbids WebAssembly compilation, sync and async', () => {
  expect(report.syncCompile).toMatch(/^refused: CompileError/);
  expect(report.asyncCompile).toMatch(/^refused: CompileError/);
  expect(
    report.violations.some((v) => v.includes('wasm-eval')),
    report.violations.join('; '),
  ).toBe(true);
});

it('the library tries each Wasm build once there, not once per optimizer', () => {
  // Two violations are the probes' above; the library's detection adds one per build.
  expect(report.violations).toHaveLength(4);
});

it("there, 'auto' selects the JS backend by itself and says why", () => {
  expect(report.detected).toBe('js');
  expect(report.available).toEqual(['js']);
  expect(report.reasons.simd).toMatch(/WebAssembly|unsafe-eval/);
  expect(report.reasons.wasm).toMatch(/WebAssembly|unsafe-eval/);
  expect(report.forcedSimd).toMatch(/backend 'simd' is not available here/);
  expect(report.autoBackends.length).toBeGreaterThan(0);
  expect(new Set(report.autoBackends)).toEqual(new Set(['js']));
});

it('there, the golden data replays bit for bit', () => {
  expect(report.golden.failures).toEqual([]);
  expect(report.golden.cases).toBeGreaterThan(100);
  expect(report.golden.compared).toBeGreaterThan(10_000);
});

it.each(BACKEND_NAMES)('its bits equal backend %s forced in a normal page', (backend) => {
  const here = trajectories(backend);
  expect(Object.keys(report.trajectories).sort()).toEqual(Object.keys(here).sort());
  for (const [key, { backend: used, snapshots }] of Object.entries(report.trajectories)) {
    expect(used, key).toBe('js');
    expect(here[key]!.backend).toBe(backend);
    expect(snapshots.length).toBe(here[key]!.snapshots.length);
    snapshots.forEach((got, i) => expectSameBits(got, here[key]!.snapshots[i]!, `${key} snapshot ${i}`));
  }
});

it("with 'wasm-unsafe-eval' in the policy, the same page gets SIMD and the same bits", async () => {
  const allowed = await loadCspFrame('/__csp__/frame.html?wasm-unsafe-eval');
  expect(allowed.syncCompile).toBe('compiled');
  expect(allowed.asyncCompile).toBe('compiled');
  expect(allowed.violations).toEqual([]);
  expect(allowed.detected).toBe('simd');
  expect(allowed.golden.failures).toEqual([]);
  for (const [key, { backend, snapshots }] of Object.entries(allowed.trajectories)) {
    expect(backend).toBe('simd');
    snapshots.forEach((got, i) => expectSameBits(got, report.trajectories[key]!.snapshots[i]!, `${key} snapshot ${i}`));
  }
});
