// `wasm-optim check`: replays the bundled golden trajectories (PyTorch 1.13, TF.js 4.22 and the
// seed notes' worked examples) on every backend this engine has and prints, per flavor and
// backend, how many cases were reproduced bit for bit.
import { availableBackends, simdFma, type BackendName } from '#lib/backend/index.js';
import { loadGoldenFiles, loadWorkedExamples } from '../golden/load.js';
import { optimizerFor, replayCase, replayWorked, workedRuns, type CaseResult } from '../golden/replay.js';
import { formatTable } from './table.js';

interface Row {
  label: string;
  flavor: string;
  results: Map<BackendName, CaseResult[]>;
}

/** Runs the check, printing through `out`; true when every case is bit-exact everywhere. */
export function runCheck(out: (line: string) => void = console.log): boolean {
  const backends = availableBackends();
  const rows: Row[] = [];
  const missing: string[] = [];
  for (const { name, file } of loadGoldenFiles()) {
    if (optimizerFor(file) === null) {
      missing.push(name);
      continue;
    }
    const results = new Map<BackendName, CaseResult[]>();
    for (const backend of backends)
      results.set(
        backend,
        file.cases.map((c) => replayCase(file, c, backend)),
      );
    rows.push({ label: name, flavor: file.framework.name === 'tfjs' ? 'tfjs' : 'torch', results });
  }
  const worked = new Map<BackendName, CaseResult[]>();
  const examples = loadWorkedExamples().examples;
  for (const backend of backends) {
    worked.set(
      backend,
      examples.flatMap((ex) => workedRuns(ex).map((run) => replayWorked(ex, run, backend))),
    );
  }
  rows.push({ label: 'worked_examples', flavor: 'both', results: worked });

  const runs = rows.reduce((n, row) => n + row.results.get(backends[0]!)!.length, 0);
  out('wasm-optim check: do the optimizers reproduce PyTorch and TF.js exactly, on this machine?');
  out(`It replays ${runs} optimizer runs recorded with PyTorch 1.13 and TF.js 4.22 (the golden files, plus`);
  out('a few worked examples) on every backend, and compares every parameter after every step, and the');
  out('final optimizer state, with the recording bit for bit.');
  out('');
  out(`backends available here: ${backends.join(', ')}`);
  out(`  ${backends.map((b) => BACKEND_WORDS[b]).join('; ')}`);
  if (backends.includes('simd')) {
    out(
      simdFma() === 'hardware'
        ? 'simd fused multiply-add: hardware (relaxed SIMD, found fused by the load-time probe)'
        : 'simd fused multiply-add: emulated in float64 (no fused relaxed-SIMD multiply-add in this engine)',
    );
  }
  out('');
  const header = ['flavor', 'golden file', 'cases', 'values', ...backends];
  const table = rows.map((row) => {
    const first = row.results.get(backends[0]!)!;
    return [
      row.flavor,
      row.label,
      String(first.length),
      String(first.reduce((n, r) => n + r.compared, 0)),
      ...backends.map((b) => exactCount(row.results.get(b)!)),
    ];
  });
  const totals = backends.map((b) => rows.flatMap((row) => row.results.get(b)!));
  table.push(['', 'total', String(totals[0]!.length), '', ...totals.map(exactCount)]);
  for (const line of formatTable(header, table)) out(line);
  out('');
  out("flavor: whose semantics the runs follow (the `flavor` option: 'torch' or 'tfjs'). cases: recorded");
  out('runs; values: numbers compared; under each backend: runs it reproduced bit for bit, of all.');
  out('');
  if (missing.length > 0) out(`golden files for algorithms not in the library yet: ${missing.join(', ')}`);

  const failures = rows.flatMap((row) =>
    backends.flatMap((b) =>
      row.results
        .get(b)!
        .filter((r) => r.mismatch !== null)
        .map((r) => ({ backend: b, row, r })),
    ),
  );
  for (const { backend, row, r } of failures.slice(0, 10)) {
    const m = r.mismatch!;
    out(
      `MISMATCH ${row.label} ${r.id} on ${backend}:` +
        ` ${m.where}[${m.index}] got ${m.got}, want ${m.want} (${m.ulps} ulp)`,
    );
  }
  if (failures.length > 10) out(`… and ${failures.length - 10} more mismatches`);
  out(
    failures.length === 0
      ? `every case bit-exact on every backend: all ${runs} runs reproduced exactly on ${backends.join(', ')}`
      : `${failures.length} case runs differ`,
  );
  return failures.length === 0;
}

const BACKEND_WORDS: Record<BackendName, string> = {
  simd: 'simd: WebAssembly SIMD (the default)',
  wasm: 'wasm: scalar WebAssembly',
  js: 'js: the pure-JS fallback',
};

function exactCount(results: CaseResult[]): string {
  return `${results.filter((r) => r.mismatch === null).length}/${results.length}`;
}
