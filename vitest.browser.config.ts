// `npm run test:browser`: the library in real Chromium (Debian's /usr/bin/chromium, driven by
// Playwright; no browser download).
//  - chromium: vitest browser mode runs the conformance suite (test/conformance.test.ts, as is)
//    and test/browser/** (golden replay from Vite JSON imports, the CSP fallback) in the page.
//  - e2e: Node-side Playwright tests of the built package: the playground, a Vite bundle.
import { playwright } from '@vitest/browser-playwright';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import { chromiumLaunchOptions } from './test/e2e/chromium.js';
import { sourceConditions } from './vitest.shared.js';

/** The Content-Security-Policy of the CSP test page: scripts from here, no 'wasm-unsafe-eval'. */
const NO_WASM_CSP = "default-src 'self'; script-src 'self'";

/**
 * Serves /__csp__/frame.html with that policy as a real response header (with
 * 'wasm-unsafe-eval' added when the query says so). The page only loads
 * test/browser/csp-frame.ts, transformed by this Vite server like any module.
 */
function cspPage(): Plugin {
  return {
    name: 'wasm-optim-csp-page',
    configureServer(server) {
      server.middlewares.use('/__csp__/frame.html', (req, res) => {
        const allowWasm = req.url?.includes('wasm-unsafe-eval') ?? false;
        res.setHeader('Content-Type', 'text/html; charset=utf-8');
        res.setHeader('Content-Security-Policy', allowWasm ? `${NO_WASM_CSP} 'wasm-unsafe-eval'` : NO_WASM_CSP);
        res.setHeader('Cache-Control', 'no-store');
        res.end(
          '<!doctype html><meta charset="utf-8"><title>CSP without wasm-unsafe-eval</title>' +
            '<script type="module" src="/test/browser/csp-frame.ts"></script>',
        );
      });
    },
  };
}

export default defineConfig({
  test: {
    projects: [
      {
        ...sourceConditions,
        plugins: [cspPage()],
        test: {
          name: 'chromium',
          include: ['test/conformance.test.ts', 'test/browser/**/*.test.ts'],
          testTimeout: 60_000,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({ launchOptions: chromiumLaunchOptions() }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
