// The per-process limit on live WebAssembly memories (each reserves ~10 GiB of address space):
// past it, backend 'auto' falls back to the JS backend with the same results, a forced 'simd'
// throws a RangeError that says what to do, and dispose() gives the room back at once. Run in a
// child process so the exhausted address space does not slow the rest of the suite.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { Adagrad } from '../src/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = new URL('../dist/index.js', import.meta.url);

const CHILD = `
const { Adagrad, availableBackends } = await import(${JSON.stringify(dist.href)});
const simd = availableBackends()[0];
const live = [];
let fellBack = null;
while (live.length < 40000) {
  const opt = new Adagrad([new Float32Array([1, 2, 3])], { lr: 0.1 });
  live.push(opt);
  if (opt.backend === 'js') { fellBack = opt; break; }
}
const wasmCount = live.length - 1;
fellBack.step([new Float32Array([0.5, -1, 2])]);
const fallbackBits = Array.from(new Uint32Array(fellBack.params[0].data.slice().buffer));
let forced = null;
try {
  new Adagrad([new Float32Array(3)], { backend: simd });
} catch (e) {
  forced = e.constructor.name + ': ' + e.message;
}
for (const opt of live) opt.dispose();
const after = new Adagrad([new Float32Array([1, 2, 3])], { lr: 0.1, backend: simd });
after.step([new Float32Array([0.5, -1, 2])]);
console.log(JSON.stringify({ simd, wasmCount, forced, fallbackBits,
  afterBackend: after.backend, afterBits: Array.from(new Uint32Array(after.params[0].data.slice().buffer)) }));
`;

it.skipIf(!existsSync(dist))(
  'past the live-memory limit, auto falls back to JS, a forced Wasm backend says why, and dispose() frees the room',
  () => {
    const run = spawnSync(process.execPath, ['--input-type=module', '-'], {
      cwd: root,
      input: CHILD,
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as {
      simd: string;
      wasmCount: number;
      forced: string | null;
      fallbackBits: number[];
      afterBackend: string;
      afterBits: number[];
    };
    // ~12,900 on 64-bit Linux (README "Limits"); the exact count depends on the address space.
    expect(result.wasmCount).toBeGreaterThan(1000);
    expect(result.forced).toMatch(
      new RegExp(
        `^RangeError: Adagrad: backend '(simd|wasm)': ` +
          String.raw`the engine could not allocate a WebAssembly memory[\s\S]*dispose\(\)`,
      ),
    );
    expect(result.afterBackend).toBe(result.simd);
    // The JS fallback and the Wasm backend after dispose() give the same bits as this process.
    const here = new Adagrad([new Float32Array([1, 2, 3])], { lr: 0.1 });
    here.step([new Float32Array([0.5, -1, 2])]);
    const want = Array.from(new Uint32Array(here.params[0]!.data.slice().buffer));
    expect(result.fallbackBits).toEqual(want);
    expect(result.afterBits).toEqual(want);
    here.dispose();
  },
  250_000,
);
