// The README's plain-browser example runs as written: its HTML block is served as a page (with
// /node_modules/wasm-optim/ mapped to this package) in Chromium and logs what its comment says.
import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { chromium } from 'playwright';
import { expect, it } from 'vitest';
import { chromiumLaunchOptions } from './chromium.js';
import { ROOT } from './output.js';

it("the README's <script type=\"module\"> example runs in Chromium and logs 'simd'", async () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const html = /## Browsers and the playground\n[\s\S]*?```html\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(html, 'README has a ```html block under ## Browsers and the playground').toBeDefined();
  expect(html).toContain('// simd');

  const browser = await chromium.launch(chromiumLaunchOptions());
  try {
    const page = await browser.newPage();
    const logs: string[] = [];
    const problems: string[] = [];
    page.on('console', (msg) => (msg.type() === 'log' ? logs : problems).push(msg.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    await page.route('http://app.localhost/**', (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/') return route.fulfill({ body: `<!doctype html>\n${html}`, contentType: 'text/html' });
      const rel = path.replace(/^\/node_modules\/wasm-optim\//, '');
      if (rel === path || !rel.startsWith('dist/')) return route.fulfill({ status: 404, body: 'not found' });
      return route.fulfill({
        path: join(ROOT, rel),
        contentType: extname(rel) === '.js' ? 'text/javascript' : 'application/json',
      });
    });
    await page.goto('http://app.localhost/');
    await expect.poll(() => logs, { timeout: 10_000 }).toEqual(['simd']);
    expect(problems).toEqual([]);
  } finally {
    await browser.close();
  }
});
