// Shared by vitest.config.ts and vitest.browser.config.ts. tools/ imports the library as #lib/*
// (package.json "imports"): with the "wasm-optim-source" condition that is src/, so a test that
// imports both src/ and tools/ gets one instance of each library module, run from source. Without
// it, #lib/* would be dist/ (as for the built CLI), a second copy of the library.
import { defaultClientConditions, defaultServerConditions } from 'vite';

export const SOURCE_CONDITION = 'wasm-optim-source';

export const sourceConditions = {
  resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [SOURCE_CONDITION, ...defaultServerConditions] } },
};
