// node check.mjs <compiled src/math dir> <fma|cos|pow|log> <reference .bin>
// Streams the reference records written by `reference` and compares the port's results bit for bit (any NaN equals
// any NaN). Prints the mismatch count, and how often JavaScript's Math.* differs, for comparison. Exit code 1 on any
// mismatch.
import { openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dir, fn, file] = process.argv.slice(2);
const mod = await import(pathToFileURL(resolve(dir, 'index.js')).href);
const fmaMod = await import(pathToFileURL(resolve(dir, 'fma.js')).href);
const f = { fma: fmaMod.fma, cos: mod.cos, pow: mod.pow, log: mod.log }[fn];
const naive = { fma: (a, b, c) => a * b + c, cos: Math.cos, pow: Math.pow, log: Math.log }[fn];
const rec = { fma: 4, cos: 2, pow: 3, log: 2 }[fn];
const fd = openSync(file, 'r');
const CH = rec * 8 * 65536;
const buf = Buffer.alloc(CH);
const d = new Float64Array(buf.buffer, buf.byteOffset, CH / 8);
const u = new BigUint64Array(buf.buffer, buf.byteOffset, CH / 8);
const t = new Float64Array(1),
  tu = new BigUint64Array(t.buffer);
let n = 0,
  bad = 0,
  js = 0;
for (;;) {
  const got = readSync(fd, buf, 0, CH, null);
  if (got <= 0) break;
  const m = got / 8;
  for (let i = 0; i + rec - 1 < m; i += rec) {
    n++;
    const want = d[i + rec - 1];
    const r = rec === 4 ? f(d[i], d[i + 1], d[i + 2]) : rec === 3 ? f(d[i], d[i + 1]) : f(d[i]);
    t[0] = r;
    if (!((Number.isNaN(r) && Number.isNaN(want)) || tu[0] === u[i + rec - 1])) {
      if (bad++ < 8) console.log('MISMATCH', [...d.subarray(i, i + rec)].map(String).join(' '), 'got', r);
    }
    const jr = rec === 4 ? naive(d[i], d[i + 1], d[i + 2]) : rec === 3 ? naive(d[i], d[i + 1]) : naive(d[i]);
    if (!(Object.is(jr, want) || (Number.isNaN(jr) && Number.isNaN(want)))) js++;
  }
}
const other = fn === 'fma' ? 'a * b + c' : `Math.${fn}`;
console.log(`${fn}: compared ${n}, mismatches ${bad} (${other} differs on ${js})`);
if (bad > 0) process.exitCode = 1;
