// The Node run (`vitest run`, `npm test`). The real-browser suites have their own config,
// vitest.browser.config.ts (`npm run test:browser`), so they are excluded here.
import { configDefaults, defineConfig } from 'vitest/config';
import { sourceConditions } from './vitest.shared.js';

export default defineConfig({
  ...sourceConditions,
  test: {
    exclude: [...configDefaults.exclude, 'test/browser/**', 'test/e2e/**'],
  },
});
