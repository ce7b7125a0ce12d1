// The SIMD backend's hardware FMA (relaxed SIMD's f32x4.relaxed_madd, used only where a load-time
// probe finds it fused). Node 20 enables relaxed SIMD only behind a flag, so this file runs the
// golden replay and the differential fuzzer in a child Node with the flag; Chromium runs the
// golden replay with and without it (test/browser/golden.test.ts). Without an FMA instruction
// (or a flag) the probe must refuse the build, and the emulation is what the other tests cover.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Adagrad, RMSprop, simdFma } from '../src/index.js';
import { fmaf } from '../src/backend/js/fma.js';
import { allowHardwareFma, FMA_PROBES } from '../src/backend/wasm.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const FLAG = '--experimental-wasm-relaxed-simd';
const withFlag = (...args: string[]) =>
  spawnSync(process.execPath, [FLAG, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });

describe('the load-time probe', () => {
  afterEach(() => allowHardwareFma(true));

  it('uses operands where a fused and an unfused multiply-add differ', () => {
    for (const [a, b, c] of FMA_PROBES) {
      expect(Math.fround(a) === a && Math.fround(b) === b && Math.fround(c) === c).toBe(true);
      const unfused = Math.fround(Math.fround(a * b) + c);
      expect(fmaf(a, b, c)).not.toBe(unfused);
    }
  });

  it('reports on every optimizer how its fused multiply-adds run', () => {
    expect(new Adagrad([4], { backend: 'simd' }).fma).toBe(simdFma());
    expect(new Adagrad([4], { backend: 'wasm' }).fma).toBe('emulated');
    expect(new Adagrad([4], { backend: 'js' }).fma).toBe('emulated');
    allowHardwareFma(false);
    expect(new RMSprop([4], { backend: 'simd' }).fma).toBe('emulated');
  });
});

// Which FMA the flagged child gets: hardware wherever the CPU has an FMA instruction.
const probe = withFlag(
  '--input-type=module',
  '-e',
  "import('./dist/index.js').then((m) => process.stdout.write(m.simdFma()))",
);
const childFma = probe.status === 0 ? probe.stdout.trim() : `probe failed: ${probe.stderr}`;

describe.skipIf(childFma !== 'hardware')(`with ${FLAG} (child Node: ${childFma})`, () => {
  it('reproduces every golden case bit for bit on the hardware FMA', () => {
    const run = withFlag('dist-tools/cli.js', 'check');
    expect(run.stdout).toContain('simd fused multiply-add: hardware');
    expect(run.stdout).toContain('every case bit-exact on every backend');
    expect(run.status, run.stdout + run.stderr).toBe(0);
  }, 60_000);

  it('agrees bit for bit with the scalar Wasm and JS backends under differential fuzzing', () => {
    const run = withFlag('dist-tools/cli.js', 'fuzz', '--seconds', '6', '--seed', '20261123');
    expect(run.stdout + run.stderr).toMatch(/mismatches: 0/);
    expect(run.status, run.stdout + run.stderr).toBe(0);
  }, 60_000);
});
