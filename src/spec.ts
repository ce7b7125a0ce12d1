// What an optimizer class tells the shared machinery (src/optimizer.ts) about its algorithm:
// options and their rules, per-flavor defaults, state buffers, kernel and record scalars.
// Adding an algorithm means writing one of these and one kernel; nothing else changes.
import type { KernelName } from './backend/kernels.js';
import type { OptionRules } from './options.js';

/** Whose arithmetic to reproduce bit for bit: PyTorch 1.13 (default) or TensorFlow.js 4.22. */
export type Flavor = 'torch' | 'tfjs';
export const FLAVORS: readonly Flavor[] = ['torch', 'tfjs'];

/** State buffer names, PyTorch's own. */
export type StateName = 'sum' | 'square_avg' | 'momentum_buffer' | 'grad_avg';

/** Record slot (state0, state1, state2) of each state buffer. */
export const STATE_SLOT: Readonly<Record<StateName, 0 | 1 | 2>> = {
  sum: 0,
  square_avg: 0,
  momentum_buffer: 1,
  grad_avg: 2,
};

export interface FlavorSpec<O> {
  readonly defaults: Readonly<O>;
  /** Options the framework does not have: they must keep their `defaults` value. */
  readonly unsupported: readonly (keyof O & string)[];
  readonly kernel: KernelName;
  /**
   * The state buffers PyTorch (or TF.js) keeps for these options, in state-dict order.
   * Must return one of a few constant arrays: it runs inside step() and must not allocate.
   */
  stateNames(options: Readonly<O>): readonly StateName[];
  /** The value a fresh state buffer is filled with. */
  initialValue(name: StateName, options: Readonly<O>): number;
  /**
   * Writes the record's flags word and float32 scalars for one tensor taking its `step`-th
   * step (1-based). `word` is the record's index in 32-bit words.
   */
  writeRecord(f32: Float32Array, u32: Uint32Array, word: number, options: Readonly<O>, step: number): void;
}

export interface AlgorithmSpec<O> {
  /** Class name, PyTorch's capitalisation; prefixes error messages. */
  readonly name: string;
  readonly rules: OptionRules<O>;
  readonly flavors: Readonly<Record<Flavor, FlavorSpec<O>>>;
  /** PyTorch creates Adagrad's state in the constructor, the others' at the first step. */
  readonly stateAtConstruction: boolean;
}
