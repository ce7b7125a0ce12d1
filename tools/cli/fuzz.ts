// `wasm-optim fuzz`: differential fuzzing from the command line (engine: tools/fuzz/). Runs
// random optimizer histories on every available backend, against the float64 oracle, the
// metamorphic laws and invalid input; prints a live progress line on stderr and a summary on
// stdout (or JSON with --json); shrinks each kind of mismatch into a minimal case that
// `--replay` re-runs. Exit status: 0 clean, 1 any mismatch, 2 bad arguments (or a --replay
// file that is not a case).
import { writeFileSync, mkdirSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { availableBackends } from '#lib/backend/index.js';
import { FLAVORS, type Flavor } from '#lib/spec.js';
import { BIG_BYTES_PER_BACKEND, BIG_DEFAULT_PROBABILITY, bigMemoryFits } from '../fuzz/big.js';
import { caseFromJson, caseToText } from '../fuzz/case.js';
import {
  emptyTotals,
  fuzzLoop,
  mergeTotals,
  type Failure,
  type FuzzPlan,
  type LoopOptions,
  type Totals,
} from '../fuzz/engine.js';
import { registryAlgorithms } from '../fuzz/info.js';
import { boundQuantile, WELL_CONDITIONED, type OracleStats } from '../fuzz/oracle.js';
import { runCase, type Mismatch } from '../fuzz/runner.js';
import { readCaseFile, replayFiles, ReplayPathError } from '../fuzz/replay.js';
import type { WorkerMessage } from '../fuzz/worker.js';
import { formatTable } from './table.js';

export const FUZZ_USAGE =
  'usage: wasm-optim fuzz [--seconds S | --cases N] [--seed X] [--algorithm a,b,…] [--flavor torch,tfjs]\n' +
  `                      [--jobs N] [--json] [--no-shrink] [--save DIR] [--big-memory P]
       wasm-optim fuzz --replay case.json [more.json | dir …] [--json]`;

const FUZZ_HELP = `Runs random optimizer histories on every available backend (simd, wasm, js) and checks,
after every operation: bit-identical results across backends; a float64 oracle within its
error bound; the laws maximize(g) = minimize(−g), resumed = uninterrupted, two groups = one,
permuted tensors = permuted results; and that invalid input (failing addParamGroup calls
among it) throws a clear TypeError or RangeError and changes nothing, then or later. The first
failure of each kind is shrunk after the budget and printed as JSON for --replay and for
test/fixtures/fuzz-regressions/. Some histories declare parameters with rows and mix in
row-sparse gradients (repeated rows, empty lists, both index types, drop-in and zero-copy)
where the algorithm takes them, and invalid ones that must be rejected.

  --seconds S     fuzz for S seconds (default 10)      --cases N    or run N cases
  --seed X        seed (decimal or 0x…; default random, printed); case i depends on (X, i) only
  --algorithm L   comma-separated registry names (default all)   --flavor L  torch,tfjs
  --jobs N        worker threads (default: one per core)
  --json          machine-readable summary on stdout   --no-shrink  print failing cases unshrunk
  --save DIR      also write each shrunk case to DIR   --replay F…  re-run case files or dirs
  --big-memory P  probability of a memory case past 2 GiB (default ${BIG_DEFAULT_PROBABILITY} where the
                  machine has ${BIG_BYTES_PER_BACKEND / 2 ** 30} GiB per backend, else 0; 0 turns them off)`;

export interface FuzzArgs {
  seconds: number | undefined;
  cases: number | undefined;
  seed: number;
  algorithms: string[];
  flavors: Flavor[];
  jobs: number;
  json: boolean;
  shrink: boolean;
  save: string | undefined;
  replay: string[] | undefined;
  /** Probability of a memory case past 2 GiB; undefined: the default where memory allows. */
  bigMemory: number | undefined;
}

/** Parses the arguments, or returns the reason they are bad. */
export function parseFuzzArgs(args: readonly string[]): FuzzArgs | string {
  const out: FuzzArgs = {
    seconds: undefined,
    cases: undefined,
    seed: Math.floor(Math.random() * 2 ** 32),
    algorithms: registryAlgorithms(),
    flavors: [...FLAVORS],
    jobs: Math.max(1, availableParallelism()),
    json: false,
    shrink: true,
    save: undefined,
    replay: undefined,
    bigMemory: undefined,
  };
  const value = (i: number): string | undefined => {
    const v = args[i + 1];
    return v === undefined || v.startsWith('--') ? undefined : v;
  };
  for (let i = 0; i < args.length; i++) {
    const raw = args[i]!;
    const eq = raw.indexOf('=');
    const name = raw.startsWith('--') && eq > 0 ? raw.slice(0, eq) : raw;
    const inline = raw.startsWith('--') && eq > 0 ? raw.slice(eq + 1) : undefined;
    const take = (): string | undefined => {
      if (inline !== undefined) return inline;
      const v = value(i);
      if (v !== undefined) i++;
      return v;
    };
    switch (name) {
      case '--seconds': {
        const v = take();
        const n = Number(v);
        if (v === undefined || !(n > 0) || !Number.isFinite(n))
          return `--seconds needs a positive number of seconds, got ${JSON.stringify(v ?? '')}`;
        out.seconds = n;
        break;
      }
      case '--cases': {
        const v = take();
        const n = Number(v);
        if (v === undefined || !Number.isInteger(n) || n < 1)
          return `--cases needs a whole number ≥ 1, got ${JSON.stringify(v ?? '')}`;
        out.cases = n;
        break;
      }
      case '--seed': {
        const v = take();
        const n = v === undefined ? NaN : Number(v);
        if (!Number.isInteger(n) || n < 0 || n >= 2 ** 32)
          return `--seed needs a whole number in [0, 2^32) (decimal or 0x…), got ${JSON.stringify(v ?? '')}`;
        out.seed = n;
        break;
      }
      case '--algorithm':
      case '--algorithms': {
        const v = take();
        const known = registryAlgorithms();
        const list = (v ?? '')
          .split(',')
          .map((s) => s.trim().toLowerCase())
          .filter((s) => s.length > 0);
        if (list.length === 0) return `--algorithm needs a comma-separated list (the library has: ${known.join(', ')})`;
        const unknown = list.filter((a) => !known.includes(a));
        if (unknown.length > 0)
          return (
            `unknown algorithm ${unknown.map((u) => JSON.stringify(u)).join(', ')}` +
            ` (the library has: ${known.join(', ')})`
          );
        out.algorithms = [...new Set(list)];
        break;
      }
      case '--flavor':
      case '--flavors': {
        const v = take();
        const list = (v ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s.length > 0);
        const bad = list.filter((f) => !(FLAVORS as readonly string[]).includes(f));
        if (list.length === 0 || bad.length > 0)
          return `--flavor needs a comma-separated list of ${FLAVORS.join(', ')}, got ${JSON.stringify(v ?? '')}`;
        out.flavors = [...new Set(list)] as Flavor[];
        break;
      }
      case '--jobs': {
        const v = take();
        const n = Number(v);
        if (v === undefined || !Number.isInteger(n) || n < 1 || n > 256)
          return `--jobs needs a whole number of worker threads in 1–256, got ${JSON.stringify(v ?? '')}`;
        out.jobs = n;
        break;
      }
      case '--save': {
        const v = take();
        if (v === undefined) return '--save needs a directory';
        out.save = v;
        break;
      }
      case '--big-memory': {
        const v = take();
        const n = Number(v);
        if (v === undefined || !(n >= 0 && n <= 1))
          return `--big-memory needs a probability in [0, 1], got ${JSON.stringify(v ?? '')}`;
        out.bigMemory = n;
        break;
      }
      case '--help':
      case '-h':
        return 'help';
      case '--json':
        out.json = true;
        break;
      case '--no-shrink':
        out.shrink = false;
        break;
      case '--replay': {
        const files: string[] = [];
        while (i + 1 < args.length && !args[i + 1]!.startsWith('--')) files.push(args[++i]!);
        if (inline !== undefined) files.unshift(inline);
        if (files.length === 0) return '--replay needs at least one case file (or a directory of them)';
        out.replay = files;
        break;
      }
      default:
        return `unexpected argument ${JSON.stringify(raw)}`;
    }
  }
  if (out.seconds !== undefined && out.cases !== undefined) return '--seconds and --cases are alternatives: give one';
  if (out.replay !== undefined && (out.seconds !== undefined || out.cases !== undefined))
    return '--replay re-runs the given cases: --seconds/--cases do not apply';
  if (out.seconds === undefined && out.cases === undefined) out.seconds = 10;
  return out;
}

// ---------------------------------------------------------------- output helpers

const group3 = (n: number): string => Math.round(n).toLocaleString('en-US').replace(/,/g, ' ');
const sci = (x: number): string => (x === 0 ? '0' : x.toExponential(2));

function progressLine(t: Totals, budget: string, mismatches: number): string {
  const elapsed = t.fuzzMs / 1000;
  const s = Math.max(elapsed, 1e-3);
  return (
    `fuzz ${elapsed.toFixed(1)}/${budget}  cases ${group3(t.cases)}` +
    `  steps ${group3(t.steps)} (${group3(t.steps / s)}/s)` +
    `  optimizer steps ${group3(t.optimizerSteps)}  values ${sci(t.values)}  mismatches ${mismatches}`
  );
}

function oracleRows(oracle: Record<string, OracleStats>): string[][] {
  return Object.entries(oracle)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, s]) => [
      key,
      group3(s.compared),
      group3(s.wellConditioned),
      group3(s.specials),
      group3(s.skipped),
      `${boundQuantile(s, 0.5)} / ${boundQuantile(s, 0.99)}`,
      s.maxUlps.toPrecision(3),
      sci(s.maxRel),
      s.maxRatio.toFixed(3),
    ]);
}

function describeMismatch(m: Mismatch): string {
  return `${m.kind} (${m.check}) after op ${m.op}: ${m.where}: ${m.message.split('\n')[0]}`;
}

function printFailure(f: Failure, n: number, save: string | undefined, out: (s: string) => void): void {
  out('');
  out(`MISMATCH #${n}: ${describeMismatch(f.mismatch)}`);
  out(
    `  found in ${f.origin}; shrunk in ${f.evaluations} tries` +
      ` from ${f.originalSize.ops} ops, ${f.originalSize.tensors} tensors, ${group3(f.originalSize.values)} values` +
      ` to ${f.shrunkSize.ops} ops, ${f.shrunkSize.tensors} tensors, ${group3(f.shrunkSize.values)} values:`,
  );
  out(`  ${describeMismatch(f.shrunkMismatch)}`);
  const text = caseToText(caseFromJson(f.shrunk));
  if (save !== undefined) {
    mkdirSync(save, { recursive: true });
    const file = join(save, `fuzz-${f.mismatch.kind}-${f.origin.replace(/\D+/g, '-').replace(/^-|-$/g, '')}.json`);
    writeFileSync(file, `${text}\n`);
    out(`  saved: ${file}   (re-run: wasm-optim fuzz --replay ${file})`);
  } else {
    out('  re-run: save the JSON below as case.json, then: wasm-optim fuzz --replay case.json');
  }
  out('  regression test: save it under test/fixtures/fuzz-regressions/ (npm test replays every file there)');
  out(text);
}

// ---------------------------------------------------------------- replay

interface ReplayResult {
  file: string;
  ok: boolean;
  steps: number;
  mismatch?: Mismatch;
  /** The file is not a case (or could not be run): exit status 2, not a mismatch. */
  error?: string;
}

function runReplay(args: FuzzArgs): number {
  let files: string[];
  try {
    files = replayFiles(args.replay!);
  } catch (error) {
    if (!(error instanceof ReplayPathError)) throw error;
    console.error(`wasm-optim fuzz: ${error.message}`);
    return 2;
  }
  const results: ReplayResult[] = files.map((file) => {
    const read = readCaseFile(file);
    if ('error' in read) return { file, ok: false, steps: 0, error: read.error };
    try {
      const result = runCase(read.case);
      return {
        file,
        ok: result.mismatches.length === 0,
        steps: result.steps,
        ...(result.mismatches[0] ? { mismatch: result.mismatches[0] } : {}),
      };
    } catch (error) {
      return {
        file,
        ok: false,
        steps: 0,
        error: `the fuzzer could not run it: ${(error as Error).stack ?? String(error)}`,
      };
    }
  });
  const unreadable = results.filter((r) => r.error !== undefined).length;
  const mismatches = results.filter((r) => r.mismatch !== undefined).length;
  if (args.json) {
    console.log(JSON.stringify({ replayed: results.length, mismatches, unreadable, results }, null, 2));
  } else {
    for (const r of results) {
      console.log(
        r.error !== undefined
          ? `ERROR     ${r.file}: ${r.error}`
          : r.ok
            ? `ok        ${r.file} (${r.steps} steps)`
            : `MISMATCH  ${r.file}: ${describeMismatch(r.mismatch!)}`,
      );
    }
    const cases = results.length - unreadable;
    const ran =
      `${cases} case${cases === 1 ? '' : 's'} replayed on ${availableBackends().join(', ')}: ` +
      `${mismatches === 0 ? 'no mismatches' : `${mismatches} with mismatches`}`;
    const notCases = `${unreadable} file${unreadable === 1 ? ' is' : 's are'} not a case (ERROR above)`;
    console.log(unreadable === 0 ? ran : cases === 0 ? `nothing replayed: ${notCases}` : `${ran}; ${notCases}`);
  }
  return unreadable > 0 ? 2 : mismatches > 0 ? 1 : 0;
}

// ---------------------------------------------------------------- fuzz

async function runWorkers(
  loop: Omit<LoopOptions, 'onProgress' | 'onFailure'>,
  jobs: number,
  onProgress: (t: Totals) => void,
  onFailure: (f: Failure) => void,
): Promise<Totals> {
  const latest: Totals[] = Array.from({ length: jobs }, emptyTotals);
  const sum = (): Totals => {
    const t = emptyTotals();
    for (const l of latest) mergeTotals(t, l);
    return t;
  };
  const url = new URL('../fuzz/worker.js', import.meta.url);
  await Promise.all(
    Array.from(
      { length: jobs },
      (_, w) =>
        new Promise<void>((resolve, reject) => {
          const cases = loop.cases === undefined ? undefined : Math.ceil(Math.max(0, loop.cases - w) / jobs);
          if (cases === 0) {
            resolve();
            return;
          }
          const worker = new Worker(url, { workerData: { ...loop, start: w, stride: jobs, cases } });
          worker.on('message', (m: WorkerMessage) => {
            if (m.type === 'progress' || m.type === 'done') {
              latest[w] = m.totals;
              onProgress(sum());
              if (m.type === 'done') resolve();
            } else if (m.type === 'failure') {
              onFailure(m.failure);
            } else {
              reject(new Error(m.message));
            }
          });
          worker.on('error', reject);
          worker.on('exit', (code) =>
            code === 0 ? resolve() : reject(new Error(`fuzz worker ${w} exited with code ${code}`)),
          );
        }),
    ),
  );
  return sum();
}

/**
 * The probability of memory cases past 2 GiB: as asked, or the default — and 0, with a note,
 * where the machine lacks the memory (they run one backend at a time, but workers may overlap).
 */
export function bigMemorySetting(
  asked: number | undefined,
  backends: number,
  memory = totalmem(),
): { probability: number; note?: string } {
  if (asked === 0) return { probability: 0 };
  if (bigMemoryFits(backends, memory)) return { probability: asked ?? BIG_DEFAULT_PROBABILITY };
  const need = `${((backends * BIG_BYTES_PER_BACKEND) / 2 ** 30).toFixed(0)} GiB`;
  const have = `${(memory / 2 ** 30).toFixed(1)} GiB`;
  return asked === undefined
    ? { probability: 0 }
    : {
        probability: 0,
        note:
          `--big-memory ${asked} ignored: memory cases past 2 GiB need ${need} of memory` +
          ` (${BIG_BYTES_PER_BACKEND / 2 ** 30} GiB per backend); this machine has ${have}`,
      };
}

/** `wasm-optim fuzz …`; resolves to the exit status. */
export async function runFuzz(argv: readonly string[]): Promise<number> {
  const parsed = parseFuzzArgs(argv);
  if (parsed === 'help') {
    console.log(`${FUZZ_USAGE}\n\n${FUZZ_HELP}`);
    return 0;
  }
  if (typeof parsed === 'string') {
    console.error(`wasm-optim fuzz: ${parsed}\n\n${FUZZ_USAGE}`);
    return 2;
  }
  const args = parsed;
  if (args.replay !== undefined) return runReplay(args);

  const backends = availableBackends();
  const big = bigMemorySetting(args.bigMemory, backends.length);
  if (big.note !== undefined) process.stderr.write(`wasm-optim fuzz: ${big.note}\n`);
  const plan: FuzzPlan = {
    seed: args.seed,
    algorithms: args.algorithms,
    flavors: args.flavors,
    bigMemory: big.probability,
  };
  const jobs = args.cases !== undefined ? Math.min(args.jobs, args.cases) : args.jobs;
  const tty = process.stderr.isTTY === true;
  const budget = args.seconds !== undefined ? `${args.seconds} s` : `${group3(args.cases!)} cases`;
  const started = Date.now();
  const failures: Failure[] = [];
  const seen = new Set<string>();
  let lastLine = tty ? 0 : started;
  let latest = emptyTotals();
  const progress = (t: Totals, final = false): void => {
    latest = t;
    const now = Date.now();
    if (tty) {
      if (final || now - lastLine >= 200) {
        lastLine = now;
        process.stderr.write(`\r\x1b[K${progressLine(t, budget, failures.length)}${final ? '\n' : ''}`);
      }
    } else if (final || now - lastLine >= 10_000) {
      lastLine = now;
      process.stderr.write(`${progressLine(t, budget, failures.length)}\n`);
    }
  };
  const human = (s: string): void => {
    if (!args.json) console.log(s);
  };
  let shrinkNote = false;
  const failure = (f: Failure): void => {
    // Failures are shrunk (and so arrive) after the fuzzing budget is spent.
    if (!shrinkNote) {
      shrinkNote = true;
      progress(latest, true);
      lastLine = Date.now();
      process.stderr.write(
        `fuzzing done; ${
          args.shrink
            ? `shrinking the first failure of each kind (≤ ${loop.shrinkMs / 1000} s each)`
            : 'failures not shrunk (--no-shrink)'
        }\n`,
      );
    }
    const key = `${f.shrunk['algorithm']}/${f.shrunk['flavor']} ${f.mismatch.kind}:${f.mismatch.check}`;
    if (seen.has(key)) return;
    seen.add(key);
    failures.push(f);
    printFailure(f, failures.length, args.save, human);
  };

  if (!args.json) {
    console.log(
      `wasm-optim fuzz: seed ${args.seed}, ${budget}, ${jobs} worker${jobs === 1 ? '' : 's'};` +
        ` backends ${backends.join(', ')}`,
    );
    console.log(
      `algorithms ${args.algorithms.join(', ')}; flavors ${args.flavors.join(', ')}; memory cases past 2 GiB: ` +
        `${big.probability > 0 ? `probability ${big.probability} per case` : 'off'}`,
    );
  }
  const loop = {
    plan,
    ms: args.seconds === undefined ? undefined : args.seconds * 1000,
    cases: args.cases,
    shrink: args.shrink,
    shrinkMs: 15_000,
    progressMs: 250,
  };
  let totals: Totals;
  try {
    const onProgress = (t: Totals): void => progress(t);
    totals =
      jobs <= 1
        ? fuzzLoop({ ...loop, onProgress, onFailure: failure })
        : await runWorkers(loop, jobs, onProgress, failure);
  } catch (error) {
    console.error(`wasm-optim fuzz: ${(error as Error).stack ?? String(error)}`);
    return 2;
  }
  if (!shrinkNote) progress(totals, true);
  const seconds = totals.fuzzMs / 1000;
  const rate = (n: number): number => n / Math.max(seconds, 1e-3);

  if (args.json) {
    console.log(
      JSON.stringify(
        {
          seed: args.seed,
          seconds,
          wallSeconds: (Date.now() - started) / 1000,
          workers: jobs,
          backends,
          algorithms: args.algorithms,
          flavors: args.flavors,
          cases: totals.cases,
          steps: totals.steps,
          optimizerSteps: totals.optimizerSteps,
          valuesCompared: totals.values,
          casesPerSecond: rate(totals.cases),
          stepsPerSecond: rate(totals.steps),
          optimizerStepsPerSecond: rate(totals.optimizerSteps),
          valuesPerSecond: rate(totals.values),
          laws: totals.laws,
          invalidInputs: totals.badOps,
          failedAdditions: totals.failedAdds,
          sparse: {
            cases: totals.sparseCases,
            sparseGrads: totals.sparseGrads,
            oracleChecked: totals.sparseOracleSteps,
            unlistedValuesUnchanged: totals.untouched,
            invalidSparseGrads: totals.badSparse,
          },
          memoryGrowths: totals.growths,
          bigMemoryCases: totals.bigMemory,
          bigMemoryProbability: big.probability,
          oracle: Object.fromEntries(
            Object.entries(totals.oracle).map(([k, s]) => [
              k,
              {
                compared: s.compared,
                wellConditioned: s.wellConditioned,
                specials: s.specials,
                skipped: s.skipped,
                maxErrorUlps: s.maxUlps,
                maxRelativeError: s.maxRel,
                maxErrorOverBound: s.maxRatio,
                boundUlpsMedian: boundQuantile(s, 0.5),
                boundUlpsP99: boundQuantile(s, 0.99),
                maxAt: s.maxAt,
              },
            ]),
          ),
          mismatches: failures.length,
          failures: failures.map((f) => ({
            origin: f.origin,
            kind: f.mismatch.kind,
            check: f.mismatch.check,
            where: f.mismatch.where,
            message: f.mismatch.message,
            shrunk: { where: f.shrunkMismatch.where, message: f.shrunkMismatch.message, case: f.shrunk },
          })),
        },
        null,
        2,
      ),
    );
  } else {
    console.log('');
    console.log(
      `${group3(totals.cases)} cases, ${group3(totals.steps)} history steps` +
        ` in ${seconds.toFixed(1)} s of fuzzing on ${backends.join(', ')}` +
        ` (${group3(rate(totals.cases))} cases/s, ${group3(rate(totals.steps))} steps/s)`,
    );
    console.log(
      `  optimizer steps compared: ${group3(totals.optimizerSteps)} (${group3(rate(totals.optimizerSteps))}/s;` +
        ' every step() of every backend and law variant)',
    );
    console.log(`  float32 values compared bit for bit: ${sci(totals.values)} (${sci(rate(totals.values))}/s)`);
    console.log(
      `  laws checked (cases): ${
        Object.entries(totals.laws)
          .map(([k, n]) => `${k} ${group3(n)}`)
          .join(', ') || 'none'
      }`,
    );
    console.log(
      `  invalid inputs tried: ${group3(totals.badOps)}` +
        ' (each must throw a clear TypeError/RangeError and change nothing);' +
        ` memory growths with live handles: ${group3(totals.growths)}`,
    );
    console.log(
      `  failed addParamGroup calls: ${group3(totals.failedAdds)} (of those inputs;` +
        ' each must leave the optimizer as before, and later steps as on a twin that never saw it)',
    );
    console.log(
      `  row-sparse: ${group3(totals.sparseCases)} cases with row-shaped tensors,` +
        ` ${group3(totals.sparseGrads)} sparse gradients stepped (each on every backend and law variant;` +
        ` ${group3(totals.sparseOracleSteps)} checked by the oracle, ${sci(totals.untouched)} unlisted values` +
        ` unchanged bit for bit); ${group3(totals.badSparse)} invalid sparse gradients rejected`,
    );
    console.log(
      `  memory cases past 2 GiB: ${group3(totals.bigMemory)} (${
        big.probability > 0
          ? `probability ${big.probability} per case; small tensors compared in full, the large one at sampled indices`
          : 'off'
      })`,
    );
    const rows = oracleRows(totals.oracle);
    if (rows.length > 0) {
      console.log(
        '  float64 oracle, per step: every value within its error bound E (max err/E ≤ 1); ulps and relative',
      );
      console.log(
        '  error of max(|want|, M), M = the largest magnitude the element has had,' +
          ` over well-conditioned values (E ≤ ${WELL_CONDITIONED} ulps):`,
      );
      for (const line of formatTable(
        [
          'algorithm/flavor',
          'values',
          'well-cond.',
          'NaN/±Inf',
          'undecided',
          'E p50/p99 ulps',
          'max ulps',
          'max rel',
          'max err/E',
        ],
        rows,
      ))
        console.log(`  ${line}`);
    }
    console.log(
      failures.length === 0
        ? `mismatches: 0`
        : `mismatches: ${failures.length} kind${failures.length === 1 ? '' : 's'}` +
            ` in ${group3(totals.failedCases)} cases (see above)`,
    );
  }
  return totals.failedCases > 0 || failures.length > 0 ? 1 : 0;
}
