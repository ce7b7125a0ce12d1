// Fails when a relative link in README.md or docs/*.md points to a file that does not exist, or to
// a heading (#anchor) that the target Markdown file does not have. TypeDoc (npm run docs:check)
// checks the {@link}s of the TSDoc and that docs/*.md's linked files exist; this adds the anchors,
// which TypeDoc does not check, and README.md, which it does not read. Anchors are GitHub's:
// the heading's text lowercased, punctuation dropped, spaces as hyphens, repeats suffixed -1, -2.
//
//   node scripts/check-doc-links.mjs        (run by npm run docs:check)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pages = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The text outside fenced code blocks and inline code spans. */
function prose(text) {
  const out = [];
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^\s*```/.test(line)) {
      fenced = !fenced;
      out.push('');
      continue;
    }
    out.push(fenced ? '' : line);
  }
  return out;
}

const anchorCache = new Map();
/** GitHub's anchors of a Markdown file's headings. */
function anchors(file) {
  let set = anchorCache.get(file);
  if (set) return set;
  set = new Set();
  const seen = new Map();
  for (const line of prose(readFileSync(join(root, file), 'utf8'))) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = m[1]
      .replace(/`/g, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    set.add(n === 0 ? base : `${base}-${n}`);
  }
  anchorCache.set(file, set);
  return set;
}

let broken = 0;
for (const page of pages) {
  prose(readFileSync(join(root, page), 'utf8')).forEach((line, i) => {
    const code = line.replace(/`[^`]*`/g, (s) => ' '.repeat(s.length));
    for (const m of code.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1];
      if (/^[a-z]+:/i.test(target)) continue; // http:, https:, mailto:
      const [path, anchor] = target.split('#');
      const file = path === '' ? page : normalize(join(dirname(page), path));
      const where = `${page}:${i + 1}: ${target}`;
      if (!existsSync(join(root, file))) {
        console.error(`${where}: no such file`);
        broken++;
      } else if (anchor !== undefined && file.endsWith('.md') && statSync(join(root, file)).isFile()) {
        if (!anchors(file).has(anchor)) {
          console.error(`${where}: no heading with that anchor in ${file}`);
          broken++;
        }
      }
    }
  });
}
if (broken > 0) {
  console.error(`check-doc-links: ${broken} broken link(s)`);
  process.exit(1);
}
console.log(`check-doc-links: ${pages.length} pages, every relative link and anchor resolves`);
