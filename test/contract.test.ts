// The kernel contract is named once (`export const kernels` in src/optimizers/*.ts) and generated
// into the AssemblyScript and TypeScript record layouts: these tests hold the compiled kernels,
// the facade and the JS reference to that one source.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as layout from '../src/backend/contract.generated.js';
import { JS_KERNELS } from '../src/backend/js/kernels.generated.js';
import { KERNEL_NAMES } from '../src/backend/kernels.js';
import { compileBuild, type WasmBuild } from '../src/backend/wasm.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The layout a build was compiled with, in the order of assembly/index.ts recordLayout(). */
function compiledLayout(build: WasmBuild): number[] {
  const module = compileBuild(build);
  if (module instanceof Error) throw module;
  const memory = new WebAssembly.Memory({ initial: 1 });
  const exports = new WebAssembly.Instance(module, { env: { memory, abort: () => {} } }).exports;
  const recordLayout = exports['recordLayout'] as (field: number) => number;
  return Array.from({ length: 10 }, (_, i) => recordLayout(i));
}

describe('kernel contract', () => {
  it('the generated files match the contracts in src/optimizers (gen-contract --check)', () => {
    // Throws (exit 1, naming the stale file) when a contract changed without a rebuild.
    execFileSync(process.execPath, ['scripts/gen-contract.mjs', '--check'], { cwd: root, stdio: 'pipe' });
  });

  const facade = [
    layout.RECORD_BYTES,
    4 * layout.REC_PARAM,
    4 * layout.REC_GRAD,
    4 * layout.REC_STATE0,
    4 * layout.REC_STATE1,
    4 * layout.REC_STATE2,
    4 * layout.REC_COUNT,
    4 * layout.REC_FLAGS,
    4 * layout.REC_SCALARS,
    -1,
  ];

  for (const build of ['simd', 'wasm'] as const) {
    it(`the ${build} build reads records laid out as the facade writes them`, () => {
      expect(compiledLayout(build)).toEqual(facade);
    });
  }

  it('every kernel exists in each Wasm build and in the JS backend, and nothing else does', () => {
    for (const build of ['simd', 'wasm'] as const) {
      const module = compileBuild(build);
      if (module instanceof Error) throw module;
      const steps = WebAssembly.Module.exports(module)
        .map((e) => e.name)
        .filter((name) => /Step/.test(name));
      expect(steps.sort()).toEqual([...KERNEL_NAMES].sort());
    }
    expect(Object.keys(JS_KERNELS).sort()).toEqual([...KERNEL_NAMES].sort());
  });
});
