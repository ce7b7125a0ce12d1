// Run by `npm run build:ts` before tsc: empties dist/ and dist-tools/, so that no file of an
// earlier layout (dist/cli.js, dist/fuzz/ before the tooling moved to tools/) stays behind to be
// packed or run. build:wasm writes only build/ and src/, so nothing else is lost.
import { rmSync } from 'node:fs';

for (const dir of ['dist', 'dist-tools'])
  rmSync(new URL(`../${dir}`, import.meta.url), { recursive: true, force: true });
