// The golden case files (test/fixtures/golden, schema optim-golden/1, see its README): types,
// exact float32 decoding, and the mapping of each framework's names onto this library's.
import type { FrameworkNames } from '#lib/spec.js';

export interface GoldenCase {
  id: string;
  tags: string[];
  options: Record<string, number | boolean | number[] | null>;
  steps: number;
  shapes: number[][];
  init: string[][];
  grads: string[][][];
  params: string[][][];
  /** Buffers as strings; `step` a number; NAdam's `mu_product` one f32 string (a 0-dim tensor). */
  state: Record<string, number | string | string[]>[];
  iterations?: number;
  /** Row-sparse files: each step's gradient of each `[rows, width]` tensor, uncoalesced. */
  sparse_grads?: { indices: number[]; values: string[] }[][];
}

export interface GoldenFile {
  schema: string;
  framework: { name: 'pytorch' | 'tfjs'; version: string };
  algorithm: string;
  cases: GoldenCase[];
}

/** One golden file with its name, e.g. "torch/adagrad". */
export interface GoldenSource {
  name: string;
  file: GoldenFile;
}

export interface WorkedExample {
  id: string;
  algorithm: 'adagrad' | 'rmsprop';
  options: { lr: number; eps: number; alpha?: number; initial_accumulator?: number };
  x0: number[];
  steps: number;
  grads_given?: number[];
  grad_coeffs?: number[];
  expected_float32: string[][];
  accumulator_float32: string[][];
  framework_runs: Record<string, string[][]>;
}

export interface WorkedExamplesFile {
  schema: string;
  examples: WorkedExample[];
}

/** Exact decoding: each value is the shortest decimal that round-trips to its float32. */
export function decodeF32(values: readonly string[]): Float32Array {
  return Float32Array.from(values, Number);
}

// TF.js's argument names every optimizer shares; each algorithm's own (RMSprop's decay is alpha,
// Adamax's is a learning-rate decay) and its weight names are in its tfjs flavor's frameworkNames.
const TFJS_OPTION_NAMES: Readonly<Record<string, string>> = { learningRate: 'lr', epsilon: 'eps' };

/** A golden case's options in this library's names (camelCase; tfjs names mapped). */
export function mapOptions(
  framework: 'pytorch' | 'tfjs',
  options: GoldenCase['options'],
  names: FrameworkNames = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (framework === 'tfjs' && ('beta1' in options || 'beta2' in options)) {
    // tf.train.adam(learningRate, beta1, beta2, epsilon) → betas: [beta1, beta2]
    out['betas'] = [options['beta1'] ?? 0.9, options['beta2'] ?? 0.999];
  }
  for (const [key, value] of Object.entries(options)) {
    if (value === null) continue; // tfjs: the argument was omitted, the default applies
    if (framework === 'tfjs' && (key === 'beta1' || key === 'beta2')) continue;
    const name =
      framework === 'tfjs'
        ? (names.options?.[key] ?? TFJS_OPTION_NAMES[key] ?? key)
        : key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    out[name] = value;
  }
  return out;
}

/** A golden state name in this library's (PyTorch's) names. */
export function mapStateName(framework: 'pytorch' | 'tfjs', name: string, names: FrameworkNames = {}): string {
  return framework === 'tfjs' ? (names.state?.[name] ?? name) : name;
}
