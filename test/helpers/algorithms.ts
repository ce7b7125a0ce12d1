// The one table of algorithms the tests iterate, like PyTorch's optim_db: one row per registry
// algorithm (src/registry.ts ALGORITHM_NAMES), one entry per flavor it has. A row holds only
// what cannot be read from the algorithm's spec (src/spec.ts, through specOfAlgorithm): option
// grids, options that switch every buffer on, FMA traps, the TF.js mapping. What the spec
// knows — option kinds and bounds, per-flavor defaults and unsupported options, the state
// buffers under given options, whether the state shows `step` — is derived below instead, so
// adding an algorithm to the tests means adding ONE row here (plus its golden fixtures).
// A torch-only algorithm (AdamW; NAdam, RAdam) simply has no `tfjs` entry.
import { ALGORITHM_NAMES, ALGORITHMS, type AlgorithmName, specOfAlgorithm } from '../../src/registry.js';
import { FLAVORS, type AlgorithmSpec, type Flavor, type FlavorSpec, type StateName } from '../../src/spec.js';

export type Options = Readonly<Record<string, unknown>>;
/** Option name → the values to combine exhaustively. */
export type Grid = Readonly<Record<string, readonly unknown[]>>;

export interface FlavorRow {
  /** Conformance (Wasm vs JS reference): every value a user can switch a code path with. */
  readonly grid: Grid;
  /** Options under which the flavor keeps every state buffer it can (the count comes from the spec). */
  readonly full: Options;
  /**
   * Two option sets differing in every option the flavor supports, the second valid on top of the
   * first (the param-groups suite: a group overriding the constructor's options).
   */
  readonly pair: readonly [Options, Options];
  /** Configurations with only some buffers, beside the defaults and `full` (README "Limits"). */
  readonly partial?: readonly Options[];
}

/** How the `tf.train` optimizer maps onto the algorithm (flavor 'tfjs'). */
export interface TfjsMapping {
  /** The factory's name, the same in `tf.train` and `wasm-optim/tfjs`. */
  readonly factory: string;
  /** The wasm-optim/tfjs class (also its serialization name). */
  readonly className: string;
  /**
   * `tf.train.<factory>`'s positional parameters, in order (ours take their settings after the
   * last), each with the option it sets (`betas[0]`: one of a pair; null: none, e.g. a TF.js
   * parameter the algorithm has no option for).
   */
  readonly params: readonly (readonly [tfName: string, option: string | null])[];
  /** `getWeights()` name suffix → the state buffer it holds. */
  readonly weights: Readonly<Record<string, StateName>>;
  /** Argument lists compared against `tf.train.<factory>` bit for bit. */
  readonly calls: readonly (readonly unknown[])[];
  /**
   * `tf.train.<factory>` has no getWeights/setWeights (tf.train.adamax in tfjs-core 4.22 throws):
   * the shared suites, which move state through them, leave it to its own test file.
   */
  readonly noWeights?: true;
}

/** Where g = fma(param, weightDecay, grad) shows after one step with lr = 0 (the test sets weightDecay). */
export interface DecayTrap {
  readonly options: Options;
  readonly state: StateName;
  /** The buffer holds g itself or fl(g²). */
  readonly shows: 'g' | 'g²';
}

/** Where a loaded second moment c·2²² meets fl((1 − β)·g)·g with β = 2⁻²² (see fma-kernels.test.ts). */
export interface LoadedTrap {
  readonly options: Options;
  readonly state: StateName;
  readonly step: number;
}

export interface AlgorithmRow {
  readonly torch: FlavorRow;
  /** Absent for a torch-only algorithm. */
  readonly tfjs?: FlavorRow & { readonly tf?: TfjsMapping };
  /** A non-default torch configuration for the every-SIMD-tail-length test. */
  readonly tail: Options;
  /** FMA traps (torch): at least one of the two, or `none`: why the kernel has no fused operation. */
  readonly fma: { readonly decay?: DecayTrap; readonly loaded?: LoadedTrap; readonly none?: string };
  /** The buffer holding fl(g²) after a first step, where NaN payloads and ±Infinity² show (none: SGD). */
  readonly squares?: StateName;
  /**
   * For an algorithm whose spec creates state at construction (Adagrad): options under which that
   * state is all zeros, so constructing a huge parameter touches no memory (limits, past-2gib).
   */
  readonly untouched?: Options;
}

/** Adam's family (betas [β1, β2]): with β1 = 0, exp_avg after one step is g itself. */
const FIRST_MOMENT_TRAP: DecayTrap = { options: { lr: 0, betas: [0, 0.999] }, state: 'exp_avg', shows: 'g' };
/** … and with β2 = 2⁻²², a loaded exp_avg_sq meets fl((1 − β2)·g)·g. */
const SECOND_MOMENT_TRAP: LoadedTrap = { options: { lr: 0, betas: [0.9, 2 ** -22] }, state: 'exp_avg_sq', step: 1 };

const BETAS_GRID = [
  [0.9, 0.999],
  [0.8, 0.99],
] as const;

/** One row per registry algorithm; the compiler insists on every name of ALGORITHM_NAMES. */
export const ALGORITHM_TABLE: Readonly<Record<AlgorithmName, AlgorithmRow>> = {
  adagrad: {
    torch: {
      grid: {
        lr: [0.1],
        lrDecay: [0, 0.01],
        weightDecay: [0, 0.1],
        initialAccumulatorValue: [0, 0.1],
        eps: [1e-10, 1e-3],
        maximize: [false, true],
      },
      full: { lr: 0.1, weightDecay: 0.01, lrDecay: 0.001 },
      pair: [
        { lr: 0.1, lrDecay: 0.05 },
        { lr: 0.02, weightDecay: 0.1, initialAccumulatorValue: 0.5, maximize: true, eps: 1e-6 },
      ],
    },
    tfjs: {
      grid: { lr: [0.1, 0.5], initialAccumulatorValue: [0, 0.1], eps: [1e-7, 1e-3] },
      full: { lr: 0.1 },
      pair: [{ lr: 0.1 }, { lr: 0.02, initialAccumulatorValue: 0.5, eps: 1e-5 }],
      tf: {
        factory: 'adagrad',
        className: 'WasmOptimAdagrad',
        params: [
          ['learningRate', 'lr'],
          ['initialAccumulatorValue', 'initialAccumulatorValue'],
        ],
        weights: { accumulator: 'sum' },
        calls: [[0.1], [0.05, 0.5]],
      },
    },
    tail: { lrDecay: 0.1, weightDecay: 0.01 },
    fma: { decay: { options: { lr: 0 }, state: 'sum', shows: 'g²' } },
    squares: 'sum',
    untouched: { initialAccumulatorValue: 0 },
  },
  rmsprop: {
    torch: {
      grid: {
        lr: [0.01],
        alpha: [0.99, 0.9],
        eps: [1e-8],
        weightDecay: [0, 0.1],
        momentum: [0, 0.9],
        centered: [false, true],
        maximize: [false, true],
      },
      full: { lr: 0.01, momentum: 0.9, centered: true, weightDecay: 0.01 },
      pair: [
        { lr: 0.01 },
        {
          lr: 0.003,
          alpha: 0.9,
          eps: 1e-6,
          momentum: 0.9,
          centered: true,
          weightDecay: 0.01,
          maximize: true,
          lazy: true,
        },
      ],
      partial: [{ momentum: 0.9 }, { centered: true }],
    },
    tfjs: {
      grid: { lr: [0.01], alpha: [0.9, 0.99], eps: [1e-7, 1e-3], momentum: [0, 0.9], centered: [false, true] },
      full: { lr: 0.01, momentum: 0.9, centered: true },
      pair: [{ lr: 0.01 }, { lr: 0.003, alpha: 0.8, momentum: 0.9, centered: true, eps: 1e-6, lazy: true }],
      partial: [{ momentum: 0.9 }, { centered: true }],
      tf: {
        factory: 'rmsprop',
        className: 'WasmOptimRMSProp',
        params: [
          ['learningRate', 'lr'],
          ['decay', 'alpha'],
          ['momentum', 'momentum'],
          ['epsilon', 'eps'],
          ['centered', 'centered'],
        ],
        weights: { rms: 'square_avg', momentum: 'momentum_buffer', mg: 'grad_avg' },
        calls: [[0.01], [0.005, 0.95, 0.9, 1e-6], [0.001, 0.9, 0.5, 1e-10, true]],
      },
    },
    tail: { momentum: 0.5, centered: true },
    fma: {
      decay: { options: { lr: 0, alpha: 0 }, state: 'square_avg', shows: 'g²' },
      loaded: { options: { lr: 0, alpha: 2 ** -22 }, state: 'square_avg', step: 1 },
    },
    squares: 'square_avg',
  },
  sgd: {
    torch: {
      grid: {
        lr: [0.1],
        momentum: [0, 0.9],
        dampening: [0, 0.5],
        weightDecay: [0, 0.1],
        nesterov: [false],
        maximize: [false, true],
      },
      full: { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 },
      pair: [
        { lr: 0.1, momentum: 0.5, dampening: 0.1 },
        { lr: 0.02, momentum: 0.9, dampening: 0, nesterov: true, weightDecay: 0.1, maximize: true },
      ],
    },
    tfjs: {
      grid: { lr: [0.1], momentum: [0, 0.9], nesterov: [false, true] },
      full: { lr: 0.1, momentum: 0.9, nesterov: true },
      pair: [{ lr: 0.1 }, { lr: 0.02, momentum: 0.9, nesterov: true }],
      partial: [{ momentum: 0.9 }],
      tf: { factory: 'sgd', className: 'WasmOptimSGD', params: [['learningRate', 'lr']], weights: {}, calls: [[0.1]] },
    },
    tail: { momentum: 0.9, nesterov: true },
    fma: { decay: { options: { lr: 0, momentum: 0.5 }, state: 'momentum_buffer', shows: 'g' } },
  },
  momentum: {
    torch: {
      grid: { lr: [0.1], momentum: [0.9], nesterov: [false, true], weightDecay: [0, 0.1], maximize: [false, true] },
      full: { lr: 0.1, nesterov: true, weightDecay: 0.01 },
      pair: [
        { lr: 0.1, momentum: 0.5, dampening: 0.1 },
        { lr: 0.02, momentum: 0.9, dampening: 0, nesterov: true, weightDecay: 0.1, maximize: true },
      ],
    },
    tfjs: {
      grid: { lr: [0.1], momentum: [0, 0.5], nesterov: [false, true] },
      full: { lr: 0.1, momentum: 0.9, nesterov: true },
      pair: [{ lr: 0.1 }, { lr: 0.02, momentum: 0.5, nesterov: true }],
      tf: {
        factory: 'momentum',
        className: 'WasmOptimMomentum',
        params: [
          ['learningRate', 'lr'],
          ['momentum', 'momentum'],
          ['useNesterov', 'nesterov'],
        ],
        weights: { momentum: 'momentum_buffer' },
        calls: [
          [0.05, 0.9],
          [0.05, 0.5, true],
        ],
      },
    },
    tail: { dampening: 0.1 },
    fma: { decay: { options: { lr: 0 }, state: 'momentum_buffer', shows: 'g' } },
  },
  adam: {
    torch: {
      grid: {
        lr: [0.01],
        betas: BETAS_GRID,
        eps: [1e-8],
        weightDecay: [0, 0.1],
        amsgrad: [false, true],
        maximize: [false, true],
      },
      full: { lr: 0.01, amsgrad: true, weightDecay: 0.01 },
      pair: [
        { lr: 0.01 },
        { lr: 0.003, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1, amsgrad: true, maximize: true, lazy: true },
      ],
    },
    tfjs: {
      grid: { lr: [0.01], betas: BETAS_GRID, eps: [1e-7, 1e-3] },
      full: { lr: 0.01 },
      pair: [{ lr: 0.01 }, { lr: 0.003, betas: [0.8, 0.99], eps: 1e-5, lazy: true }],
      tf: {
        factory: 'adam',
        className: 'WasmOptimAdam',
        params: [
          ['learningRate', 'lr'],
          ['beta1', 'betas[0]'],
          ['beta2', 'betas[1]'],
          ['epsilon', 'eps'],
        ],
        weights: { m: 'exp_avg', v: 'exp_avg_sq' },
        calls: [[], [0.01, 0.8, 0.99, 1e-3]],
      },
    },
    tail: { amsgrad: true },
    fma: {
      decay: FIRST_MOMENT_TRAP,
      loaded: SECOND_MOMENT_TRAP,
    },
    squares: 'exp_avg_sq',
  },
  sparseadam: {
    torch: {
      grid: { lr: [0.01], betas: BETAS_GRID, eps: [1e-8, 1e-3], maximize: [false, true] },
      full: { lr: 0.01 },
      pair: [{ lr: 0.01 }, { lr: 0.003, betas: [0.8, 0.99], eps: 1e-6, maximize: true }],
    },
    tail: { maximize: true },
    fma: { none: 'PyTorch 1.13 SparseAdam rounds every operation (no fused multiply-add)' },
    squares: 'exp_avg_sq',
  },
  adamw: {
    torch: {
      grid: {
        lr: [0.01],
        betas: BETAS_GRID,
        eps: [1e-8],
        weightDecay: [0, 0.1],
        amsgrad: [false, true],
        maximize: [false, true],
      },
      full: { lr: 0.01, amsgrad: true },
      pair: [
        { lr: 0.01 },
        { lr: 0.003, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1, amsgrad: true, maximize: true, lazy: true },
      ],
    },
    tail: { amsgrad: true },
    fma: { loaded: SECOND_MOMENT_TRAP },
    squares: 'exp_avg_sq',
  },
  adadelta: {
    torch: {
      grid: { lr: [1, 0.5], rho: [0.9, 0.95], eps: [1e-6, 1e-3], weightDecay: [0, 0.1], maximize: [false, true] },
      full: { lr: 1, weightDecay: 0.01 },
      pair: [{ lr: 1 }, { lr: 0.5, rho: 0.8, eps: 1e-4, weightDecay: 0.1, maximize: true }],
    },
    tfjs: {
      grid: { lr: [1e-3, 1], rho: [0.95], eps: [1e-7, 1e-3] },
      full: { lr: 1 },
      pair: [{ lr: 1 }, { lr: 0.5, rho: 0.8, eps: 1e-4 }],
      tf: {
        factory: 'adadelta',
        className: 'WasmOptimAdadelta',
        params: [
          ['learningRate', 'lr'],
          ['rho', 'rho'],
          ['epsilon', 'eps'],
        ],
        weights: { accum_grad: 'square_avg', accum_var: 'acc_delta' },
        calls: [[1], [0.5, 0.9, 1e-6]],
      },
    },
    tail: { weightDecay: 0.1 },
    fma: { decay: { options: { lr: 0, rho: 0 }, state: 'square_avg', shows: 'g²' } },
    squares: 'square_avg',
  },
  adamax: {
    torch: {
      grid: { lr: [2e-3], betas: BETAS_GRID, eps: [1e-8, 1e-3], weightDecay: [0, 0.1], maximize: [false, true] },
      full: { lr: 0.01, weightDecay: 0.01 },
      pair: [{ lr: 0.01 }, { lr: 0.003, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1, maximize: true }],
    },
    tfjs: {
      grid: { lr: [2e-3, 0.01], betas: BETAS_GRID, eps: [1e-7, 1e-3], lrDecay: [0, 0.1] },
      full: { lr: 0.01 },
      pair: [{ lr: 0.01 }, { lr: 0.003, betas: [0.8, 0.99], eps: 1e-6, lrDecay: 0.1 }],
      tf: {
        factory: 'adamax',
        className: 'WasmOptimAdamax',
        params: [
          ['learningRate', 'lr'],
          ['beta1', 'betas[0]'],
          ['beta2', 'betas[1]'],
          ['epsilon', 'eps'],
          ['decay', 'lrDecay'],
        ],
        weights: { m: 'exp_avg', v: 'exp_inf' },
        calls: [[], [0.01, 0.8, 0.99, 1e-3, 0.05]],
        noWeights: true, // test/tfjs/adamax.test.ts
      },
    },
    tail: { weightDecay: 0.1 },
    fma: { decay: FIRST_MOMENT_TRAP },
    // No `squares`: exp_inf holds max(β2·u, |g| + eps), and a max need not keep a NaN's payload.
  },
  nadam: {
    torch: {
      grid: { lr: [2e-3], betas: BETAS_GRID, eps: [1e-8, 1e-3], weightDecay: [0, 0.1], momentumDecay: [4e-3, 0.1] },
      full: { lr: 0.01, weightDecay: 0.01 },
      pair: [{ lr: 0.01 }, { lr: 0.003, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1, momentumDecay: 0.1 }],
    },
    tail: { weightDecay: 0.1, momentumDecay: 0.1 },
    fma: {
      decay: FIRST_MOMENT_TRAP,
      loaded: SECOND_MOMENT_TRAP,
    },
    squares: 'exp_avg_sq',
  },
  // betas[1] 0.9: ρ_t > 5 from step 6 on, so the suites' short runs do not rectify; 0.5 never does
  // (test/nadam-radam.test.ts steps past the switch).
  radam: {
    torch: {
      grid: {
        lr: [1e-3],
        betas: [
          [0.9, 0.999],
          [0.8, 0.5],
        ],
        eps: [1e-8, 1e-3],
        weightDecay: [0, 0.1],
      },
      full: { lr: 0.01, weightDecay: 0.01 },
      pair: [{ lr: 0.01 }, { lr: 0.003, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1 }],
    },
    tail: { weightDecay: 0.1 },
    fma: {
      decay: FIRST_MOMENT_TRAP,
      loaded: SECOND_MOMENT_TRAP,
    },
    // No `squares`: before ρ_t > 5 RAdam steps by lr·m̂ alone, so an infinite gradient leaves ∓Infinity
    // in the parameter, not NaN as the NaN suite expects (test/nadam-radam.test.ts covers it).
  },
};

/** The table's algorithm names, in registry (report) order. */
export const TABLE_NAMES: readonly AlgorithmName[] = ALGORITHM_NAMES.filter((name) => name in ALGORITHM_TABLE);

/** Registry algorithms the table lacks: [] unless someone forgot a row. */
export function missingRows(): string[] {
  return Object.keys(ALGORITHMS).filter((name) => !Object.hasOwn(ALGORITHM_TABLE, name));
}

// ---------------------------------------------------------------- derived from the spec

type Spec = AlgorithmSpec<Record<string, unknown>>;
type Rule = Spec['rules'][string];

const specs = new Map<AlgorithmName, Spec>();

/** The algorithm's spec, as its class runs it (cached). */
export function specFor(algorithm: AlgorithmName): Spec {
  let spec = specs.get(algorithm);
  if (spec === undefined) {
    spec = specOfAlgorithm(algorithm);
    specs.set(algorithm, spec);
  }
  return spec;
}

/** The class name that prefixes the algorithm's messages ("Adagrad", "SGD"). */
export const classNameOf = (algorithm: AlgorithmName): string => specFor(algorithm).name;

/** The flavors the table has for an algorithm (checked against the spec's by the table test). */
export function flavorsOf(algorithm: AlgorithmName): Flavor[] {
  return FLAVORS.filter((flavor) => ALGORITHM_TABLE[algorithm][flavor] !== undefined);
}

/** The row's entry for a flavor; throws if the table has none. */
export function flavorRow(algorithm: AlgorithmName, flavor: Flavor): FlavorRow {
  const row = ALGORITHM_TABLE[algorithm][flavor];
  if (row === undefined) throw new Error(`test/helpers/algorithms.ts: ${algorithm} has no ${flavor} entry`);
  return row;
}

/** Every (algorithm, flavor) pair of the table, in order. */
export const FLAVOR_CASES: readonly { algorithm: AlgorithmName; flavor: Flavor; name: string }[] = TABLE_NAMES.flatMap(
  (algorithm) => flavorsOf(algorithm).map((flavor) => ({ algorithm, flavor, name: `${algorithm} ${flavor}` })),
);

function flavorSpec(algorithm: AlgorithmName, flavor: Flavor): FlavorSpec<Record<string, unknown>> {
  const spec = specFor(algorithm).flavors[flavor];
  if (spec === undefined) throw new Error(`${algorithm} has no ${flavor} flavor in its spec`);
  return spec;
}

/** The flavor's defaults overridden by `options`. */
export function withDefaults(algorithm: AlgorithmName, flavor: Flavor, options: Options): Record<string, unknown> {
  return { ...flavorSpec(algorithm, flavor).defaults, ...options };
}

/** The state buffers a parameter keeps under `options`, in state-dict order. */
export function buffersOf(algorithm: AlgorithmName, flavor: Flavor, options: Options): readonly StateName[] {
  return flavorSpec(algorithm, flavor).buffers(withDefaults(algorithm, flavor, options));
}

/** The buffers a loaded state entry must have under `options` (SGD's momentum buffer is optional). */
export function requiredBuffersOf(algorithm: AlgorithmName, flavor: Flavor, options: Options): readonly StateName[] {
  const spec = flavorSpec(algorithm, flavor);
  const merged = withDefaults(algorithm, flavor, options);
  return spec.loadable?.(merged).required ?? spec.buffers(merged);
}

/** Every buffer the flavor's kernel may touch. */
export const contractStateOf = (algorithm: AlgorithmName, flavor: Flavor): readonly StateName[] =>
  flavorSpec(algorithm, flavor).contract.state;

/** The sorted keys of a stepped parameter's state entry under `options`: buffers, step, aux keys. */
export function stateKeysOf(algorithm: AlgorithmName, flavor: Flavor, options: Options): string[] {
  const spec = flavorSpec(algorithm, flavor);
  const keys: string[] = [...buffersOf(algorithm, flavor, options), ...(spec.auxKeys ?? [])];
  if (spec.stepInState !== false) keys.push('step');
  return keys.sort();
}

/**
 * Options that leave a fresh optimizer's memory untouched: the row's `untouched` where state starts at construction.
 */
export function untouchedOptions(algorithm: AlgorithmName): Options {
  return specFor(algorithm).stateAtConstruction ? (ALGORITHM_TABLE[algorithm].untouched ?? {}) : {};
}

/** Whether the state dict shows `step` for the flavor. */
export const hasStepOf = (algorithm: AlgorithmName, flavor: Flavor): boolean =>
  flavorSpec(algorithm, flavor).stepInState !== false;

/** The option names and their rules. */
export function rulesOf(algorithm: AlgorithmName): [string, Rule][] {
  return Object.entries(specFor(algorithm).rules);
}

export const numericOptions = (algorithm: AlgorithmName): string[] =>
  rulesOf(algorithm)
    .filter(([, rule]) => rule.kind === 'number')
    .map(([key]) => key);
export const booleanOptions = (algorithm: AlgorithmName): string[] =>
  rulesOf(algorithm)
    .filter(([, rule]) => rule.kind === 'boolean')
    .map(([key]) => key);
export const pairOptions = (algorithm: AlgorithmName): string[] =>
  rulesOf(algorithm)
    .filter(([, rule]) => rule.kind === 'pair')
    .map(([key]) => key);

/** A bad value of an option, the error it must raise and how the message shows the value. */
export interface BadValue {
  readonly label: string;
  readonly value: unknown;
  readonly error: typeof TypeError | typeof RangeError;
  readonly shown: string;
}

/** Bad values of an option, from its rule: below the minimum, above the maximum, NaN, wrong types. */
export function badValues(algorithm: AlgorithmName, key: string): BadValue[] {
  const rule = specFor(algorithm).rules[key];
  if (rule === undefined) throw new Error(`${algorithm} has no option ${key}`);
  const out: BadValue[] = [];
  switch (rule.kind) {
    case 'boolean':
      out.push({ label: 'a number', value: 1, error: TypeError, shown: '1' });
      out.push({ label: 'a string', value: 'true', error: TypeError, shown: '"true"' });
      out.push({ label: 'null', value: null, error: TypeError, shown: 'null' });
      break;
    case 'number': {
      if (Number.isFinite(rule.min)) {
        const low = rule.min - 1;
        out.push({
          label: low < 0 ? 'negative' : 'below its minimum',
          value: low,
          error: RangeError,
          shown: String(low),
        });
        out.push({ label: '-Infinity', value: -Infinity, error: RangeError, shown: '-Infinity' });
      }
      if (rule.max !== undefined) {
        const value = rule.maxExclusive ? rule.max : rule.max + 1;
        out.push({ label: 'above its maximum', value, error: RangeError, shown: String(value) });
        out.push({ label: 'Infinity', value: Infinity, error: RangeError, shown: 'Infinity' });
      }
      out.push({ label: 'NaN', value: NaN, error: RangeError, shown: 'NaN' });
      out.push({ label: 'a string', value: '0.1', error: TypeError, shown: '"0.1"' });
      out.push({ label: 'a boolean', value: true, error: TypeError, shown: 'true' });
      out.push({ label: 'null', value: null, error: TypeError, shown: 'null' });
      break;
    }
    case 'pair': {
      const ok = (rule.min + rule.max) / 2;
      out.push({ label: 'a number', value: ok, error: TypeError, shown: String(ok) });
      out.push({ label: 'of one number', value: [ok], error: TypeError, shown: 'an array of length 1' });
      out.push({ label: 'of three numbers', value: [ok, ok, ok], error: TypeError, shown: 'an array of length 3' });
      out.push({ label: 'holding a string', value: [ok, '0.5'], error: TypeError, shown: 'an array of length 2' });
      const low = rule.min - 1;
      out.push({ label: 'first below its minimum', value: [low, ok], error: RangeError, shown: `[${low}, ${ok}]` });
      const high = rule.maxExclusive ? rule.max : rule.max + 1;
      out.push({ label: 'second above its maximum', value: [ok, high], error: RangeError, shown: `[${ok}, ${high}]` });
      out.push({ label: 'holding NaN', value: [NaN, ok], error: RangeError, shown: `[NaN, ${ok}]` });
      break;
    }
  }
  return out;
}

/** A valid value for an option that differs from the flavor's default (for unsupported-option inputs). */
export function otherValue(algorithm: AlgorithmName, flavor: Flavor, key: string): unknown {
  const fallback = flavorSpec(algorithm, flavor).defaults[key];
  const rule = specFor(algorithm).rules[key]!;
  if (rule.kind === 'boolean') return !fallback;
  if (rule.kind === 'pair') return (fallback as number[]).map((x) => x / 2);
  return (fallback as number) + 0.1;
}

/** The options a flavor does not have, each with a value other than its default (which must be refused). */
export function unsupportedInputs(algorithm: AlgorithmName, flavor: Flavor): [string, unknown][] {
  const spec = specFor(algorithm).flavors[flavor];
  if (spec === undefined) return [];
  return spec.unsupported.map((key) => [key, otherValue(algorithm, flavor, key)]);
}

/** A state buffer name of the library that this algorithm does not keep in any flavor. */
export function foreignBuffer(algorithm: AlgorithmName): StateName | undefined {
  const own = new Set(FLAVORS.flatMap((f) => (specFor(algorithm).flavors[f] ? contractStateOf(algorithm, f) : [])));
  const all: StateName[] = [
    'sum',
    'square_avg',
    'momentum_buffer',
    'grad_avg',
    'exp_avg',
    'exp_avg_sq',
    'max_exp_avg_sq',
    'acc_delta',
  ];
  return all.find((name) => !own.has(name));
}

// ---------------------------------------------------------------- configurations

export interface FullConfig {
  readonly algorithm: AlgorithmName;
  readonly flavor: Flavor;
  /** The options. */
  readonly options: Options;
  /** State buffers per parameter under `options` (from the spec). */
  readonly buffers: number;
}

const config = (algorithm: AlgorithmName, flavor: Flavor, options: Options): FullConfig => ({
  algorithm,
  flavor,
  options,
  buffers: buffersOf(algorithm, flavor, options).length,
});

/** For each algorithm and flavor: the options under which it keeps every state buffer it can. */
export function fullConfigs(): FullConfig[] {
  return FLAVOR_CASES.map(({ algorithm, flavor }) => config(algorithm, flavor, flavorRow(algorithm, flavor).full));
}

/** fullConfigs(), then each flavor's defaults and its partial configurations (README "Limits"). */
export function limitConfigs(): FullConfig[] {
  return [
    ...fullConfigs(),
    ...FLAVOR_CASES.flatMap(({ algorithm, flavor }) =>
      [{}, ...(flavorRow(algorithm, flavor).partial ?? [])].map((options) => config(algorithm, flavor, options)),
    ),
  ];
}
