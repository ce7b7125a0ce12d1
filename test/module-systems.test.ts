// Who can load the package, as README "Node versions and module systems" says (the built dist/,
// through a project whose node_modules/wasm-optim links to this repository):
//  - CommonJS `require('wasm-optim')` and `require('wasm-optim/tfjs')` work on the Node lines of
//    package.json "engines" (Node loads an ES module graph without top-level await from require()
//    since 20.19 and 22.12), so no CommonJS build is shipped;
//  - TypeScript: ES modules with any modern resolution, and CommonJS projects with "module"
//    "nodenext" or "node20" (TypeScript ≥ 5.8 knows require() of ES modules), or "commonjs" with
//    the classic node10 resolution (typesVersions maps the tfjs subpath there). "node16" refuses
//    the import with TS1479, as for every ESM-only package: the README names the fix.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } };

/** The consumer's code: both entry points, one drop-in step. */
const CONSUMER = `import { Adagrad } from 'wasm-optim';
import { adagrad } from 'wasm-optim/tfjs';
const w = new Float32Array([1]);
const opt = new Adagrad([w], { lr: 0.5 });
opt.step([new Float32Array([2])]);
console.log(JSON.stringify({ w: w[0], backend: opt.backend, factory: typeof adagrad }));
`;

let project = '';
beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'wasm-optim-cjs-'));
  mkdirSync(join(project, 'node_modules'));
  symlinkSync(root, join(project, 'node_modules', 'wasm-optim'), 'dir');
  // No "type": files here are CommonJS, as in a project that never opted into ES modules.
  writeFileSync(join(project, 'package.json'), '{ "name": "consumer", "version": "1.0.0", "private": true }\n');
  writeFileSync(join(project, 'index.ts'), CONSUMER);
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

/** Runs `file` with this Node and returns what the consumer printed. */
function run(file: string): { w: number; backend: string; factory: string } {
  return JSON.parse(execFileSync(process.execPath, [file], { cwd: project, encoding: 'utf8' }));
}

/** One drop-in Adagrad step from w = 1, g = 2, lr 0.5: w − 0.5 · 2 / √4 = 0.5. */
const STEPPED = 0.5;

describe('CommonJS require()', () => {
  it('package.json engines names the Node lines whose require() loads ES modules', () => {
    expect(pkg.engines.node).toBe('^20.19.0 || >=22.12.0');
    const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
    // This suite runs only on supported lines (CI: the machine's Node 20, Node 22 and 24).
    expect(major > 22 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19)).toBe(true);
  });

  it('require() gives both entry points, and a step runs', () => {
    writeFileSync(
      join(project, 'plain.cjs'),
      CONSUMER.replace(
        /^import \{ (\w+) \} from '([^']+)';$/gm,
        (_line, name: string, from: string) => `const { ${name} } = require('${from}');`,
      ),
    );
    const out = run('plain.cjs');
    expect(out).toEqual({ w: STEPPED, backend: out.backend, factory: 'function' });
    expect(['simd', 'wasm', 'js']).toContain(out.backend);
  });
});

describe('TypeScript consumers', () => {
  /** The diagnostics of compiling the consumer with these options, and the emitted file. */
  function compile(options: ts.CompilerOptions, outDir: string): { codes: number[]; out: string } {
    const program = ts.createProgram([join(project, 'index.ts')], {
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      strict: true,
      skipLibCheck: true,
      outDir: join(project, outDir),
      ...options,
    });
    const codes = ts.getPreEmitDiagnostics(program).map((d) => d.code);
    if (codes.length === 0) program.emit();
    return { codes, out: join(outDir, 'index.js') };
  }

  const accepted: [string, ts.CompilerOptions][] = [
    [
      'CommonJS, module nodenext',
      { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext },
    ],
    ['CommonJS, module node20', { module: ts.ModuleKind.Node20, moduleResolution: ts.ModuleResolutionKind.NodeNext }],
    [
      'CommonJS, module commonjs (node10)',
      { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 },
    ],
  ];
  for (const [name, options] of accepted) {
    it(`${name}: type-checks, and the emitted require() code runs`, () => {
      const { codes, out } = compile(options, `out-${name.replace(/\W+/g, '-')}`);
      expect(codes).toEqual([]);
      expect(readFileSync(join(project, out), 'utf8')).toContain('require("wasm-optim/tfjs")');
      expect(run(out).w).toBe(STEPPED);
    });
  }

  it('a bundler project type-checks', () => {
    const { codes } = compile(
      { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, noEmit: true },
      'out-bundler',
    );
    expect(codes).toEqual([]);
  });

  it('module node16 refuses the import with TS1479 (the README gives the fix)', () => {
    const { codes } = compile(
      { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, noEmit: true },
      'out-node16',
    );
    expect(codes).toEqual([1479, 1479]);
  });
});
