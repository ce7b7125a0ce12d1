// One benchmark run: the implementations table (groups of tasks in interleaved rounds), the
// facade measurements (one child process per configuration), the report. See run.mjs.
import { fork } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableBackends, simdFma } from '../dist/index.js';
import { availableVariants, DESCRIPTIONS } from './algorithms/index.mjs';
import { USAGE } from './args.mjs';
import { drawCharts } from './charts.mjs';
import { facadeItems } from './facade.mjs';
import { liveTensors, tfInfo, tfUnavailableReason } from './impl/tfjs.mjs';
import { distFingerprint, machineInfo } from './machine.mjs';
import { calibrate, collectGarbage, measureRound, summarize } from './measure.mjs';
import { resultsDir, writeResults } from './output.mjs';
import { PRESETS, settingsFor } from './presets.mjs';
import { createProgress } from './progress.mjs';
import { finishRows, makeRow, markdown } from './report.mjs';
import { measureSparse, SPARSE_PRESETS, sparseTable, sparseVerdicts } from './sparse.mjs';
import { summaryText } from './summary.mjs';
import { verdicts } from './targets.mjs';
import { planTasks, sizeText } from './tasks.mjs';
import { taskName } from './task.mjs';

/**
 * The configurations to run: --algorithm names configurations ('adagrad') or library
 * algorithms ('sgd': all its configurations).
 * @param {string[] | null} names
 * @param {import('./algorithms/index.mjs').Variant[]} available
 */
function selectVariants(names, available) {
  if (names === null) return available;
  const unknown = names.filter((n) => !available.some((v) => v.id === n || v.algorithm === n));
  if (unknown.length > 0) {
    const described = DESCRIPTIONS.filter((d) => !available.some((v) => v.id === d.id)).map((d) => d.id);
    throw new Error(
      `unknown algorithm ${unknown.map((u) => `'${u}'`).join(', ')}:` +
        ` this build has ${available.map((v) => v.id).join(', ')}` +
        (described.length > 0 ? ` (described but not in the library yet: ${described.join(', ')})` : ''),
    );
  }
  return available.filter((v) => names.includes(v.id) || names.includes(v.algorithm));
}

/** A task whose minimum samples take longer than this (and than a round) runs one round. */
const SINGLE_ROUND_MS = 250;

/**
 * Runs one group (one configuration at one size): every task in interleaved rounds, the order
 * rotated each round. A task whose step is so slow that its minimum sample count takes more
 * than a round and 250 ms (TF.js cpu at 4M: 0.5–1.5 s a step) runs one round only.
 * @param {import('./task.mjs').TaskSpec[]} group
 * @param {import('./presets.mjs').Settings} settings
 * @param {import('./progress.mjs').Progress} progress
 * @returns {Promise<{ rows: import('./report.mjs').Row[], failures: number }>}
 */
async function runGroup(group, settings, progress) {
  /** @typedef {{ spec: import('./task.mjs').TaskSpec, name: string, samples: number[][], batch: number,
   *   plannedRounds: number, error: string | null }} TaskState */
  const state = group.map(
    (spec) =>
      /** @type {TaskState} */ ({
        spec,
        name: taskName(spec),
        samples: [],
        batch: 1,
        plannedRounds: settings.rounds,
        error: null,
      }),
  );
  for (let r = 0; r < settings.rounds; r++) {
    for (let k = 0; k < state.length; k++) {
      const t = state[(k + r) % state.length];
      if (t.spec.skip !== undefined || t.error !== null || r >= t.plannedRounds) continue;
      const round = {
        ...settings.round,
        timeMs: Math.min(settings.round.timeMs, t.spec.limits.timeCapMs ?? Infinity),
        minSamples: t.spec.limits.minSamples ?? settings.round.minSamples,
      };
      progress.update(`${t.name} · round ${r + 1}/${t.plannedRounds}`);
      const tensorsBefore = liveTensors();
      /** @type {import('./task.mjs').Instance | null} */
      let instance = null;
      try {
        instance = await t.spec.create();
        if (r === 0) {
          const c = calibrate(instance.fn, settings.minSampleMs);
          t.batch = c.batch;
          if (c.estimateMs * round.minSamples > Math.max(round.timeMs, SINGLE_ROUND_MS)) t.plannedRounds = 1;
        }
        t.samples.push(await measureRound(instance.fn, t.batch, round));
        instance.check();
      } catch (error) {
        t.error = /** @type {Error} */ (error).message;
        progress.note(`error in ${t.name}: ${t.error}`);
      } finally {
        instance?.dispose();
      }
      if (liveTensors() !== tensorsBefore)
        progress.note(`warning: ${t.name} left ${liveTensors() - tensorsBefore} TF.js tensors alive`);
    }
  }
  const rows = [];
  let failures = 0;
  for (const t of state) {
    if (t.spec.skip !== undefined) {
      rows.push(makeRow(t.spec, null, t.spec.skip));
      progress.done(t.name, 'skipped');
    } else if (t.error !== null) {
      failures++;
      rows.push(makeRow(t.spec, null, `error: ${t.error}`));
      progress.done(t.name, `error: ${t.error}`);
    } else {
      const m = summarize(t.samples, t.batch);
      rows.push(makeRow(t.spec, m));
      progress.done(
        t.name,
        `${(m.medianNs / t.spec.n).toPrecision(3)} ns/element ±${m.rme.toFixed(1)}%` +
          ` (${m.samples} samples, ${t.samples.length} round${t.samples.length === 1 ? '' : 's'})`,
      );
    }
  }
  collectGarbage();
  return { rows, failures };
}

/**
 * The facade measurements of one configuration, in a fresh Node process.
 * @param {string} id
 * @param {import('./facade.mjs').FacadeSettings} settings
 * @param {import('./progress.mjs').Progress} progress
 * @returns {Promise<import('./facade.mjs').FacadeResult>}
 */
function runFacade(id, settings, progress) {
  return new Promise((resolve, reject) => {
    const child = fork(
      fileURLToPath(new URL('./facade-child.mjs', import.meta.url)),
      [JSON.stringify({ variant: id, settings })],
      {
        // The parent's flags too (e.g. --experimental-wasm-relaxed-simd), so both measure one engine.
        execArgv: ['--expose-gc', ...process.execArgv.filter((flag) => flag !== '--expose-gc')],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    /** @type {import('./facade.mjs').FacadeResult | null} */
    let result = null;
    let fatal = '';
    child.on('message', (/** @type {any} */ m) => {
      if (m.type === 'start') progress.update(m.item);
      else if (m.type === 'done') progress.done(m.item, m.summary);
      else if (m.type === 'result') result = m.result;
      else if (m.type === 'fatal') fatal = m.message;
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      result !== null ? resolve(result) : reject(new Error(fatal || `the facade process exited with code ${code}`)),
    );
  });
}

/**
 * @param {import('./args.mjs').Args} args
 * @returns {Promise<number>} exit code
 */
export async function main(args) {
  if (typeof globalThis.gc !== 'function') {
    process.stderr.write(
      'warning: no global.gc; run with node --expose-gc (npm run bench does)' +
        " so tasks do not pay for each other's garbage\n",
    );
  }
  const build = await distFingerprint();
  const { variants: available, notes: variantNotes } = availableVariants();
  const summary = args.preset === 'summary';
  const names = args.algorithms ?? PRESETS[args.preset].algorithms ?? null;
  // SparseAdam takes row-sparse gradients only: the sparse section measures it, the table cannot.
  // The summary has neither the sparse section nor the facade's.
  const sparseAlgorithms = summary
    ? []
    : names === null
      ? SPARSE_PRESETS[/** @type {'full' | 'quick' | 'smoke'} */ (args.preset)].algorithms
      : ['adagrad', 'sparseadam'].filter((a) => names.includes(a));
  const denseNames = names?.filter((a) => a !== 'sparseadam') ?? null;
  let variants;
  try {
    variants = denseNames?.length === 0 ? [] : selectVariants(denseNames, available);
    // The summary lists them in the preset's order (Adagrad, RMSprop, Adam, SGD).
    if (summary && denseNames !== null) variants.sort((a, b) => denseNames.indexOf(a.id) - denseNames.indexOf(b.id));
  } catch (error) {
    process.stderr.write(`${/** @type {Error} */ (error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const settings = settingsFor(args.preset, variants.length, args.sizes);
  const loadAtStart = os.loadavg()[0];
  if (loadAtStart > os.availableParallelism() / 2) {
    process.stderr.write(
      `warning: load average ${loadAtStart.toFixed(2)} on ${os.availableParallelism()} cores:` +
        ' other processes will make the results noisy\n',
    );
  }
  const table = args.only === null || args.only === 'table';
  const facadeWanted = (args.only === null || args.only === 'facade') && !summary;
  const sparseWanted = (args.only === null || args.only === 'sparse') && sparseAlgorithms.length > 0;
  const sparseSettings = {
    ...SPARSE_PRESETS[summary ? 'smoke' : /** @type {'full' | 'quick' | 'smoke'} */ (args.preset)],
    algorithms: sparseAlgorithms,
  };
  const tfMissing =
    (table && variants.some((v) => v.tfjs !== undefined)) || sparseWanted ? await tfUnavailableReason() : null;
  if (tfMissing !== null) {
    process.stderr.write(
      `warning: TF.js is not installed, its rows are skipped (${tfMissing}).\n` +
        '  For them: npm install --no-save' +
        ' @tensorflow/tfjs-core@4.22 @tensorflow/tfjs-backend-cpu@4.22 @tensorflow/tfjs-backend-wasm@4.22\n',
    );
  }
  const groups = table ? planTasks(variants, settings, tfMissing) : [];
  const sparseItems = sparseWanted
    ? sparseSettings.tables.length * sparseAlgorithms.length * (3 + sparseSettings.fractions.length)
    : 0;
  const items =
    groups.flat().length + (facadeWanted ? variants.length * facadeItems(settings.facade) : 0) + sparseItems;
  // The summary keeps a redirected stderr quiet: one line per task would bury its table.
  const progress = createProgress(items, process.stderr, { lines: !summary });
  for (const note of variantNotes) progress.note(`note: ${note}`);
  const started = performance.now();

  /** @type {import('./report.mjs').Row[]} */
  let rows = [];
  let failures = 0;
  for (const group of groups) {
    const g = await runGroup(group, settings, progress);
    rows.push(...g.rows);
    failures += g.failures;
  }
  /** @type {import('./facade.mjs').FacadeResult[]} */
  const facade = [];
  if (facadeWanted) {
    for (const variant of variants) {
      try {
        const f = await runFacade(variant.id, settings.facade, progress);
        facade.push(f);
        failures += f.errors.length;
      } catch (error) {
        failures++;
        progress.note(`error in the facade measurements of ${variant.id}: ${/** @type {Error} */ (error).message}`);
      }
    }
  }
  /** @type {import('./sparse.mjs').SparseRow[]} */
  let sparse = [];
  if (sparseWanted) {
    const result = await measureSparse(sparseSettings, progress, tfMissing === null);
    sparse = result.rows;
    failures += result.errors.length;
  }
  progress.finish();
  const wallSeconds = (performance.now() - started) / 1000;

  rows = finishRows(
    rows,
    variants.map((v) => v.id),
  );
  const buildAtEnd = await distFingerprint();
  const rebuilt = JSON.stringify(buildAtEnd) !== JSON.stringify(build);
  if (rebuilt)
    progress.note('warning: dist/ was rebuilt during the run: the facade processes may have measured another build');
  const usesTf = [...rows, ...sparse].some((r) => r.implementation.startsWith('TF.js') && r.nsPerElement !== null);
  const machine = await machineInfo({
    loadAverage1mAtStart: Math.round(loadAtStart * 100) / 100,
    wasmOptimBuild: build,
    wasmOptimBackends: availableBackends(),
    wasmOptimSimdFma: simdFma(),
    ...(usesTf ? { tfjs: await tfInfo() } : {}),
  });
  // The project's own performance targets: the full and --quick reports only.
  const checks =
    args.preset === 'full' || args.preset === 'quick' ? [...verdicts(rows, facade), ...sparseVerdicts(sparse)] : [];
  const machineLine =
    `${machine.cpu}, ${machine.cores} cores, Node ${machine.node}` +
    `${args.preset === 'full' ? '' : `, ${args.preset} run`}`;
  const r = settings.round;
  const f = settings.facade;
  const rawKernels = facade
    .map((x) => {
      const k = x.rawKernel;
      return `${x.variant}: ${'record' in k ? `${k.kernel}, record ${k.record}` : `unavailable, ${k.error}`}`;
    })
    .join('; ');
  const notes = [
    `${machine.package} (kernels ${'kernelsSha256' in build ? build.kernelsSha256 : 'unknown'},` +
      ` SIMD FMA ${simdFma()}) · ${machine.os} · ${machineLine}` +
      ` · flags ${JSON.stringify(machine.flags)} · ${machine.date} · ${wallSeconds.toFixed(0)} s` +
      ` · load average ${loadAtStart.toFixed(2)} at start, ${machine.loadAverage1m} at end.`,
    ...(rows.length === 0
      ? []
      : [
          `Each task: ${settings.rounds} interleaved round${settings.rounds === 1 ? '' : 's'}` +
            ' (every implementation of a configuration and size in turn, the order rotated each round)' +
            ` of ${r.timeMs} ms after ${r.warmupMs} ms of warmup, at least ${r.minSamples} samples;` +
            ` steps under ${settings.minSampleMs} ms are batched and each sample is the batch's mean step time.`,
          "ns/element: median latency of one optimizer step ÷ N, the median of the rounds' medians" +
            ' (a round slowed down as a whole by another process does not move it).' +
            ' rme: relative margin of error of the mean latency over all samples (95 %);' +
            ' preemption on a small VM inflates it, the median is robust to it.',
          "GB/s: each configuration's own traffic, every array read or written once" +
            ` (${variants.map((v) => `${v.id} ${v.bytes} B/element`).join(', ')}),` +
            ' ÷ ns/element: the same bytes for every row.',
          "vs plain JS / vs TF.js wasm / vs TF.js cpu: that row's ns/element ÷ this row's," +
            ' same configuration and N (> 1 = faster).',
          `A task whose minimum samples take longer than a round and ${SINGLE_ROUND_MS} ms runs one round.` +
            ` TF.js cpu: at most ${settings.tfjsCpu.timeCapMs} ms and at least ${settings.tfjsCpu.minSamples} samples` +
            ` per round; skipped above ${sizeText(settings.tfjsCpu.maxN)} elements.`,
        ]),
    ...(facade.length === 0
      ? []
      : [
          'Facade: each configuration in a fresh Node process' +
            " (the JIT's feedback of a program using one optimizer class)," +
            ` ${f.rounds} interleaved rounds of ${f.round.timeMs} ms per measurement;` +
            ' ratios are paired (the median over rounds of the ratio of the two round medians).' +
            ' Raw kernel: the embedded SIMD binary instantiated by the benchmark,' +
            ` param/grad/state and one 64-byte record laid out as the facade does (${rawKernels}),` +
            ' checked bit for bit against one facade step; timed call `exports.<kernel>(table, 1)`.' +
            " The 3 copies: param and grad into the optimizer's memory and param back out, what drop-in adds." +
            ' Heap: process.memoryUsage().heapUsed after a full GC,' +
            ` then right after ${f.heap.steps} steps of ${sizeText(f.heap.n)} elements` +
            ` (after ${f.heap.steps} warm-up steps), minus the same around an empty loop;` +
            " GC: PerformanceObserver 'gc' entries during the steps.",
        ]),
    'Ratios come from one run on a 2-core VM whose sibling hyperthread is sometimes busy:' +
      ' they vary from run to run by several percent.',
    ...(rebuilt
      ? [
          `dist/ was rebuilt during the run (${JSON.stringify(build)} at the start,` +
            ` ${JSON.stringify(buildAtEnd)} at the end).`,
        ]
      : []),
    ...variantNotes,
  ];
  const title = `wasm-optim benchmark${args.preset === 'full' ? '' : ` (${args.preset})`}`;
  const sparseNotes =
    sparse.length === 0
      ? []
      : [
          `Row-sparse steps: tables ${sparseSettings.tables.map((t) => t.label).join(', ')} (K = 1024, M = 1024²),` +
            ` batches touching ${sparseSettings.fractions.map((f) => `${f * 100} %`).join(', ')} of the rows,` +
            ` ${sparseSettings.duplicates * 100} % of each index list repeating an earlier entry, random order;` +
            ` ${sparseSettings.rounds} interleaved round${sparseSettings.rounds === 1 ? '' : 's'} of` +
            ` ${sparseSettings.round.timeMs} ms per measurement, simd backend.` +
            ' ns/element: per touched element (distinct rows × width) for the sparse rows and the dense kernel' +
            ' on as many elements; per table element for the whole-table rows.' +
            " vs dense step / vs TF.js: that whole-table step's time ÷ this row's (> 1 = faster)." +
            ' ÷ dense kernel: this step ÷ a dense zero-copy step on (distinct rows × width) elements, paired by' +
            ' round. Zero-copy times sparseGrad(n), writing the batch into its views, and step(); drop-in times' +
            ' step([{ indices, values }]) on a table declared from a length (nothing copied but the batch).' +
            ' TF.js: applyGradients with a dense gradient of the whole table (what it does for a gathered' +
            ' embedding); TF.js cpu only where a step takes about a second or less.',
        ];
  const report = markdown({
    title,
    rows,
    facade,
    sparse: sparse.length === 0 ? null : sparseTable(sparse),
    verdicts: checks,
    notes: [...notes, ...sparseNotes],
  });
  process.stdout.write(
    summary ? summaryText({ rows, variants, machineLine, loadAtStart, wallSeconds, failures }) : report,
  );

  const json = {
    machine,
    settings: {
      ...settings,
      algorithms: variants.map((v) => v.id),
      only: args.only,
      ...(sparseWanted ? { sparse: sparseSettings } : {}),
    },
    configurations: variants.map((v) => ({
      id: v.id,
      algorithm: v.algorithm,
      configuration: v.configuration,
      options: v.options,
      traffic: v.traffic,
      bytesPerElement: v.bytes,
      tfjsFlavor: v.tfjsFlavor,
      plainJs: v.plain !== undefined,
      tfjs: v.tfjs !== undefined,
    })),
    wallSeconds,
    rows,
    facade,
    sparse,
    targets: checks,
  };
  const dir = resultsDir(args);
  const written = await writeResults({
    dir,
    json,
    markdown: report,
    charts: drawCharts(rows, variants, machineLine),
    ...(args.json === undefined ? {} : { extraJson: args.json }),
  });
  if (summary) {
    process.stdout.write(`Details of this run: ${path.relative(process.cwd(), path.join(dir, 'latest.md')) || dir}\n`);
  } else {
    process.stderr.write(`wrote ${written.map((file) => path.relative(process.cwd(), file) || file).join(', ')}\n`);
  }
  return failures === 0 ? 0 : 1;
}
