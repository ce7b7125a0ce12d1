// What an optimizer class tells the shared machinery (src/optimizer.ts) about its algorithm:
// options and their rules, per-flavor defaults, state buffers, kernel and record scalars.
// Adding an algorithm means writing one of these, its kernel contract and its kernels.
import type { KernelName } from './backend/kernels.js';
import type { OptionRules } from './options.js';

/** Whose arithmetic to reproduce bit for bit: PyTorch 1.13 (default) or TensorFlow.js 4.22. */
export type Flavor = 'torch' | 'tfjs';
export const FLAVORS: readonly Flavor[] = ['torch', 'tfjs'];

/** State buffer names, PyTorch's own. */
export type StateName =
  | 'sum'
  | 'square_avg'
  | 'momentum_buffer'
  | 'grad_avg'
  | 'exp_avg'
  | 'exp_avg_sq'
  | 'max_exp_avg_sq'
  | 'acc_delta';

/**
 * Per-parameter numbers a flavor keeps beside its buffers, e.g. whether SGD's momentum buffer
 * has started, or TF.js Adam's float32 running beta products. Zero for a fresh parameter.
 */
export type Aux = Float64Array;
export const AUX_LENGTH = 2;

/** State-dict keys of aux numbers a flavor saves (TF.js Adam's running beta products, NAdam's mu_product). */
export type AuxKey = 'acc_beta1' | 'acc_beta2' | 'mu_product';

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
  /**
   * The float32 scalars h0…h7, in record order; a ninth goes in the record's reserved word and
   * more in the state words of buffers the kernel does not name (scripts/gen-contract.mjs).
   */
  readonly scalars: readonly string[];
  /** The state buffers state0…state2, in record order (at most 3): every buffer the kernel may touch. */
  readonly state: readonly StateName[];
  /** The flag bits 1, 2, 4 … of the record's flags word, in order. */
  readonly flags: readonly string[];
}

export type KernelContracts = Readonly<Partial<Record<Flavor, KernelContract>>>;

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
