// Gradient clipping's price: what clipGradNorm adds to a step, against the step alone and against
// a plain JavaScript norm-and-scale loop, at sizes from cache to DRAM. Measured in interleaved
// rounds (measure.mjs); ratios are paired per round, then the median taken.
//
//   step             grads reset from a copy, opt.step()                 (zero-copy)
//   clip + step      grads reset from a copy, opt.clipGradNorm(m), opt.step(): the norm pass,
//                    then the step scaling each tile of the gradient before its kernel reads it
//   norm + step      grads reset from a copy, opt.gradNorm(), opt.step(): the norm pass and an
//                    unscaled step, the floor of any clipped step (the scaling itself for free)
//   reset            grads reset from a copy alone
//   JS norm + scale  a plain loop: s += g·g, then g *= min(1, m / (√s + 1e-6)) over a Float32Array
//
// Every round resets the gradients, because a clipped step leaves them clipped (as PyTorch
// does): without it the next norm would already be under m and the step would not scale.
// "Clip overhead" is (clip + step − reset) ÷ (step − reset): what clipping costs relative to
// the step; "vs JS" is the JS loop's time ÷ (clip + step − step), what clipping costs us.
// The floor: PyTorch's L2 order is eight sequential FMA chains (one 8-lane accumulator), which
// 128-bit SIMD runs as two dependent f32x4 chains, so the norm pass cannot go faster than one
// FMA latency per 8 elements however the scaling is done; "norm + step ÷ step" measures it.
//
//   node --expose-gc bench/clip.mjs [--quick] [--json FILE]
import { writeFileSync } from 'node:fs';
import { Adagrad, Adam } from '../dist/index.js';
import { fillGrads, fillParams } from './data.mjs';
import { heapGrowth } from './heap.mjs';
import { collectGarbage, measureInterleaved, pairedRatio } from './measure.mjs';
import { num, table, times } from './report.mjs';

const M = 1024 * 1024;
const quick = process.argv.includes('--quick');
const jsonAt = process.argv.indexOf('--json');
const jsonFile = jsonAt > 0 ? process.argv[jsonAt + 1] : null;
if (process.argv.includes('--help')) {
  console.log(
    'Usage: node --expose-gc bench/clip.mjs [--quick] [--json FILE]\n' +
      '  clipGradNorm + step vs step alone vs a plain JS norm-and-scale loop, at 64K, 1M and 16M parameters.\n' +
      '  --quick   64K and 1M only, shorter rounds\n  --json F  also write the measurements to F',
  );
  process.exit(0);
}

const sizes = quick ? [64 * 1024, M] : [64 * 1024, M, 16 * M];
const settings = {
  rounds: quick ? 3 : 5,
  round: { timeMs: quick ? 100 : 300, warmupMs: 50, minSamples: 5 },
  minSampleMs: 1,
};
const algorithms = { adam: Adam, adagrad: Adagrad };
/**
 * Float32 streams a step moves per element (reads + writes), for GB/s: Adam p,g,m,v in, p,m,v out.
 * @type {Record<string, number>}
 */
const algorithmStreams = { adam: 7, adagrad: 5 };

/**
 * The JS loop a user would write: L2 norm in float64, then scale in place.
 * @param {Float32Array} g
 * @param {number} maxNorm
 */
function jsNormAndScale(g, maxNorm) {
  let s = 0;
  for (let i = 0; i < g.length; i++) s += g[i] * g[i];
  const coef = Math.min(1, maxNorm / (Math.sqrt(s) + 1e-6));
  for (let i = 0; i < g.length; i++) g[i] *= coef;
}

const results = [];
for (const n of sizes) {
  const grads = fillGrads(new Float32Array(n));
  const params = fillParams(new Float32Array(n));
  // A max norm well under the gradients' (√n · ~0.8): every clip scales.
  const maxNorm = 1;
  for (const [name, Optimizer] of Object.entries(algorithms)) {
    const opt = new Optimizer([params], { lr: 1e-3 });
    const grad = opt.params[0].grad;
    const js = Float32Array.from(grads);
    const fns = {
      step: () => {
        grad.set(grads);
        opt.step();
      },
      clipStep: () => {
        grad.set(grads);
        opt.clipGradNorm(maxNorm);
        opt.step();
      },
      normStep: () => {
        grad.set(grads);
        opt.gradNorm();
        opt.step();
      },
      reset: () => {
        grad.set(grads);
      },
      js: () => {
        js.set(grads);
        jsNormAndScale(js, maxNorm);
      },
      jsReset: () => {
        js.set(grads);
      },
    };
    collectGarbage();
    const m = await measureInterleaved(fns, settings, (task, round) =>
      process.stderr.write(`\r${name} n=${n} ${task} round ${round + 1}/${settings.rounds}      `),
    );
    const step = m.step.medianNs - m.reset.medianNs;
    const clip = m.clipStep.medianNs - m.reset.medianNs;
    const floor = m.normStep.medianNs - m.reset.medianNs;
    const jsLoop = m.js.medianNs - m.jsReset.medianNs;
    results.push({
      algorithm: name,
      n,
      stepNsPerElement: step / n,
      clipStepNsPerElement: clip / n,
      clipOverhead: clip / step,
      normStepNsPerElement: floor / n,
      floorOverStep: floor / step,
      pairedClipStepOverStep: pairedRatio(m.clipStep, m.step),
      jsNormScaleNsPerElement: jsLoop / n,
      jsOverClipCost: jsLoop / Math.max(clip - step, 1e-9),
      jsOverNormCost: jsLoop / Math.max(floor - step, 1e-9),
      gbPerSecondStep: (algorithmStreams[name] * 4 * n) / step,
    });
    opt.dispose();
  }
}
process.stderr.write('\n');

const label = (/** @type {number} */ n) => (n >= M ? `${n / M}M` : `${n / 1024}K`);
console.log(
  table(
    [
      'algorithm',
      'params',
      'step ns/elem',
      'step GB/s',
      'clip+step ns/elem',
      'clip+step ÷ step',
      'norm+step ÷ step (floor)',
      'JS norm+scale ns/elem',
      'JS ÷ clip cost',
      'JS ÷ norm cost (ceiling)',
    ],
    results.map((r) => [
      r.algorithm,
      label(r.n),
      num(r.stepNsPerElement),
      num(r.gbPerSecondStep),
      num(r.clipStepNsPerElement),
      times(r.clipOverhead),
      times(r.floorOverStep),
      num(r.jsNormScaleNsPerElement),
      times(r.jsOverClipCost),
      times(r.jsOverNormCost),
    ]),
    'lrrrrrrrrr',
  ),
);
console.log(
  '\nclip+step ÷ step and the ns/element exclude the gradient reset both do (measured alone and subtracted); ' +
    'JS ÷ clip cost = the plain JS loop ÷ (clip+step − step); norm+step = gradNorm() then an unscaled step, ' +
    'the least any clipped step can cost, and JS ÷ norm cost the most clipping can gain over the JS loop.',
);

// What the loop allocates on the JS heap per iteration (heap.mjs): nothing is the goal.
const heapOpt = new Adam([4096], { lr: 1e-3, skipNonFinite: true });
const heapGrads = fillGrads(new Float32Array(4096));
const micro = [heapGrads];
const heap = {
  'clipGradNorm + step()': await heapGrowth(() => {
    heapOpt.params[0].grad.set(heapGrads);
    heapOpt.clipGradNorm(1);
    heapOpt.step();
  }, 100_000),
  "accumulateGrad × 2 ('mean') + clipGradNorm + step()": await heapGrowth(() => {
    heapOpt.accumulateGrad(micro, 'mean');
    heapOpt.accumulateGrad(micro, 'mean');
    heapOpt.clipGradNorm(1);
    heapOpt.step();
  }, 100_000),
};
console.log(
  `\n${table(
    ['loop (4096 parameters, Adam, skipNonFinite)', 'allocated bytes / iteration', 'GCs during 100,000'],
    Object.entries(heap).map(([name, h]) => [name, num(h.allocatedPerStep), String(h.gcEvents)]),
    'lrr',
  )}`,
);
if (jsonFile) writeFileSync(jsonFile, `${JSON.stringify({ node: process.version, results, heap }, null, 2)}\n`);
