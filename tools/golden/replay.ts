// Replays golden cases through the public API and compares every value bit for bit: the
// params after every step and the final state. Shared by the tests and `wasm-optim check`.
import type { BackendName } from '#lib/backend/index.js';
import { OPTIMIZERS, type AnyOptimizer } from '#lib/registry.js';
import { firstMismatch, type Mismatch } from './compare.js';
import { decodeF32, mapOptions, mapStateName, type GoldenCase, type GoldenFile, type WorkedExample } from './format.js';

/** How gradients reach the optimizer: drop-in `step(grads)` or zero-copy `step()`. */
export type StepMode = 'drop-in' | 'zero-copy';

export interface CaseResult {
  id: string;
  /** Number of float32 values compared. */
  compared: number;
  /** The first difference, or null when every value matched bit for bit. */
  mismatch: Mismatch | null;
}

/** Golden files of row-sparse gradients, by the registry name of the algorithm they exercise. */
const SPARSE_FILES: Readonly<Record<string, string>> = { adagrad_sparse: 'adagrad', sparse_adam: 'sparseadam' };

/** The registry name of a golden file's algorithm ("adagrad_sparse" exercises "adagrad"). */
export function registryNameOf(file: GoldenFile): string {
  return SPARSE_FILES[file.algorithm] ?? file.algorithm;
}

/** The optimizer class for a golden file, or null if the library does not have it yet. */
export function optimizerFor(file: GoldenFile): (typeof OPTIMIZERS)[string] | null {
  return OPTIMIZERS[registryNameOf(file)] ?? null;
}

export function replayCase(
  file: GoldenFile,
  c: GoldenCase,
  backend: BackendName,
  mode: StepMode = 'drop-in',
): CaseResult {
  const Optim = optimizerFor(file);
  if (Optim === null) throw new Error(`no optimizer for golden algorithm ${file.algorithm}`);
  const framework = file.framework.name;
  const params = c.init.map(decodeF32);
  const flavor = framework === 'tfjs' ? 'tfjs' : 'torch';
  const names = Optim.spec.flavors[flavor]?.frameworkNames;
  const sparse = c.sparse_grads;
  // A row-sparse case declares each tensor as [rows, width].
  const inits = sparse === undefined ? params : params.map((data, k) => ({ data, rows: c.shapes[k]![0]! }));
  const opt = new Optim(inits, { ...mapOptions(framework, c.options, names), flavor, backend });
  let compared = 0;
  const check = (where: string, got: ArrayLike<number>, want: ArrayLike<number>): Mismatch | null => {
    compared += want.length;
    return firstMismatch(where, got, want);
  };
  for (let t = 0; t < c.steps; t++) {
    if (sparse === undefined) stepWith(opt, c.grads[t]!.map(decodeF32), mode);
    else stepSparse(opt, sparse[t]!, mode);
    for (let k = 0; k < params.length; k++) {
      const got = mode === 'drop-in' ? params[k]! : opt.params[k]!.data;
      const mismatch = check(`params[${k}] after step ${t + 1}`, got, decodeF32(c.params[t]![k]!));
      if (mismatch) return { id: c.id, compared, mismatch };
    }
  }
  const state = opt.stateDict().state;
  for (let k = 0; k < params.length; k++) {
    const ours = state[k] as Record<string, number | Float32Array> | undefined;
    const want = c.state[k] ?? {};
    for (const [name, value] of Object.entries(want)) {
      const mine = ours?.[mapStateName(framework, name, names)];
      if (name === 'step') {
        if (mine !== value)
          return {
            id: c.id,
            compared,
            mismatch: { where: `state[${k}].step`, index: 0, got: Number(mine), want: value as number, ulps: Infinity },
          };
        continue;
      }
      // A 0-dim tensor (NAdam's mu_product) is one f32 string; ours is a number in the state.
      const scalar = typeof value === 'string';
      const mismatch = check(
        `state[${k}].${name}`,
        scalar ? (typeof mine === 'number' ? [mine] : []) : ((mine as Float32Array | undefined) ?? []),
        scalar ? decodeF32([value]) : decodeF32(value as string[]),
      );
      if (mismatch) return { id: c.id, compared, mismatch };
    }
    if (c.iterations !== undefined && ours?.['step'] !== c.iterations) {
      return {
        id: c.id,
        compared,
        mismatch: {
          where: `state[${k}].step (tfjs iterations)`,
          index: 0,
          got: Number(ours?.['step']),
          want: c.iterations,
          ulps: Infinity,
        },
      };
    }
  }
  return { id: c.id, compared, mismatch: null };
}

function stepSparse(opt: AnyOptimizer, grads: { indices: number[]; values: string[] }[], mode: StepMode): void {
  if (mode === 'drop-in') {
    opt.step(grads.map((g) => ({ indices: Int32Array.from(g.indices), values: decodeF32(g.values) })));
    return;
  }
  grads.forEach((g, k) => {
    const staged = opt.params[k]!.sparseGrad(g.indices.length);
    staged.indices.set(g.indices);
    staged.values.set(decodeF32(g.values));
  });
  opt.step();
}

function stepWith(opt: AnyOptimizer, grads: Float32Array[], mode: StepMode): void {
  if (mode === 'drop-in') {
    opt.step(grads);
    return;
  }
  opt.params.forEach((handle, k) => handle.grad.set(grads[k]!));
  opt.step();
}

/** One comparison of a worked example: its float32 expectation, or one framework's run. */
export interface WorkedRun {
  label: string;
  flavor: 'torch' | 'tfjs';
  options: Record<string, number>;
  expected: string[][];
  accumulator?: string[][];
}

/**
 * The runs a worked example can be checked against. Its own expected_float32 is the
 * eps-inside-the-root arithmetic, i.e. the tfjs flavor with the example's eps; the framework
 * runs are PyTorch (eps outside) and TF.js (adagrad: its fixed eps 1e-7).
 */
export function workedRuns(ex: WorkedExample): WorkedRun[] {
  const base: Record<string, number> = { lr: ex.options.lr };
  if (ex.options.alpha !== undefined) base['alpha'] = ex.options.alpha;
  const zeroAcc: Record<string, number> = ex.algorithm === 'adagrad' ? { initialAccumulatorValue: 0 } : {};
  const runs: WorkedRun[] = [
    {
      label: 'expected_float32',
      flavor: 'tfjs',
      options: { ...base, ...zeroAcc, eps: ex.options.eps },
      expected: ex.expected_float32,
      accumulator: ex.accumulator_float32,
    },
  ];
  for (const [label, expected] of Object.entries(ex.framework_runs)) {
    if (label.startsWith('torch.')) {
      runs.push({ label, flavor: 'torch', options: { ...base, eps: ex.options.eps }, expected });
    } else {
      const eps: Record<string, number> = ex.algorithm === 'adagrad' ? {} : { eps: ex.options.eps };
      runs.push({ label, flavor: 'tfjs', options: { ...base, ...zeroAcc, ...eps }, expected });
    }
  }
  return runs;
}

/** Replays one worked-example run: gradients given, or g = fl(coeff · x) from the current x. */
export function replayWorked(ex: WorkedExample, run: WorkedRun, backend: BackendName): CaseResult {
  const Optim = OPTIMIZERS[ex.algorithm]!;
  const x = Float32Array.from(ex.x0);
  const opt = new Optim([x], { ...run.options, flavor: run.flavor, backend });
  const grad = new Float32Array(x.length);
  const id = `${ex.id} / ${run.label}`;
  let compared = 0;
  for (let t = 0; t < ex.steps; t++) {
    for (let i = 0; i < x.length; i++) {
      grad[i] = ex.grads_given ? ex.grads_given[t]! : Math.fround(ex.grad_coeffs![i]! * x[i]!);
    }
    opt.step([grad]);
    compared += x.length;
    const mismatch = firstMismatch(`x after step ${t + 1}`, x, decodeF32(run.expected[t]!));
    if (mismatch) return { id, compared, mismatch };
    if (run.accumulator) {
      const acc = (opt.stateDict().state[0] as unknown as Record<string, Float32Array>)[
        ex.algorithm === 'adagrad' ? 'sum' : 'square_avg'
      ]!;
      compared += acc.length;
      const m = firstMismatch(`accumulator after step ${t + 1}`, acc, decodeF32(run.accumulator[t]!));
      if (m) return { id, compared, mismatch: m };
    }
  }
  return { id, compared, mismatch: null };
}
