// node make-fixture.mjs <port dir> <no-fma port dir> <fn> <reference .bin> <structured count> <out .json>
//
// Picks a compact, deterministic subset of a reference file for test/fixtures/glibc-math/: first, for every single
// fma() call site of the port, up to 25 records where replacing just that fma by a * b + c changes the result (so
// the test notices any one lost FMA that is observable at all); then hard cases (where JavaScript's Math.* or a port
// without any fused multiply-add differs from glibc), structured arguments (the schedulers' own) and plain random
// ones (specials, subnormals, huge). Records are stored as base64 of little-endian float64s: exact bit patterns in a
// third of the size of hex. The port dir must be compiled with --removeComments (call sites are found textually).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dir, naiveDir, fn, file, structuredArg, out] = process.argv.slice(2);
const structured = Number(structuredArg);
const load = async (d) => ({
  ...(await import(pathToFileURL(resolve(d, 'index.js')).href)),
  fma: (await import(pathToFileURL(resolve(d, 'fma.js')).href)).fma,
});
const port = await load(dir);
const naive = await load(naiveDir);
const rec = { fma: 4, cos: 2, pow: 3, log: 2 }[fn];
const budget = {
  fma: { hard: 5000, structured: 0, random: 1500 },
  cos: { hard: 12000, structured: 6000, random: 2000 },
}[fn] ?? { hard: 12000, structured: 6000, random: 2000 };
const js = { fma: (a, b, c) => a * b + c, cos: Math.cos, pow: Math.pow, log: Math.log }[fn];

const buf = readFileSync(file);
const d = new Float64Array(buf.buffer, buf.byteOffset, buf.length / 8);
const n = Math.floor(d.length / rec);
const call = (f, i) => (rec === 4 ? f(d[i], d[i + 1], d[i + 2]) : rec === 3 ? f(d[i], d[i + 1]) : f(d[i]));
const t = new Float64Array(2);
const tu = new BigUint64Array(t.buffer);
const same = (a, b) => {
  t[0] = a;
  t[1] = b;
  return (Number.isNaN(a) && Number.isNaN(b)) || tu[0] === tu[1];
};

const hard = [];
for (let j = 0; j < n; j++) {
  const i = j * rec;
  const want = d[i + rec - 1];
  if (!same(call(port[fn], i), want)) throw new Error(`${fn}: the port mismatches record ${j}; fix it first`);
  const other = fn === 'fma' ? js : naive[fn];
  if (!same(call(other, i), want) || !same(call(js, i), want)) hard.push(j);
}
// One mutant per fma() call site in the compiled glibc-<fn>.js.
const killers = [];
const sites = [];
if (fn !== 'fma') {
  const name = `glibc-${fn}.js`;
  const src = readFileSync(resolve(dir, name), 'utf8');
  const at = [...src.matchAll(/\bfma\(/g)].map((m) => m.index);
  const tmp = mkdtempSync(join(tmpdir(), 'glibc-math-mutants-'));
  for (const [m, index] of at.entries()) {
    const mdir = join(tmp, String(m));
    cpSync(dir, mdir, { recursive: true });
    const naiveFma = 'function naiveFma(a, b, c) { return a * b + c; }';
    writeFileSync(join(mdir, name), `${src.slice(0, index)}naiveFma(${src.slice(index + 4)}\n${naiveFma}\n`);
    const mutant = (await load(mdir))[fn];
    const found = [];
    for (let j = 0; j < n && found.length < 25; j++) {
      const i = j * rec;
      if (!same(call(mutant, i), d[i + rec - 1])) found.push(j);
    }
    killers.push(...found);
    const line = src.slice(src.lastIndexOf('\n', index) + 1, src.indexOf('\n', index)).trim();
    sites.push({ site: m, line, observable: found.length > 0 });
  }
  rmSync(tmp, { recursive: true, force: true });
  const hidden = sites.filter((x) => !x.observable);
  console.log(`${fn}: ${sites.length} fma sites, ${sites.length - hidden.length} observable in ${n} records`);
  for (const x of hidden) console.log(`  not observable: site ${x.site}: ${x.line}`);
}

const pick = (list, k) => {
  if (list.length <= k) return list;
  const step = list.length / k;
  return Array.from({ length: k }, (_, m) => list[Math.floor(m * step)]);
};
const range = (a, b) => Array.from({ length: Math.max(0, b - a) }, (_, m) => a + m);
const chosen = new Set([
  ...killers,
  ...pick(hard, budget.hard),
  ...pick(range(0, structured), budget.structured),
  ...pick(range(structured, n), budget.random),
]);
const rows = [...chosen].sort((a, b) => a - b);
const outBuf = Buffer.alloc(rows.length * rec * 8);
rows.forEach((j, m) => buf.copy(outBuf, m * rec * 8, j * rec * 8, (j + 1) * rec * 8));
const fields = {
  fma: ['a', 'b', 'c', 'fma(a, b, c)'],
  cos: ['x', 'cos(x)'],
  pow: ['x', 'y', 'pow(x, y)'],
  log: ['x', 'log(x)'],
};
writeFileSync(
  out,
  `${JSON.stringify(
    {
      about:
        `glibc 2.36 x86_64 libm (${fn === 'fma' ? 'hardware fma' : `__${fn}_fma`}) reference values, chosen by ` +
        'tools/reference/glibc-math/make-fixture.mjs: cases where Math.* or a port without FMA differs, plus ' +
        'structured and random arguments',
      function: fn,
      fields: fields[fn],
      records: rows.length,
      hardCasesSeen: hard.length,
      fmaSites: sites.length || undefined,
      fmaSitesObservable: sites.filter((x) => x.observable).length || undefined,
      scanned: n,
      float64LittleEndianBase64: outBuf.toString('base64'),
    },
    null,
    2,
  )}\n`,
);
console.log(`${fn}: ${rows.length} records (${hard.length} hard cases among ${n}) -> ${out}`);
