// Builds the repository (`npm run build`) when its build outputs are missing, as in a fresh clone
// after `npm ci`: installing no longer builds (package.json has no `prepare`, so that installing
// the package as a dependency never runs a script or needs the dev toolchain). Run before
// `npm start`, `npm run bench`, `npm run test:browser`, `npm run playground` and the docs scripts (their pre*
// scripts), and as the Node suite's vitest globalSetup. It only checks that the outputs exist:
// after editing sources, `npm run build` (or `npm test`, which always builds) brings them up to date.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);
/** What `npm run build` writes that the suites, the CLI and the playground read. */
const OUTPUTS = [
  'src/backend/wasm-bytes.generated.ts',
  'src/backend/contract.generated.ts',
  'src/backend/js/kernels.generated.ts',
  'tools/fuzz/algorithms/index.generated.ts',
  'dist/index.js',
  'dist-tools/cli.js',
  'dist-tools/golden/fixtures.json.br',
];

export default function ensureBuilt() {
  const missing = OUTPUTS.filter((path) => !existsSync(new URL(path, root)));
  if (missing.length === 0) return;
  console.log(`ensure-built: ${missing.join(', ')} missing; running npm run build`);
  const build = spawnSync('npm', ['run', 'build'], { cwd: fileURLToPath(root), stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`ensure-built: npm run build failed (exit ${build.status})`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    ensureBuilt();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
