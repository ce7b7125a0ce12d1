// Fails when a line of source code is longer than 120 characters (the limit Biome's formatter
// aims for but does not enforce: it cannot break string literals, comments or template text).
// Checks every tracked .ts/.mjs/.js file except generated ones; prints file:line for each.
//
//   node scripts/check-line-length.mjs        (run by npm run lint)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const LIMIT = 120;
const CODE = /\.(ts|mts|mjs|js|cjs)$/;
const SKIP = /\.generated\.ts$|^test\/fixtures\//;

const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8' })
  .split('\n')
  .filter((f) => CODE.test(f) && !SKIP.test(f));
let long = 0;
for (const file of files) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    continue; // listed by git but deleted in the work tree
  }
  text.split('\n').forEach((line, i) => {
    // Characters, not UTF-16 units: '—' or '√' count once.
    const length = [...line].length;
    if (length > LIMIT) {
      console.error(`${file}:${i + 1}: ${length} characters (limit ${LIMIT})`);
      long++;
    }
  });
}
if (long > 0) {
  console.error(`check-line-length: ${long} line(s) over ${LIMIT} characters`);
  process.exit(1);
}
console.log(`check-line-length: ${files.length} files, every line ≤ ${LIMIT} characters`);
