// `npm run bench -- [--quick] [--algorithm adagrad,rmsprop] [--sizes 1K,16K,256K,4M,16M] [--json out.json]`
//
// Measures one optimizer step of wasm-optim (simd, wasm and js backends), a hand-written
// JS loop and TF.js (cpu and wasm backends) at each size, then prints a Markdown table and
// writes bench/results/. Imports the built package: run `npm run build` first.
import os from 'node:os';
import path from 'node:path';
import { availableBackends } from '../dist/index.js';
import { parseCommandLine, USAGE } from './args.mjs';
import { drawCharts } from './charts.mjs';
import { liveTensors, tfInfo } from './impl/tfjs.mjs';
import { distFingerprint, machineInfo } from './machine.mjs';
import { collectGarbage, measure } from './measure.mjs';
import { writeResults } from './output.mjs';
import { createProgress } from './progress.mjs';
import { finishRows, makeRow, markdown } from './report.mjs';
import { planTasks, TFJS_CPU_MAX_N } from './tasks.mjs';
import { taskName } from './task.mjs';
import { TRAFFIC } from './traffic.mjs';

/** Time per task. Quick keeps the default plan (60 tasks) near 1.5 minutes on 2 cores. */
const SETTINGS = {
  quick: { timeMs: 600, warmupMs: 150, minSamples: 5, minSampleMs: 0.1, tfjsCpuTimeCapMs: 300, tfjsCpuMinSamples: 3 },
  full: { timeMs: 2000, warmupMs: 500, minSamples: 10, minSampleMs: 0.1, tfjsCpuTimeCapMs: 1000, tfjsCpuMinSamples: 5 },
};

async function main() {
  let args;
  try {
    args = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${/** @type {Error} */ (error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (typeof globalThis.gc !== 'function') {
    process.stderr.write('warning: no global.gc; run with node --expose-gc (npm run bench does) so tasks do not pay for each other\'s garbage\n');
  }
  const build = await distFingerprint();
  const loadAtStart = os.loadavg()[0];
  if (loadAtStart > os.availableParallelism() / 2) {
    process.stderr.write(`warning: load average ${loadAtStart.toFixed(2)} on ${os.availableParallelism()} cores: other processes will make the results noisy\n`);
  }
  const settings = args.quick ? SETTINGS.quick : SETTINGS.full;
  const tasks = planTasks(args, settings);
  const progress = createProgress(tasks.length);
  const started = performance.now();

  /** @type {import('./report.mjs').Row[]} */
  const rows = [];
  let failures = 0;
  for (const [i, spec] of tasks.entries()) {
    const name = taskName(spec);
    progress.start(i, name);
    if (spec.skip !== undefined) {
      rows.push(makeRow(spec, null, spec.skip));
      progress.done(i, name, 'skipped');
      continue;
    }
    collectGarbage();
    const tensorsBefore = liveTensors();
    /** @type {import('./task.mjs').Instance | null} */
    let instance = null;
    try {
      instance = await spec.create();
      const m = await measure(instance, spec.limits, settings);
      instance.check();
      rows.push(makeRow(spec, m));
      progress.done(i, name, `${(m.medianNs / spec.n).toPrecision(3)} ns/element ±${m.rme.toFixed(1)}% (${m.samples} samples)`);
    } catch (error) {
      failures++;
      const message = /** @type {Error} */ (error).message;
      rows.push(makeRow(spec, null, `error: ${message}`));
      progress.note(`error in ${name}: ${message}`);
    } finally {
      instance?.dispose();
    }
    if (liveTensors() !== tensorsBefore) progress.note(`warning: ${name} left ${liveTensors() - tensorsBefore} TF.js tensors alive`);
    collectGarbage();
  }
  progress.finish();
  const wallSeconds = (performance.now() - started) / 1000;

  finishRows(rows);
  const usesTf = tasks.some((t) => t.implementation.startsWith('TF.js') && t.skip === undefined);
  const machine = await machineInfo({
    loadAverage1mAtStart: Math.round(loadAtStart * 100) / 100,
    wasmOptimBuild: build,
    wasmOptimBackends: availableBackends(),
    ...(usesTf ? { tfjs: await tfInfo() } : {}),
  });
  const machineLine = `${machine.cpu}, ${machine.cores} cores, Node ${machine.node}${args.quick ? ', quick run' : ''}`;
  const notes = [
    `${machine.package} (kernels ${'kernelsSha256' in build ? build.kernelsSha256 : 'unknown'}) · ${machineLine} · ${machine.date} · ${wallSeconds.toFixed(0)} s · load average ${loadAtStart.toFixed(1)} at start, ${machine.loadAverage1m} at end.`,
    'ns/element: median latency of one optimizer step ÷ N. rme: relative margin of error of the mean latency (95%).',
    `GB/s: the algorithm's own traffic (${Object.entries(TRAFFIC).map(([a, t]) => `${a} ${t.bytes} B/element`).join(', ')}) ÷ ns/element.`,
    'vs plain JS / vs TF.js wasm: that row\'s ns/element ÷ this row\'s, at the same algorithm and N (> 1 = faster).',
    `TF.js cpu: at most ${settings.tfjsCpuTimeCapMs} ms and ${settings.tfjsCpuMinSamples}+ samples per task${args.sizes.some((s) => s.n > TFJS_CPU_MAX_N) ? `; skipped above ${TFJS_CPU_MAX_N / 1048576}M elements` : ''}.`,
  ];
  const report = markdown(rows, notes);
  process.stdout.write(report);

  const json = {
    machine,
    settings: { ...settings, quick: args.quick, algorithms: args.algorithms, sizes: args.sizes },
    traffic: TRAFFIC,
    wallSeconds,
    rows,
  };
  const written = await writeResults({ json, markdown: report, charts: drawCharts(rows, machineLine), extraJson: args.json });
  process.stderr.write(`wrote ${written.map((f) => path.relative(process.cwd(), f)).join(', ')}\n`);
  return failures === 0 ? 0 : 1;
}

process.exitCode = await main();
