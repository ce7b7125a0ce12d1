// The Node run (`vitest run`, `npm test`). The real-browser suites have their own config,
// vitest.browser.config.ts (`npm run test:browser`), so they are excluded here. A fresh clone is
// built first (scripts/ensure-built.mjs: `npm ci` does not build), since tests read dist/ and the
// generated sources.
import { configDefaults, defineConfig } from 'vitest/config';
import { sourceConditions } from './vitest.shared.js';

export default defineConfig({
  ...sourceConditions,
  test: {
    globalSetup: ['./scripts/ensure-built.mjs'],
    exclude: [...configDefaults.exclude, 'test/browser/**', 'test/e2e/**'],
  },
});
