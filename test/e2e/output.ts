// Where the end-to-end tests put what they produce (screenshots): build/test-output/ by default,
// inside the git-ignored build/ directory; TEST_OUTPUT_DIR overrides it.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function outputDir(): string {
  const dir = process.env['TEST_OUTPUT_DIR'] ?? fileURLToPath(new URL('../../build/test-output/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  return dir;
}
