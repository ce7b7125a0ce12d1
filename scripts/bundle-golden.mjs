// Packs the golden fixtures (test/fixtures/golden: 3.7 MB of JSON) into one brotli-compressed
// file, dist-tools/golden/fixtures.json.br (under 1 MB), so that the published package can run
// `wasm-optim check` without shipping test/. tools/golden/load.ts reads the fixtures directory
// when it exists (the repository) and this file otherwise (an installed package).
// Run by `npm run build:ts`, after tsc has written dist-tools/. Brotli at its best quality takes
// about 10 s, so the result is kept in build/ (not cleaned by builds) under the SHA-256 of its
// input and reused while the fixtures are unchanged.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants } from 'node:zlib';

const root = new URL('../', import.meta.url);
const golden = new URL('test/fixtures/golden/', root);
const read = (path) => JSON.parse(readFileSync(new URL(path, golden), 'utf8'));
// The order loadGoldenFiles() reads the directory in: torch then tfjs, each sorted by name.
const files = ['torch', 'tfjs'].flatMap((framework) =>
  readdirSync(new URL(`${framework}/`, golden))
    .filter((entry) => entry.endsWith('.json'))
    .sort()
    .map((entry) => ({ name: `${framework}/${entry.slice(0, -5)}`, file: read(`${framework}/${entry}`) })),
);
const json = Buffer.from(JSON.stringify({ files, worked: read('worked_examples.json') }));
const hash = createHash('sha256').update(json).digest('hex').slice(0, 16);
const cached = new URL(`build/golden-${hash}.json.br`, root);
let packed;
if (existsSync(cached)) packed = readFileSync(cached);
else {
  packed = brotliCompressSync(json, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_LGWIN]: 24,
      [constants.BROTLI_PARAM_SIZE_HINT]: json.length,
    },
  });
  mkdirSync(new URL('build/', root), { recursive: true });
  writeFileSync(cached, packed);
}
writeFileSync(new URL('dist-tools/golden/fixtures.json.br', root), packed);
console.log(`golden fixtures: ${files.length} files + worked examples, ${json.length} B → ${packed.length} B (brotli)`);
