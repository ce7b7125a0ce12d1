// Run by test/schedulers.test.ts in a child process: the JS heap a scheduler's step() allocates,
// in bytes per step, for each scheduler with its lr changing every step. Its own process, with a
// young generation large enough that a million steps run without a garbage collection, so that
// heapUsed counts every byte and nothing else runs in the isolate (in the test runner's worker,
// its own traffic made a GC count flaky). Prints one JSON object: { name: bytes per step }.
//
//   node --expose-gc --max-semi-space-size=128 test/helpers/scheduler-heap-child.mjs
import * as lib from '../../dist/index.js';

const STEPS = 1_000_000;
const WARM_UP = 200_000;

/** SGD over two groups (lrs 0.1, 0.05; momentum 0.9), as the unit tests build it. */
const sgd = () =>
  new lib.SGD(
    [0.1, 0.05].map((lr) => ({ params: [1], lr, momentum: 0.9 })),
    { lr: 0.1, backend: 'js' },
  );
const adam = () =>
  new lib.Adam(
    [0.001, 0.002].map((lr) => ({ params: [1], lr })),
    { backend: 'js' },
  );

/** @type {Record<string, () => { step(): void }>} */
const cases = {
  StepLR: () => new lib.StepLR(sgd(), { stepSize: 1, gamma: 0.9999999 }),
  MultiStepLR: () => new lib.MultiStepLR(sgd(), { milestones: [1e9] }),
  ExponentialLR: () => new lib.ExponentialLR(sgd(), { gamma: 0.9999999 }),
  PolynomialLR: () => new lib.PolynomialLR(sgd(), { totalIters: 1e8, power: 1.5 }),
  LinearLR: () => new lib.LinearLR(sgd(), { totalIters: 1e8 }),
  CosineAnnealingLR: () => new lib.CosineAnnealingLR(sgd(), { tMax: 1e8 }),
  'CosineAnnealingLR over Adam': () => new lib.CosineAnnealingLR(adam(), { tMax: 1e8 }),
  CosineAnnealingWarmRestarts: () => new lib.CosineAnnealingWarmRestarts(sgd(), { t0: 1000 }),
  'CyclicLR cycling momentum': () => new lib.CyclicLR(sgd(), { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 1000 }),
  'OneCycleLR cycling momentum': () => new lib.OneCycleLR(sgd(), { maxLr: 0.1, totalSteps: 1e8 }),
  LambdaLR: () => new lib.LambdaLR(sgd(), { lrLambda: () => 1 }),
  MultiplicativeLR: () => new lib.MultiplicativeLR(sgd(), { lrLambda: () => 0.9999999 }),
  ReduceLROnPlateau: () => {
    const s = new lib.ReduceLROnPlateau(sgd(), { patience: 1e9 });
    return { step: () => s.step(1) };
  },
};

const gc = /** @type {() => void} */ (globalThis.gc);
/** @type {Record<string, number>} */
const bytesPerStep = {};
for (const [name, make] of Object.entries(cases)) {
  const scheduler = make();
  for (let i = 0; i < WARM_UP; i++) scheduler.step();
  // Two windows, the smaller kept: the first may still hold one-time costs (optimized code and
  // its feedback, a few hundred kB), which a step that allocates would exceed in both.
  let least = Number.POSITIVE_INFINITY;
  for (let window = 0; window < 2; window++) {
    gc();
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < STEPS; i++) scheduler.step();
    least = Math.min(least, (process.memoryUsage().heapUsed - before) / STEPS);
  }
  bytesPerStep[name] = least;
}
console.log(JSON.stringify(bytesPerStep));
