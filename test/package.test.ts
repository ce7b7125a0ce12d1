// The package as it ships (issue 12, "tooling out of the shipped library"; issue 15, "a library
// people can install"), from the built dist/ and dist-tools/ (`npm run build`, as test/cli.test.ts
// uses them):
//  - what `import 'wasm-optim'` and `import 'wasm-optim/tfjs'` load is the library alone: the
//    static import graph of both entries stays in dist/ and reaches no CLI, fuzzer, golden
//    replay or benchmark file, and dist/ holds none of them;
//  - the packed tarball holds the library, its types, the `wasm-optim check` command with its
//    golden data packed in one file, README, LICENSE and CHANGELOG, and nothing else: no source
//    maps (their sources are not shipped), no test/, src/, tools/ or bench/, no fuzzer;
//  - installed into an empty project as a dependency it runs no script (no install-time build,
//    no npm warning), the README's quickstart runs against it, `wasm-optim --version` and
//    `check` run, and the repository-only commands (fuzz, bench) refuse with a clear message.
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
  scripts: Record<string, string>;
  peerDependencies: Record<string, string>;
};

/** A path under the root names tooling: the CLI, the fuzzer, the golden replay or the benchmark. */
const TOOLING = /(^|\/)(cli|fuzz|golden|bench|tools|dist-tools)(\/|\.|$)/;

/** Every module specifier of an emitted ES module: import/export … from, bare import, import() (unless static). */
function specifiers(source: string, staticOnly = false): string[] {
  // Comments first: JSDoc examples (`import * as tf from '@tensorflow/tfjs'`) are not imports.
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  const pattern = staticOnly
    ? /(?:\bfrom\s*|\bimport\s*)(['"])([^'"]+)\1/g
    : /(?:\bfrom\s*|\bimport\s*\(?\s*)(['"])([^'"]+)\1/g;
  for (const match of code.matchAll(pattern)) found.push(match[2]!);
  return found;
}

/** The files reached from `entry` by relative imports, and the bare specifiers met on the way. */
function importGraph(entry: string, staticOnly = false): { files: string[]; bare: Set<string> } {
  const seen = new Set<string>();
  const bare = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of specifiers(readFileSync(file, 'utf8'), staticOnly)) {
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
  });
});

describe('package.json is ready to publish', () => {
  it('bin is a plain relative path (npm publish rewrites "./dist-tools/cli.js" with a warning)', () => {
    expect(pkg.bin).toEqual({ 'wasm-optim': 'dist-tools/cli.js' });
  });

  it('no script runs when the package is installed (prepare would need the dev toolchain)', () => {
    for (const name of ['preinstall', 'install', 'postinstall', 'prepare', 'prepack', 'postpack'])
      expect(pkg.scripts[name], name).toBeUndefined();
  });

  it('has repository, homepage, bugs, keywords and the MIT license', () => {
    const full = pkg as unknown as Record<string, unknown>;
    expect(full.license).toBe('MIT');
    expect(full.repository).toMatchObject({ url: expect.stringContaining('github.com/wasm-optim/wasm-optim') });
    expect(full.homepage).toMatch(/^https:\/\/github\.com\/wasm-optim\/wasm-optim/);
    expect(full.bugs).toMatchObject({ url: expect.stringMatching(/\/issues$/) });
    expect((full.keywords as string[]).length).toBeGreaterThan(3);
    const license = readFileSync(join(root, 'LICENSE'), 'utf8');
    expect(license).toContain('MIT License');
    expect(license).toContain('wasm-optim contributors');
    expect(readFileSync(join(root, 'CHANGELOG.md'), 'utf8')).toContain(`## [${pkg.version}]`);
  });
});

describe('the packed tarball installed as a dependency', () => {
  let dir = '';
  let project = '';
  let installLog = '';
  let packed: { path: string; size: number }[] = [];
  let info: { size: number; unpackedSize: number; entryCount: number } | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wasm-optim-pack-'));
    // --ignore-scripts: pack the dist/ and dist-tools/ already built (there is no pack script).
    const pack = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [packInfo] = JSON.parse(pack) as {
      filename: string;
      size: number;
      unpackedSize: number;
      entryCount: number;
      files: { path: string; size: number }[];
    }[];
    info = packInfo!;
    packed = packInfo!.files;
    project = join(dir, 'consumer');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    // No runtime dependencies and an optional peer: nothing to download. Scripts are not ignored:
    // the package must have none for npm to run or warn about.
    const install = spawnSync(
      'npm',
      ['install', '--offline', '--no-audit', '--no-fund', join(dir, packInfo!.filename)],
      { cwd: project, encoding: 'utf8' },
    );
    installLog = install.stdout + install.stderr;
    expect(install.status, installLog).toBe(0);
  }, 60_000);

  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  const bin = (...args: string[]) =>
    spawnSync(join(project, 'node_modules/.bin/wasm-optim'), args, { cwd: project, encoding: 'utf8' });
  const paths = () => packed.map((file) => file.path);

  it('ships the library, its types, the CLI with its golden data, README, LICENSE and CHANGELOG', () => {
    const files = paths();
    for (const file of ['dist/index.js', 'dist/index.d.ts', 'dist/tfjs/index.d.ts', 'dist-tools/cli.js'])
      expect(files).toContain(file);
    for (const file of ['README.md', 'LICENSE', 'CHANGELOG.md', 'dist-tools/golden/fixtures.json.br'])
      expect(files).toContain(file);
    expect(files.filter((file) => file.startsWith('dist/') && TOOLING.test(file.slice(5)))).toEqual([]);
    expect(files.filter((file) => /^(src|tools|test|bench|assembly|scripts|build|playground)\//.test(file))).toEqual(
      [],
    );
  });

  it('ships no source maps, and no file names a map that is not shipped', () => {
    const files = paths();
    expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
    for (const file of files.filter((name) => /\.(js|d\.ts)$/.test(name))) {
      const text = readFileSync(join(project, 'node_modules/wasm-optim', file), 'utf8');
      for (const match of text.matchAll(/[#@] sourceMappingURL=(\S+)/g)) {
        const map = join(dirname(file), match[1]!).split('\\').join('/');
        expect(files, `${file} names ${map}`).toContain(map);
      }
    }
  });

  it('dist-tools/ holds exactly what the CLI imports, plus its golden data', () => {
    const cli = importGraph(join(root, 'dist-tools/cli.js'), true).files;
    // The two commands loaded by import() when they run: bench (which explains, in an installed
    // package, that the suite lives in the repository) and fuzz (whose engine is left out).
    const shipped = [...cli, 'dist-tools/cli/bench.js', 'dist-tools/golden/fixtures.json.br'].sort();
    expect(
      paths()
        .filter((file) => file.startsWith('dist-tools/'))
        .sort(),
    ).toEqual(shipped);
  });

  it('the embedded Wasm is typed string: its declaration file is small', () => {
    const dts = packed.find((file) => file.path === 'dist/backend/wasm-bytes.generated.d.ts');
    expect(dts).toBeDefined();
    expect(dts!.size).toBeLessThan(2_000);
  });

  it('stays small: under 1.5 MB packed, 2.5 MB unpacked, 200 files', () => {
    // Measured for 0.1.0: 1.24 MB packed (0.96 MB of it the golden data), 1.99 MB unpacked, 161
    // files; before issue 15: 1.79 MB, 6.25 MB and 401 files.
    expect(info!.size).toBeLessThan(1_500_000);
    expect(info!.unpackedSize).toBeLessThan(2_500_000);
    expect(info!.entryCount).toBeLessThan(200);
  });

  it('installing ran no script and printed no warning about one', () => {
    expect(installLog).not.toMatch(/install-scripts|prepare/);
  });

  it("the README's quickstart runs against the installed package", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const block = /## Quickstart\n\n```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    writeFileSync(join(project, 'quickstart.mjs'), block!);
    const run = spawnSync(process.execPath, ['quickstart.mjs'], { cwd: project, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.split('\n')[0]).toMatch(/^3\.000 -1\.000 (simd|wasm|js)$/);
  });

  it('wasm-optim --version and check (the golden replay, from the packed data) run from node_modules/.bin', () => {
    const version = bin('--version');
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(`wasm-optim ${pkg.version}`);
    expect(existsSync(join(project, 'node_modules/wasm-optim/test'))).toBe(false);
    const check = bin('check');
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain('every case bit-exact on every backend');
    const total = check.stdout.split('\n').find((line) => /^\s+total\s/.test(line));
    expect(Number(total?.trim().split(/\s+/)[1])).toBeGreaterThan(200);
  }, 60_000);

  it('fuzz and bench, repository tooling, refuse with a clear message and no stack trace', () => {
    for (const [args, says] of [
      [['fuzz', '--cases', '4'], 'wasm-optim fuzz: not part of the published package'],
      [['bench', '--quick'], 'wasm-optim bench: the benchmark suite (bench/) is not part of this installation'],
    ] as const) {
      const command = args.join(' ');
      const run = bin(...args);
      expect(run.status, command).toBe(2);
      expect(run.stderr).toContain(says);
      expect(run.stderr).toContain('clone');
      expect(run.stderr, command).not.toMatch(/\n\s+at /);
    }
  });

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
