#!/usr/bin/env node
// `npm run playground`: serves the playground (playground/) and the built library (dist/, from
// `npm run build`; dist-tools/ for one helper) on localhost, and prints the URL. No bundler: the
// page imports 'wasm-optim' through an import map. The page's Content-Security-Policy keeps it
// off the network (default-src 'self'); /playground/?nowasm serves it without
// 'wasm-unsafe-eval', so the library falls back to its JS backend there.
//   node playground/serve.mjs [--port N] [--host H]     (port 0: any free port)
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '5180' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});

if (!existsSync(join(root, 'dist/index.js'))) {
  console.error('dist/ is missing: run `npm run build` first.');
  process.exit(1);
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};
const MOUNTS = [
  ['/playground/', 'playground/'],
  ['/dist/', 'dist/'],
  // bench.js's seeded generator (mulberry32) lives with the fuzzer, in dist-tools/fuzz/random.js.
  ['/dist-tools/', 'dist-tools/'],
];

/** The policy for index.html: its inline import map allowed by hash, nothing from elsewhere. */
function policy(html, wasm) {
  const hashes = [...html.matchAll(/<script type="importmap">([\s\S]*?)<\/script>/g)].map(
    ([, body]) => `'sha256-${createHash('sha256').update(body).digest('base64')}'`,
  );
  return [
    "default-src 'self'",
    `script-src 'self' ${hashes.join(' ')}${wasm ? " 'wasm-unsafe-eval'" : ''}`,
    "img-src 'self' data:",
  ].join('; ');
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed');
  if (url.pathname === '/' || url.pathname === '/playground') {
    res.writeHead(302, { Location: '/playground/' });
    return res.end();
  }
  const mount = MOUNTS.find(([prefix]) => url.pathname.startsWith(prefix));
  const rel = mount && normalize(mount[1] + (url.pathname.slice(mount[0].length) || 'index.html'));
  if (
    !rel ||
    !rel.startsWith(mount[1]) ||
    !(extname(rel) in TYPES) ||
    (mount[1] !== 'playground/' && extname(rel) === '.html')
  ) {
    return send(res, 404, 'text/plain', 'not found');
  }
  try {
    const body = await readFile(join(root, rel));
    const headers = {};
    if (extname(rel) === '.html')
      headers['Content-Security-Policy'] = policy(body.toString('utf8'), !url.searchParams.has('nowasm'));
    send(res, 200, TYPES[extname(rel)], req.method === 'HEAD' ? '' : body, headers);
  } catch {
    send(res, 404, 'text/plain', 'not found');
  }
});

function send(res, status, type, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...headers });
  res.end(body);
}

server.listen(Number(args.port), args.host, () => {
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  console.log(`wasm-optim playground: http://${args.host}:${port}/playground/`);
});
