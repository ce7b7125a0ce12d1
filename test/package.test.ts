// The package as it ships (issue 12, "tooling out of the shipped library"), from the built dist/
// and dist-tools/ (`npm run build`, as test/cli.test.ts uses them):
//  - what `import 'wasm-optim'` and `import 'wasm-optim/tfjs'` load is the library alone: the
//    static import graph of both entries stays in dist/ and reaches no CLI, fuzzer, golden
//    replay or benchmark file, and dist/ holds none of them;
//  - the packed tarball, installed into an empty project as a dependency, still runs its
//    `wasm-optim` command (--version, the golden replay `check`, a short `fuzz`) and imports.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  exports: Record<string, { default: string }>;
  bin: Record<string, string>;
  peerDependencies: Record<string, string>;
};

/** A path under the root names tooling: the CLI, the fuzzer, the golden replay or the benchmark. */
const TOOLING = /(^|\/)(cli|fuzz|golden|bench|tools|dist-tools)(\/|\.|$)/;

/** Every module specifier of an emitted ES module: import/export … from, bare import, import(). */
function specifiers(source: string): string[] {
  // Comments first: JSDoc examples (`import * as tf from '@tensorflow/tfjs'`) are not imports.
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  for (const match of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)(['"])([^'"]+)\1/g)) found.push(match[2]!);
  return found;
}

/** The files reached from `entry` by relative imports, and the bare specifiers met on the way. */
function importGraph(entry: string): { files: string[]; bare: Set<string> } {
  const seen = new Set<string>();
  const bare = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) pending.push(resolve(dirname(file), spec));
      else bare.add(spec);
    }
  }
  return { files: [...seen].map((file) => relative(root, file).split('\\').join('/')), bare };
}

function walk(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(`${dir}/${entry.name}`) : [`${dir}/${entry.name}`],
  );
}

describe('the library entry points load the library alone', () => {
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    if (subpath === './package.json') continue;
    it(`${subpath} (${target.default})`, () => {
      const { files, bare } = importGraph(join(root, target.default));
      expect(files.length).toBeGreaterThan(subpath === '.' ? 10 : 3);
      for (const file of files) {
        expect(existsSync(join(root, file)), `${file} is imported but missing`).toBe(true);
        expect(file.startsWith('dist/'), file).toBe(true);
        expect(file.slice('dist/'.length), file).not.toMatch(TOOLING);
      }
      // No Node built-ins, no package-private #lib/* (that is the tools' way in), only the peer.
      for (const spec of bare) expect(Object.keys(pkg.peerDependencies), spec).toContain(spec);
    });
  }

  it('dist/ holds no tooling at all (what is under it is packed)', () => {
    const tooling = walk('dist').filter((file) => TOOLING.test(file.slice('dist/'.length)));
    expect(tooling).toEqual([]);
    expect(pkg.bin['wasm-optim']).toBe('./dist-tools/cli.js');
  });
});

describe('the packed tarball installed as a dependency', () => {
  let dir = '';
  let project = '';
  let packed: string[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wasm-optim-pack-'));
    // --ignore-scripts: pack the dist/ and dist-tools/ already built, without `prepare` rebuilding.
    const pack = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [info] = JSON.parse(pack) as { filename: string; files: { path: string }[] }[];
    packed = info!.files.map((file) => file.path);
    project = join(dir, 'consumer');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    // No runtime dependencies and an optional peer: nothing to download.
    execFileSync(
      'npm',
      ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', join(dir, info!.filename)],
      { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] },
    );
  }, 60_000);

  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  const bin = (...args: string[]) =>
    spawnSync(join(project, 'node_modules/.bin/wasm-optim'), args, { cwd: project, encoding: 'utf8' });

  it('ships the CLI in dist-tools/ and no tooling in dist/', () => {
    expect(packed).toContain('dist/index.js');
    expect(packed).toContain('dist-tools/cli.js');
    expect(packed).toContain('test/fixtures/golden/worked_examples.json');
    expect(packed.filter((file) => file.startsWith('dist/') && TOOLING.test(file.slice(5)))).toEqual([]);
    expect(packed.filter((file) => /^(src|tools)\//.test(file))).toEqual([]);
  });

  it('wasm-optim --version and check (the golden replay) run from node_modules/.bin', () => {
    const version = bin('--version');
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(`wasm-optim ${pkg.version}`);
    const check = bin('check');
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain('every case bit-exact on every backend');
  }, 30_000);

  it('wasm-optim fuzz runs its worker from the installed package', () => {
    const fuzz = bin('fuzz', '--cases', '4', '--seed', '12', '--jobs', '1', '--json');
    expect(fuzz.status, fuzz.stderr).toBe(0);
    expect(JSON.parse(fuzz.stdout)).toMatchObject({ cases: 4, mismatches: 0 });
  }, 30_000);

  it("import('wasm-optim') works from the consumer", () => {
    const run = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', "const m = await import('wasm-optim'); console.log(typeof m.RMSprop);"],
      { cwd: project, encoding: 'utf8' },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('function');
  });
});
