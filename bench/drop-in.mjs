// What the drop-in form costs: `opt.step([grad])` on your own Float32Array against the
// zero-copy `opt.step()` on the same data in the optimizer's memory, and against the plain JS
// loop, for every benchmarked algorithm (SIMD backend, torch flavor, default options), at
// sizes from cache to DRAM. Interleaved rounds (measure.mjs), medians; the drop-in ÷ zero-copy
// ratio is paired per round. Tensors longer than 32,768 elements step tile by tile through a
// scratch (src/drop-in-tiles.ts); the heap table checks that doing so allocates nothing when
// your gradient arrays are reused from step to step.
//
//   node --expose-gc bench/drop-in.mjs [--quick] [--algorithm a,b] [--json FILE]
import { writeFileSync } from 'node:fs';
import { availableVariants } from './algorithms/index.mjs';
import { heapGrowth } from './heap.mjs';
import { plainLoop } from './impl/plain-js.mjs';
import { dropIn, zeroCopy } from './impl/wasm-optim.mjs';
import { collectGarbage, measureInterleaved, pairedRatio } from './measure.mjs';
import { num, table, times } from './report.mjs';

const K = 1024;
const M = K * K;
const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log(
    'Usage: node --expose-gc bench/drop-in.mjs [--quick] [--algorithm a,b] [--json FILE]\n' +
      '  drop-in step(grads) vs zero-copy step() vs a plain JS loop, every algorithm, 16K to 16M elements.\n' +
      '  --quick        16K, 256K and 4M only, shorter rounds\n' +
      '  --algorithm    only these (bench ids: adagrad, rmsprop, sgd, momentum, adam, …)\n' +
      '  --json F       also write the measurements to F',
  );
  process.exit(0);
}
const quick = args.includes('--quick');
const flagValue = (/** @type {string} */ flag) => {
  const at = args.indexOf(flag);
  return at >= 0 ? args[at + 1] : undefined;
};
const only = flagValue('--algorithm')?.split(',');
const jsonFile = flagValue('--json');
const sizes = quick ? [16 * K, 256 * K, 4 * M] : [16 * K, 256 * K, 4 * M, 16 * M];
const settings = {
  rounds: quick ? 3 : 5,
  round: { timeMs: quick ? 100 : 250, warmupMs: 50, minSamples: 5 },
  minSampleMs: 1,
};

const { variants } = availableVariants();
const chosen = variants.filter((v) => only === undefined || only.includes(v.id));
if (chosen.length === 0) {
  console.error(`drop-in bench: no algorithm matches --algorithm ${only?.join(',')}`);
  process.exit(2);
}

const label = (/** @type {number} */ n) => (n >= M ? `${n / M}M` : `${n / K}K`);
const results = [];
for (const n of sizes) {
  for (const variant of chosen) {
    const zero = zeroCopy(variant, n, 'simd', 'torch');
    const drop = dropIn(variant, n, 'simd');
    const plain = variant.plain === undefined ? null : plainLoop(variant, n);
    /** @type {Record<string, () => unknown>} */
    const fns = { zero: zero.fn, drop: drop.fn };
    if (plain !== null) fns.plain = plain.fn;
    collectGarbage();
    const m = await measureInterleaved(fns, settings, (task, round) =>
      process.stderr.write(`\r${variant.id} ${label(n)} ${task} round ${round + 1}/${settings.rounds}      `),
    );
    zero.check();
    drop.check();
    results.push({
      algorithm: variant.id,
      n,
      zeroCopyNs: m.zero.medianNs / n,
      dropInNs: m.drop.medianNs / n,
      plainNs: plain === null ? null : m.plain.medianNs / n,
      dropInOverZeroCopy: pairedRatio(m.drop, m.zero),
      plainOverDropIn: plain === null ? null : m.plain.medianNs / m.drop.medianNs,
    });
    zero.dispose();
    drop.dispose();
    plain?.dispose();
  }
}
process.stderr.write('\n');
console.log(
  table(
    [
      'algorithm',
      'N',
      'zero-copy ns/elem',
      'drop-in ns/elem',
      'drop-in ÷ zero-copy',
      'plain JS ns/elem',
      'plain JS ÷ drop-in',
    ],
    results.map((r) => [
      r.algorithm,
      label(r.n),
      num(r.zeroCopyNs),
      num(r.dropInNs),
      times(r.dropInOverZeroCopy),
      r.plainNs === null ? '—' : num(r.plainNs),
      r.plainOverDropIn === null ? '—' : times(r.plainOverDropIn),
    ]),
    'llrrrrr',
  ),
);

// The JS heap of drop-in steps on a tiled tensor (4M), the gradient array reused: nothing is the goal.
const heapVariant = chosen[0];
const heapCase = dropIn(heapVariant, 4 * M, 'simd');
const heap = await heapGrowth(heapCase.fn, 200);
heapCase.dispose();
console.log(
  `\n${table(
    [`drop-in step(grads), ${heapVariant.id}, 4M elements (tiled)`, 'allocated bytes / step', 'GCs during 200'],
    [['the same gradient array every step', num(heap.allocatedPerStep), String(heap.gcEvents)]],
    'lrr',
  )}`,
);
if (jsonFile !== undefined) {
  writeFileSync(jsonFile, `${JSON.stringify({ node: process.version, results, heap }, null, 2)}\n`);
}
