// Runs inside /__csp__/frame.html, a page whose Content-Security-Policy has no
// 'wasm-unsafe-eval' (vitest.browser.config.ts): the engine refuses to compile any WebAssembly.
// Probes that, lets the library choose its backend by itself, replays the golden data with
// it, and posts the report to the test page (test/browser/csp.test.ts).
import type { BackendName } from '../../src/index.js';
import { availableBackends, backendUnavailableReason, detectBackend } from '../../src/index.js';
import { wasmBytes } from '../../src/backend/wasm.js';
import { optimizerFor, replayCase, replayWorked, workedRuns } from '../../tools/golden/replay.js';
import { OPTIMIZERS } from '../../src/registry.js';
import { goldenSources, workedExamples } from './fixtures.js';
import { trajectories, type Trajectory } from './trajectory.js';

export interface CspReport {
  /** 'effectiveDirective blockedURI' of each securitypolicyviolation event. */
  violations: string[];
  syncCompile: string;
  asyncCompile: string;
  detected: BackendName;
  available: BackendName[];
  reasons: Record<'simd' | 'wasm', string | null>;
  forcedSimd: string;
  /** opt.backend of each optimizer class constructed without a backend option. */
  autoBackends: string[];
  golden: { cases: number; compared: number; failures: string[] };
  trajectories: Record<string, Trajectory>;
}

const violations: string[] = [];
document.addEventListener('securitypolicyviolation', (e) => {
  violations.push(`${e.effectiveDirective} ${e.blockedURI}`);
});

function outcome(run: () => unknown): string {
  try {
    run();
    return 'compiled';
  } catch (error) {
    return `refused: ${String(error)}`;
  }
}

async function report(): Promise<CspReport> {
  const bytes = wasmBytes('wasm');
  const syncCompile = outcome(() => new WebAssembly.Module(bytes));
  const asyncCompile = await WebAssembly.compile(bytes).then(
    () => 'compiled',
    (e) => `refused: ${String(e)}`,
  );

  // 'auto' everywhere below: the library must pick the JS path by itself.
  const AUTO = 'auto' as BackendName; // replay.ts passes it through to the constructor's backend option
  const golden = { cases: 0, compared: 0, failures: [] as string[] };
  for (const { name, file } of goldenSources.filter((s) => optimizerFor(s.file) !== null)) {
    for (const c of file.cases) {
      for (const mode of ['drop-in', 'zero-copy'] as const) {
        const result = replayCase(file, c, AUTO, mode);
        golden.cases++;
        golden.compared += result.compared;
        if (result.mismatch) golden.failures.push(`${name} ${c.id} ${mode}: ${JSON.stringify(result.mismatch)}`);
      }
    }
  }
  for (const ex of workedExamples.examples) {
    for (const run of workedRuns(ex)) {
      const result = replayWorked(ex, run, AUTO);
      golden.cases++;
      golden.compared += result.compared;
      if (result.mismatch) golden.failures.push(`${result.id}: ${JSON.stringify(result.mismatch)}`);
    }
  }

  let forcedSimd = 'constructed';
  try {
    new OPTIMIZERS['adagrad']!([new Float32Array(4)], { backend: 'simd' });
  } catch (error) {
    forcedSimd = String(error);
  }
  const autoBackends = Object.values(OPTIMIZERS).map((Optim) => new Optim([new Float32Array(4)], { lr: 0.01 }).backend);

  await new Promise((resolve) => setTimeout(resolve, 50)); // violation events are queued tasks
  return {
    violations,
    syncCompile,
    asyncCompile,
    detected: detectBackend(),
    available: availableBackends(),
    reasons: { simd: backendUnavailableReason('simd'), wasm: backendUnavailableReason('wasm') },
    forcedSimd,
    autoBackends,
    golden,
    trajectories: trajectories('auto'),
  };
}

report().then(
  (result) => parent.postMessage({ type: 'csp-report', result }, '*'),
  (error: unknown) => parent.postMessage({ type: 'csp-error', error: String(error) }, '*'),
);
