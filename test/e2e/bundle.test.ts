// The package through a bundler: a tiny app importing 'wasm-optim' from node_modules (a link
// to this package, resolved through package.json "exports" like any install) is built by Vite
// for the browser and run in Chromium. The bundle must need no Node built-ins, carry the Wasm
// inside (no extra asset to serve), pick SIMD, and compute the same bits as Node does.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { chromium } from 'playwright';
import { build, createLogger } from 'vite';
import { afterAll, expect, it } from 'vitest';
import { availableBackends, RMSprop } from '../../src/index.js';
import { chromiumLaunchOptions } from './chromium.js';
import { ROOT } from './output.js';

const APP = `
import { Adagrad, RMSprop, availableBackends } from 'wasm-optim';
const p = new Float32Array([1, -2, 3, 0.5, 0, 7]);
const opt = new RMSprop([p], { lr: 0.01, momentum: 0.9, centered: true });
for (let t = 0; t < 5; t++) opt.step([new Float32Array([0.5, -1, 2, 0, 3, -0.25])]);
window.result = {
  backend: opt.backend,
  adagrad: new Adagrad([new Float32Array(3)]).backend,
  available: availableBackends(),
  bits: Array.from(new Uint32Array(p.buffer)),
};
`;

const dir = mkdtempSync(join(tmpdir(), 'wasm-optim-vite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('bundles with Vite for the browser and runs there on SIMD, bit for bit as in Node', async () => {
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'wasm-optim'), 'dir');
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="./main.js"></script>');
  writeFileSync(join(dir, 'main.js'), APP);

  const warnings: string[] = [];
  const logger = createLogger('warn');
  logger.warn = (msg) => {
    warnings.push(msg);
  };
  logger.warnOnce = (msg) => {
    warnings.push(msg);
  };
  await build({ root: dir, configFile: false, logLevel: 'warn', customLogger: logger, build: { outDir: 'out' } });
  expect(warnings).toEqual([]);

  const out = join(dir, 'out');
  const assets = readdirSync(join(out, 'assets'));
  expect(assets.filter((f) => extname(f) !== '.js')).toEqual([]); // the Wasm is embedded, not an asset
  for (const file of assets) {
    const code = readFileSync(join(out, 'assets', file), 'utf8');
    expect(code).not.toMatch(/["'`]node:|\brequire\(/);
  }

  const browser = await chromium.launch(chromiumLaunchOptions());
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    // Serve the build from disk (no server): http://app.localhost/… ↦ out/…
    await page.route('http://app.localhost/**', (route) => {
      const path = new URL(route.request().url()).pathname;
      const file = join(out, path === '/' ? 'index.html' : path);
      void route.fulfill({ path: file, contentType: extname(file) === '.js' ? 'text/javascript' : 'text/html' });
    });
    await page.goto('http://app.localhost/');
    await page.waitForFunction(() => 'result' in window);
    const result = await page.evaluate(() => (window as unknown as { result: Record<string, unknown> }).result);
    expect(problems).toEqual([]);
    expect(result['available']).toEqual(['simd', 'wasm', 'js']);
    expect(result['backend']).toBe('simd');
    expect(result['adagrad']).toBe('simd');

    // The same run in Node, on each backend: the bits must agree.
    for (const backend of availableBackends()) {
      const p = new Float32Array([1, -2, 3, 0.5, 0, 7]);
      const opt = new RMSprop([p], { lr: 0.01, momentum: 0.9, centered: true, backend });
      for (let t = 0; t < 5; t++) opt.step([new Float32Array([0.5, -1, 2, 0, 3, -0.25])]);
      expect(result['bits'], backend).toEqual(Array.from(new Uint32Array(p.buffer)));
    }
  } finally {
    await browser.close();
  }
});
