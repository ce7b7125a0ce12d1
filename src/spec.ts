// What an optimizer class tells the shared machinery (src/optimizer.ts) about its algorithm:
// options and their rules, per-flavor defaults, state buffers, kernel and record scalars.
// Adding an algorithm means writing one of these, its kernel contract and its kernels.
import type { KernelName } from './backend/kernels.js';
import type { OptionRules } from './options.js';
import type { AuxKey, StateName } from './backend/contract.generated.js';

/** Whose arithmetic to reproduce bit for bit: PyTorch 1.13 (default) or TensorFlow.js 4.22. */
export type Flavor = 'torch' | 'tfjs';
export const FLAVORS: readonly Flavor[] = ['torch', 'tfjs'];

/** State buffer names, PyTorch's own: every name some kernel contract declares (generated). */
export type { StateName };

/**
 * Per-parameter numbers a flavor keeps beside its buffers, e.g. whether SGD's momentum buffer
 * has started, or TF.js Adam's float32 running beta products. Zero for a fresh parameter.
 */
export type Aux = Float64Array;
export const AUX_LENGTH = 2;

/**
 * State-dict keys under which flavors save aux numbers (TF.js Adam's running beta products
 * `acc_beta1`, `acc_beta2`): every name some flavor's `auxKeys` lists (generated).
 */
export type { AuxKey };

/**
 * The framework's own names where they differ from this library's, for reading data it wrote
 * (the golden replay): its constructor arguments by option, its weight names by state buffer.
 * Names not listed map to themselves (camelCased, for options).
 */
export interface FrameworkNames {
  readonly options?: Readonly<Record<string, string>>;
  readonly state?: Readonly<Record<string, StateName>>;
}

/** The buffers a loaded state entry must have, and those it may have besides. */
export interface LoadableState {
  readonly required: readonly StateName[];
  readonly optional: readonly StateName[];
}

/**
 * What one kernel reads from a tensor record, by name. Each src/optimizers/<algorithm>.ts exports
 * its contracts as `export const kernels = { torch: …, tfjs: … } as const satisfies KernelContracts`,
 * a plain literal: scripts/gen-contract.mjs reads it to generate the offsets both the
 * AssemblyScript kernels (assembly/contract.generated.ts) and the facade and JS reference
 * kernels (src/backend/contract.generated.ts) use, and the lists of kernels.
 */
export interface KernelContract {
  /** The kernel's export name in assembly/<algorithm>.ts and src/backend/js/<algorithm>.ts. */
  readonly kernel: KernelName;
  /** The float32 scalars h0…h7, in record order (at most 8). */
  readonly scalars: readonly string[];
  /** The state buffers state0…state2, in record order (at most 3): every buffer the kernel may touch. */
  readonly state: readonly StateName[];
  /** The flag bits 1, 2, 4 … of the record's flags word, in order. */
  readonly flags: readonly string[];
}

/**
 * An algorithm's kernels by flavor; `<flavor>Sparse` names a kernel of the framework's own
 * row-sparse arithmetic (PyTorch's sparse Adagrad), used by that flavor's `sparse` path.
 */
export type KernelContracts = Readonly<Partial<Record<Flavor | `${Flavor}Sparse`, KernelContract>>>;

/**
 * How a flavor applies a row-sparse gradient (README "Embeddings"): only the listed rows of the
 * parameter and of its state change, each row stepped with `contract`'s kernel, or with the
 * flavor's dense kernel when there is none (lazy semantics: an unlisted row keeps its state).
 */
export interface SparsePath<O> {
  /** The framework's own sparse arithmetic, when it differs from the dense kernel's. */
  readonly contract?: KernelContract;
  /** Writes `contract`'s record, as FlavorSpec.writeRecord does the dense one (required with it). */
  writeRecord?(f32: Float32Array, u32: Uint32Array, word: number, options: Readonly<O>, step: number, aux: Aux): void;
  /**
   * Why these options refuse a row-sparse gradient (e.g. PyTorch's sparse Adagrad has no weight
   * decay), as "option = value …" text, or null when they accept one.
   */
  refuse?(options: Readonly<O>): string | null;
}

export interface FlavorSpec<O> {
  readonly defaults: Readonly<O>;
  /** Options the framework does not have: they must keep their `defaults` value. */
  readonly unsupported: readonly (keyof O & string)[];
  /** The kernel this flavor calls and its record: one entry of the algorithm's `kernels`. */
  readonly contract: KernelContract;
  /**
   * The state buffers PyTorch (or TF.js) keeps for these options, in state-dict order: all the
   * kernel touches. Must return one of a few constant arrays (no allocation).
   */
  buffers(options: Readonly<O>): readonly StateName[];
  /**
   * The buffers the state dict shows when that depends on history (SGD's momentum buffer exists
   * only from its first momentum step); by default `buffers(options)`.
   */
  shownState?(options: Readonly<O>, aux: Aux): readonly StateName[];
  /** The value a fresh state buffer is filled with. */
  initialValue(name: StateName, options: Readonly<O>): number;
  /**
   * Writes the record's flags word and float32 scalars for one tensor taking its `step`-th
   * step (1-based), and advances `aux` if the flavor keeps any. `word` is the record's index in
   * 32-bit words. Runs inside step(): must not allocate.
   */
  writeRecord(f32: Float32Array, u32: Uint32Array, word: number, options: Readonly<O>, step: number, aux: Aux): void;
  /** How a row-sparse gradient is applied; absent: the flavor takes dense gradients only. */
  readonly sparse?: SparsePath<O>;
  /** A rule across options (e.g. Nesterov needs momentum): the message, or null when valid. */
  crossCheck?(options: Readonly<O>): string | null;
  /** What loadStateDict accepts; by default exactly `buffers(options)`. */
  loadable?(options: Readonly<O>): LoadableState;
  /**
   * Keys under which the state dict saves `aux[0]`, `aux[1]` … (so a resumed run continues
   * exactly even after an option they depend on changed); without them on load, restoreAux.
   */
  readonly auxKeys?: readonly AuxKey[];
  /** Whether the state shows `step` (default true; PyTorch's SGD keeps none, TF.js counts iterations). */
  readonly stepInState?: boolean;
  /** TF.js's (or PyTorch's) names for options and state where they differ from ours. */
  readonly frameworkNames?: FrameworkNames;
  /** Rebuilds `aux` for a parameter loaded with `step` steps and the buffers `has` tells of. */
  restoreAux?(aux: Aux, options: Readonly<O>, step: number, has: (name: StateName) => boolean): void;
}

export interface AlgorithmSpec<O> {
  /** Class name, PyTorch's capitalisation; prefixes error messages. */
  readonly name: string;
  readonly rules: OptionRules<O>;
  readonly flavors: Readonly<Partial<Record<Flavor, FlavorSpec<O>>>>;
  /** PyTorch creates Adagrad's state in the constructor, the others' at the first step. */
  readonly stateAtConstruction: boolean;
}
