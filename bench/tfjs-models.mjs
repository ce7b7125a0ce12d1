// wasm-optim/tfjs against tf.train.* inside a real TF.js model: a 784-1024-256-10 dense network
// (1,068,810 parameters) on generated data, on TF.js's cpu and wasm backends. Two numbers per
// optimizer: the time of one optimizer step (applyGradients with the gradients of one batch,
// computed once) and the time of one model.fit epoch (forward, backward and the step, per batch).
// tf.train.* and wasm-optim run on identical models side by side, measured alternately.
//
//   npm run build && node --expose-gc bench/tfjs-models.mjs
//   node --expose-gc bench/tfjs-models.mjs --backends wasm --algorithms adam --steps 30 --epochs 3
//
// Prints a Markdown table on stdout (progress on stderr); --json FILE also writes the raw numbers.
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    backends: { type: 'string', default: 'cpu,wasm' },
    algorithms: { type: 'string', default: 'adam,adagrad,rmsprop' },
    steps: { type: 'string', default: '20' },
    epochs: { type: 'string', default: '3' },
    samples: { type: 'string', default: '1024' },
    batch: { type: 'string', default: '128' },
    json: { type: 'string' },
  },
});
const STEPS = Number(args.steps);
const EPOCHS = Number(args.epochs);
const SAMPLES = Number(args.samples);
const BATCH = Number(args.batch);
const LAYERS = [784, 1024, 256, 10];

const tf = await import('@tensorflow/tfjs-core');
await import('@tensorflow/tfjs-backend-cpu');
const wasmBackend = await import('@tensorflow/tfjs-backend-wasm');
const tfl = await import('@tensorflow/tfjs-layers');
const wasmOptim = await import('../dist/tfjs/index.js');
const require = createRequire(import.meta.url);
wasmBackend.setWasmPaths(
  path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep,
);
tf.enableProdMode(); // silences TF.js's console advice; no arithmetic changes

/**
 * @typedef {{
 *   name: string,
 *   tfjs: () => import('@tensorflow/tfjs-core').Optimizer,
 *   ours: () => import('@tensorflow/tfjs-core').Optimizer
 * }} Algorithm
 */
/** @type {Record<string, Algorithm>} */
const ALGORITHMS = {
  adam: { name: 'adam(1e-3)', tfjs: () => tf.train.adam(1e-3), ours: () => wasmOptim.adam(1e-3) },
  adagrad: { name: 'adagrad(0.01)', tfjs: () => tf.train.adagrad(0.01), ours: () => wasmOptim.adagrad(0.01) },
  rmsprop: { name: 'rmsprop(1e-3)', tfjs: () => tf.train.rmsprop(1e-3), ours: () => wasmOptim.rmsprop(1e-3) },
  sgd: { name: 'sgd(0.01)', tfjs: () => tf.train.sgd(0.01), ours: () => wasmOptim.sgd(0.01) },
  momentum: {
    name: 'momentum(0.01, 0.9)',
    tfjs: () => tf.train.momentum(0.01, 0.9),
    ours: () => wasmOptim.momentum(0.01, 0.9),
  },
  adadelta: { name: 'adadelta(1)', tfjs: () => tf.train.adadelta(1), ours: () => wasmOptim.adadelta(1) },
  adamax: { name: 'adamax()', tfjs: () => tf.train.adamax(), ours: () => wasmOptim.adamax() },
};

const gc = /** @type {(() => void) | undefined} */ (globalThis.gc);
if (gc === undefined) console.error('(run with node --expose-gc for steadier numbers)');

/** @param {number[]} xs */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function buildModel() {
  const model = tfl.sequential();
  model.add(
    tfl.layers.dense({
      inputShape: [LAYERS[0]],
      units: LAYERS[1],
      activation: 'relu',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
    }),
  );
  model.add(
    tfl.layers.dense({
      units: LAYERS[2],
      activation: 'relu',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }),
    }),
  );
  model.add(
    tfl.layers.dense({
      units: LAYERS[3],
      activation: 'softmax',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }),
    }),
  );
  return model;
}

/**
 * A model compiled with one optimizer, and the gradients of one batch (computed once) for
 * timing the optimizer step alone.
 * @param {() => import('@tensorflow/tfjs-core').Optimizer} make
 * @param {import('@tensorflow/tfjs-core').Tensor} xb
 * @param {import('@tensorflow/tfjs-core').Tensor} yb
 */
function setup(make, xb, yb) {
  const model = buildModel();
  const optimizer = make();
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  const variables = model.trainableWeights.map(
    (w) => /** @type {import('@tensorflow/tfjs-core').Variable} */ (w.read()),
  );
  const { value, grads } = tf.variableGrads(
    () =>
      tf.mean(
        tfl.metrics.categoricalCrossentropy(
          yb,
          /** @type {import('@tensorflow/tfjs-core').Tensor} */ (model.predict(xb)),
        ),
      ),
    variables,
  );
  value.dispose();
  for (let k = 0; k < 3; k++) optimizer.applyGradients(grads); // creates the state, warms up
  return { model, optimizer, grads };
}

/**
 * tf.train.* against wasm-optim on identical models: ms per applyGradients and ms per fit
 * epoch, the two measured alternately (ABAB…) so that changes in machine load hit both alike.
 * Each call is timed on its own; medians are reported.
 * @param {Algorithm} algorithm
 * @param {import('@tensorflow/tfjs-core').Tensor} xs
 * @param {import('@tensorflow/tfjs-core').Tensor} ys
 */
async function compare(algorithm, xs, ys) {
  const xb = tf.slice(xs, [0, 0], [BATCH, LAYERS[0]]);
  const yb = tf.slice(ys, [0, 0], [BATCH, LAYERS[3]]);
  const runs = [setup(algorithm.tfjs, xb, yb), setup(algorithm.ours, xb, yb)];
  tf.dispose([xb, yb]);
  const stepMs = runs.map(() => /** @type {number[]} */ ([]));
  const tensorsBefore = tf.memory().numTensors;
  for (let k = 0; k < STEPS; k++) {
    runs.forEach((run, r) => {
      gc?.();
      const t0 = performance.now();
      run.optimizer.applyGradients(run.grads);
      stepMs[r].push(performance.now() - t0);
    });
  }
  const leaked = tf.memory().numTensors - tensorsBefore; // tf.train.* state exists already
  for (const run of runs) {
    tf.dispose(Object.values(run.grads));
    await run.model.fit(xs, ys, { batchSize: BATCH, epochs: 1, shuffle: false, verbose: 0 }); // warm-up
  }
  const epochMs = runs.map(() => /** @type {number[]} */ ([]));
  for (let e = 0; e < EPOCHS; e++) {
    for (const [r, run] of runs.entries()) {
      gc?.();
      const t0 = performance.now();
      await run.model.fit(xs, ys, { batchSize: BATCH, epochs: 1, shuffle: false, verbose: 0 });
      epochMs[r].push(performance.now() - t0);
    }
  }
  for (const run of runs) {
    run.model.dispose();
    run.optimizer.dispose();
  }
  const [tfjs, ours] = runs.map((_, r) => ({
    stepMs: median(stepMs[r]),
    stepMsAll: stepMs[r],
    epochMs: median(epochMs[r]),
    epochMsAll: epochMs[r],
  }));
  return { tfjs, wasmOptim: { ...ours, leaked } };
}

const params = LAYERS.slice(1).reduce((sum, units, i) => sum + units * (LAYERS[i] + 1), 0);
/** @type {Record<string, unknown>[]} */
const rows = [];
for (const backend of args.backends.split(',')) {
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend ${backend} failed to initialize`);
  await tf.ready();
  const xs = tf.randomNormal([SAMPLES, LAYERS[0]], 0, 1, 'float32', 7);
  const ys = tf.cast(tf.oneHot(tf.randomUniform([SAMPLES], 0, LAYERS[3], 'int32', 8), LAYERS[3]), 'float32');
  for (const key of args.algorithms.split(',')) {
    const algorithm = ALGORITHMS[key];
    if (algorithm === undefined)
      throw new Error(`unknown algorithm ${key} (known: ${Object.keys(ALGORITHMS).join(', ')})`);
    console.error(`${backend} ${algorithm.name} …`);
    rows.push({ backend, algorithm: algorithm.name, ...(await compare(algorithm, xs, ys)) });
  }
  tf.dispose([xs, ys]);
}

const fmt = (/** @type {number} */ x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const out = [
  `TF.js ${tf.version_core} model ${LAYERS.join('-')} (${params.toLocaleString('en-US')} parameters),` +
    ` batch ${BATCH}, ${SAMPLES} samples (${Math.ceil(SAMPLES / BATCH)} steps per epoch); ` +
    `median of ${STEPS} steps and ${EPOCHS} epochs.` +
    ` Node ${process.version}, ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}.`,
  '',
  '| TF.js backend | optimizer | tf.train ms/step | wasm-optim ms/step | step speedup |' +
    ' tf.train ms/epoch | wasm-optim ms/epoch | epoch speedup |',
  '| :--- | :--- | ---: | ---: | ---: | ---: | ---: | ---: |',
];
for (const row of rows) {
  const a = /** @type {{ stepMs: number, epochMs: number }} */ (row.tfjs);
  const b = /** @type {{ stepMs: number, epochMs: number }} */ (row.wasmOptim);
  out.push(
    `| ${row.backend} | ${row.algorithm} |` +
      ` ${fmt(a.stepMs)} | ${fmt(b.stepMs)} | ${(a.stepMs / b.stepMs).toFixed(1)}× |` +
      ` ${fmt(a.epochMs)} | ${fmt(b.epochMs)} | ${(a.epochMs / b.epochMs).toFixed(2)}× |`,
  );
}
const leaks = rows.filter((row) => /** @type {{ leaked: number }} */ (row.wasmOptim).leaked !== 0);
out.push(
  '',
  leaks.length === 0
    ? `wasm-optim steps left tf.memory().numTensors unchanged in every row.`
    : `TENSOR LEAK in: ${leaks.map((r) => `${r.backend} ${r.algorithm}`).join(', ')}`,
);
console.log(out.join('\n'));
if (args.json)
  await writeFile(
    args.json,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        cpu: os.cpus()[0]?.model,
        params,
        batch: BATCH,
        samples: SAMPLES,
        rows,
      },
      null,
      2,
    ),
  );
