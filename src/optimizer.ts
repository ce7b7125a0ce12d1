// The machinery every optimizer shares: parameter groups in linear memory, validation before
// any mutation, one kernel call per step, and a PyTorch-layout state dict. The algorithms
// themselves are described by an AlgorithmSpec (src/optimizers/*.ts) and a kernel.
import { ArenaFullError, MAX_MEMORY_BYTES, allocationSize, type Arena } from './backend/arena.js';
import type { GradOps, Kernel, SparseExpander } from './backend/kernels.js';
import {
  type ClipGradNormOptions,
  type ClipNormRead,
  type GradReduction,
  type GradSelection,
  clipCoefficient,
  generalNorm,
  normKind,
  GRAD_NORM_KEYS,
  readClipNormOptions,
  stepScaled,
} from './gradients.js';
import {
  DESCRIPTOR_BYTES,
  DESC_COUNT,
  DESC_INDICES,
  DESC_MAP,
  DESC_NEGATED,
  DESC_ROW_BYTES,
  DESC_STATES,
  DESC_TEMPLATE,
  DESC_UNIQUE,
  DESC_VALUES,
} from './backend/js/sparse.js';
import {
  createBackend,
  type Backend,
  type BackendChoice,
  type BackendName,
  BACKEND_NAMES,
  type FmaKind,
} from './backend/index.js';
import { RECORD_BYTES, REC_COUNT, REC_GRAD, REC_PARAM, REC_STATE0, recordWord } from './backend/record.js';
import { describe, rangeError, typeError } from './errors.js';
import {
  checkOption,
  checkOptions,
  readOptionsObject,
  copyArray,
  optionLabel,
  readOptionValue,
  readOwnOptions,
  storedOption,
  type OptionPlace,
  type OptionRule,
} from './options.js';
import { DROP_IN_SCRATCH_BYTES, DROP_IN_TILE, stepTiles, tileParamOffset } from './drop-in-tiles.js';
import { ParamHandle } from './param.js';
import {
  AUX_LENGTH,
  FLAVORS,
  type AlgorithmSpec,
  type Aux,
  type AuxKey,
  type Flavor,
  type FlavorSpec,
  type LoadableState,
  type StateName,
} from './spec.js';
import {
  bufferLength,
  checkStateKey,
  readEntry,
  readStateDict,
  type BufferSnapshot,
  type EntrySnapshot,
} from './state-input.js';
import { firstOverlap, isDetached, isFloat32Array, typedLength, typedRange } from './typed.js';
import {
  MAX_ROWS,
  checkRows,
  isRowParamObject,
  isSparseGradObject,
  readRowParam,
  readSparseGrad,
  type RowParamInit,
  type SparseGrad,
  type SparseGradInput,
} from './sparse-grad.js';

/**
 * A parameter given to an optimizer: your array (drop-in), a length for a zeroed one, or either
 * declared as rows × width (`{ data, rows }`, an embedding table) to take row-sparse gradients.
 */
export type ParamInit = Float32Array | number | RowParamInit;

/**
 * @internal How a scheduler reads and sets a param group's lr and momentum without allocating: a
 * group's accessors take and return a double through a call V8 does not inline, which boxes it (a
 * 16-byte HeapNumber) at each read and each assignment. `group[RAW_GROUP]` (not enumerable) holds
 * the group's live options, read directly, and `set(key)`, which assigns OPTION_VALUE[0] to the
 * option exactly as `group[key] = OPTION_VALUE[0]` would (same checks, same errors, the same
 * state buffers allocated), passing no double through a call.
 */
export const RAW_GROUP: unique symbol = Symbol('wasm-optim.rawGroup');

class GroupOptions {}

/** @internal The value RawGroup.set assigns. */
export const OPTION_VALUE = new Float64Array(1);

/** @internal See {@link RAW_GROUP}. */
export interface RawGroup {
  readonly options: { readonly lr: number; readonly momentum?: number };
  set(key: 'lr' | 'momentum'): void;
}

/** A PyTorch-style parameter group: its parameters plus options overriding the defaults. */
export type ParamGroupInit<O = Record<string, unknown>> = {
  /** The group's parameters, as the constructor's first argument takes them. */
  params: readonly ParamInit[];
} & Partial<O>;

/** Options of the constructor: the algorithm's hyperparameters plus flavor and backend. */
export type OptimizerOptions<O = Record<string, unknown>> = Partial<O> & {
  /** Whose arithmetic to reproduce: `'torch'` (default) or `'tfjs'`. Also picks the defaults. */
  flavor?: Flavor;
  /** `'auto'` (default): SIMD Wasm if the engine validates it, else scalar Wasm, else JS. */
  backend?: BackendChoice;
  /**
   * Skip a step whose gradients hold NaN or ±Infinity (optax's apply_if_finite, what PyTorch's
   * GradScaler does): parameters, state and step counts stay as they were, `step()` returns
   * false and `skippedSteps` counts it. The check is one read of the gradients, shared with a
   * clipGradNorm or unscaleGrad of the same step. Default false. Also settable later.
   */
  skipNonFinite?: boolean;
};

/**
 * A live parameter group: change its options (e.g. `lr`) between steps. Each assignment is
 * validated on the spot (an invalid value throws and changes nothing); switching on an option
 * that needs a new state buffer (e.g. `momentum`) allocates it, which may grow the memory.
 */
export type ParamGroup<O = Record<string, unknown>> = O & {
  /** The group's parameters (the same handles as in `optimizer.params`). */
  readonly params: readonly ParamHandle[];
};

/**
 * One parameter's optimizer state, PyTorch's names (`step`, `sum`, `square_avg`, …). `step` is
 * absent where PyTorch keeps none (SGD).
 */
export type ParamState = {
  /** Steps taken (a float in PyTorch's layout, a number here). */
  step?: number;
} & Partial<Record<StateName, Float32Array>> &
  Partial<Record<AuxKey, number>>;

/**
 * The state dict, PyTorch's layout: state by parameter index, groups listing indices, plus the
 * flavor whose arithmetic the state belongs to (loadStateDict refuses a dict of another flavor).
 */
export interface StateDict<O = Record<string, unknown>> {
  /** Each parameter's state, by its index in `optimizer.params` (absent: no state yet). */
  state: Record<number, ParamState>;
  /** Each group's options, with its parameters as indices. */
  param_groups: Array<
    O & {
      /** Indices of the group's parameters in `optimizer.params`. */
      params: number[];
    }
  >;
  /** Whose arithmetic the state belongs to. */
  flavor: Flavor;
}

/**
 * A buffer as loadStateDict accepts it: a Float32Array, any array of numbers, or what
 * `JSON.stringify` makes of a Float32Array (an object with keys "0" … "n-1").
 */
export type BufferInput = ArrayLike<number> | Readonly<Record<string, number>>;

/**
 * The state dict accepted by loadStateDict: stateDict()'s output, a PyTorch-layout dict whose
 * buffers are arrays of numbers, or either after a plain JSON round trip. Without `flavor` it
 * is taken to be of this optimizer's flavor.
 */
export interface StateDictInput<O = Record<string, unknown>> {
  /** Each parameter's state by index; buffers in any {@link BufferInput} form. */
  state: Record<
    number,
    {
      /** Steps taken. */
      step?: number;
    } & Partial<Record<StateName, BufferInput>> &
      Partial<Record<AuxKey, number>>
  >;
  /** Each group's options (missing ones keep the optimizer's) and its parameters' indices. */
  param_groups: ReadonlyArray<
    Partial<O> & {
      /** Indices of the group's parameters. */
      params: readonly number[];
    }
  >;
  /** Whose arithmetic the state belongs to; default: the optimizer's flavor. */
  flavor?: Flavor;
}

/** Per-parameter bookkeeping: where it lives, its user array, its state. */
interface Slot {
  readonly handle: ParamHandle;
  /** The user's array for drop-in steps; null for a parameter created from a length. */
  readonly source: Float32Array | null;
  /** Byte offsets of state buffers by record slot; 0 = not allocated yet. */
  readonly stateOffsets: [number, number, number];
  step: number;
  /** The flavor's per-parameter numbers (see Aux in src/spec.ts). */
  readonly aux: Aux;
  /**
   * Which record slots hold a live buffer. A buffer stays live once created, even when the
   * option that needs it is switched off, as in PyTorch's state; a load makes live exactly the
   * buffers it brings.
   */
  readonly live: [boolean, boolean, boolean];
  /** Whether the parameter has state to show: it has stepped, or its state was loaded. */
  hasState: boolean;
  /**
   * The user's array (`source`) holds the parameter and the memory's copy is behind it: a tiled
   * drop-in step (drop-in-tiles.ts) wrote the array only. #refreshMirror brings the memory up to
   * date before anything reads it there (a zero-copy step, `params[i].data`).
   */
  arrayAhead: boolean;
  /**
   * The value each state buffer is known to hold everywhere while the parameter has no state
   * (fresh memory: +0; a buffer just filled: its initial value); null when unknown (loaded).
   * Refilling a buffer that already holds its value is skipped: for a large parameter that
   * never stepped, those are gigabytes of page faults saved on load or on an option change.
   */
  readonly filledWith: [number | null, number | null, number | null];
  /** Rows the parameter was declared with (`{ data, rows }`); 0 for a plain parameter. */
  readonly rows: number;
  /** Elements per row: length / rows (0 for a plain parameter). */
  readonly width: number;
  /** Byte offset of its row map: one u32 per row, all 0 between steps (assembly/sparse.ts). */
  readonly mapOffset: number;
  /** Where sparse gradients are staged (indices, values) and for how many indices; 0: none yet. */
  stagedIndices: number;
  stagedValues: number;
  stagedCapacity: number;
  /** Indices staged by params[i].sparseGrad(n) for the next step(); −1: none. */
  pendingRows: number;
  /** The indices view sparseGrad(n) returned last: step() refuses it once detached. */
  stagedView: Int32Array | null;
  /** During a step: the parameter's sparse descriptor, or −1 when its gradient is dense. */
  descriptor: number;
  /**
   * During a step, from the checks on: how many row indices its sparse gradient lists (repeats
   * included), or −1 when its gradient is dense or null.
   */
  stepRows: number;
  /** Whether accumulateGrad gave it a gradient since the last step or zeroGrad. */
  accumulated: boolean;
  /**
   * The scaling its gradient in memory still owes, x ← fl(fl(x / gradDiv) · gradMul), float32
   * factors, 1 when none: a mean over accumulated gradients (gradDiv) and a clipping coefficient
   * (gradMul). The next step applies it tile by tile; a gradient method applies it first.
   */
  gradDiv: number;
  gradMul: number;
  /** What a check since the last change of its gradient found: 1 finite, −1 not, 0 unknown. */
  gradFinite: number;
}

const SETTING_KEYS = ['flavor', 'backend', 'skipNonFinite'] as const;
const OPTION: OptionPlace = { prefix: 'option ', index: -1 };

/** A param group as the constructor or addParamGroup received it, read once. */
interface GroupInput {
  readonly params: readonly ParamInit[];
  /** The options it gives (own, defined, read once; pairs copied). */
  readonly options: Record<string, unknown>;
}

/**
 * The base of every optimizer (`Adagrad`, `RMSprop`, `SGD`, `Momentum`, `Adam`, `AdamW`,
 * `Adadelta`, `Adamax`, `NAdam`, `RAdam`): PyTorch-style param groups, a state dict, and one
 * kernel call per step over all parameters, which live in one memory the optimizer owns (at
 * most 4 GiB; see README "Limits").
 *
 * - `step(grads)` copies your arrays in and out (drop-in); `step()` works on `params[i].data` and
 *   `params[i].grad` in place (zero-copy). Neither allocates.
 * - Every call that can fail validates everything first: on error nothing has changed.
 * - `flavor` picks whose arithmetic is reproduced bit for bit (PyTorch 1.13 or TF.js 4.22), and
 *   `backend` which kernels run it; all backends give the same bits.
 * - `dispose()` releases the memory; dispose optimizers you are done with.
 *
 * @typeParam O - the algorithm's options, every one resolved (e.g. `Required<AdamOptions>`).
 */
export abstract class Optimizer<O extends object = Record<string, unknown>> {
  /** The backend running the kernels: `'simd'`, `'wasm'` or `'js'`. */
  readonly backend: BackendName;
  /**
   * How the torch flavor's fused multiply-adds run: `'hardware'` when the SIMD backend found the
   * engine's relaxed-SIMD multiply-add fused (the CPU's FMA instruction: Chrome 114+, Node 22+,
   * Node 20 with --experimental-wasm-relaxed-simd, on x86 with FMA3 or ARM64), else
   * `'emulated'` (exact float64 emulation). The results are the same bits either way.
   */
  readonly fma: FmaKind;
  /** Whose arithmetic this optimizer reproduces. */
  readonly flavor: Flavor;
  /**
   * The parameter groups, frozen (add with addParamGroup); each group's options may be
   * changed between steps.
   */
  get paramGroups(): readonly ParamGroup<O>[] {
    this.#checkAlive('paramGroups');
    return this.#paramGroups;
  }
  /** The defaults for groups added later: the flavor's defaults overridden by the constructor's. */
  readonly defaults: Readonly<O>;

  readonly #spec: AlgorithmSpec<O>;
  readonly #optionKeys: readonly (keyof O & string)[];
  /** The algorithm's buffer names in PyTorch's state order. */
  readonly #stateOrder: readonly StateName[];
  readonly #flavorSpec: FlavorSpec<O>;
  /** The flavor's kernel; replaced by one that throws after dispose(). */
  #kernel: Kernel;
  /** The kernels' memory; null after dispose(), so that the engine can free it. */
  #arena: Arena | null = null;
  readonly #slots: Slot[] = [];
  #paramGroups: readonly ParamGroup<O>[] = Object.freeze([]);
  /** The handles of #slots, frozen; replaced (not mutated) when a group is added. */
  #handles: readonly ParamHandle[] = Object.freeze([]);
  /** The option values of each slot's group (the store behind its accessors), parallel to #slots. */
  readonly #slotOptions: O[] = [];
  /** The option values behind each of paramGroups, parallel to it. */
  readonly #groupOptions: O[] = [];
  /** Where a tiled drop-in step stages its tiles (DROP_IN_SCRATCH_BYTES); 0 until the first one. */
  #tileScratch = 0;
  /** Views of the scratch's parameter tile by length, for the memory buffer they were made on. */
  readonly #scratchViews = new Map<number, Float32Array>();
  #scratchViewsBuffer: ArrayBufferLike | null = null;
  /**
   * The slots the current step steps tile by tile (drop-in-tiles.ts), its first entries: never
   * truncated (`length = 0` would drop its backing store, a new one per step).
   */
  readonly #tiledSlots: number[] = [];
  /** step(grads)'s gradients, each read once from the caller's array (allocated per parameter, not per step). */
  readonly #gradScratch: (Float32Array | SparseGradInput | null)[] = [];
  /** The kernel that steps a row-sparse gradient's rows: the flavor's sparse twin, or its own. */
  #sparseKernel: Kernel;
  /** Sparse bookkeeping of a step: `#sparseCapacity` template records, then as many descriptors. */
  #sparseMeta = 0;
  #sparseCapacity = 0;
  /** Row-sparse gradients to row records (assembly/sparse.ts); replaced after dispose(). */
  #expandSparseRows: SparseExpander;
  #table = 0;
  #tableCapacity = 0;
  /** True after a zero-copy step: memory holds newer values than the users' arrays. */
  #memoryAhead = false;
  /** Norms, checks and scalings of the gradients (assembly/grads.ts); replaced after dispose(). */
  #gradOps: GradOps;
  /** Scratch of the gradient methods: a tile record, then one float32 norm per parameter. */
  #gradArea = 0;
  #gradAreaSlots = -1;
  /** Each slot's current options, for #stateBytes (one function, not a closure per call). */
  readonly #currentOptions = (i: number): O => this.#slotOptions[i]!;
  /** The slots a gradient method acts on (#gradSlots), reused. */
  readonly #gradList: number[] = [];
  /** clipGradNorm's options as last read (readClipNormOptions), reused. */
  readonly #clipRead: ClipNormRead<ParamHandle> = {
    maxNorm: 0,
    normType: 2,
    errorIfNonfinite: false,
    params: undefined,
  };
  /** The slot of each dense record of a step, for the tiled scaling. */
  readonly #recordSlots: number[] = [];
  /** Micro-batches accumulateGrad added since the last step or zeroGrad, and how they combine. */
  #accumulated = 0;
  #reduction: GradReduction = 'sum';
  /** accumulateGrad took your arrays: the next step() reads and writes your parameter arrays. */
  #gradsFromArrays = false;
  /** The mean of accumulateGrad's micro-batches is pending in the slots' gradDiv (or applied). */
  #meanSettled = false;
  /** clipGradNorm, clipGradValue or unscaleGrad ran since the last step: accumulation is over. */
  #gradsTransformed = false;
  #skipNonFinite = false;
  #skippedSteps = 0;

  protected constructor(
    spec: AlgorithmSpec<O>,
    params: readonly ParamInit[] | readonly ParamGroupInit<O>[],
    options: OptimizerOptions<O> = {},
  ) {
    this.#spec = spec;
    this.#optionKeys = Object.keys(spec.rules) as (keyof O & string)[];
    const owner = spec.name;
    if (options === null || typeof options !== 'object') {
      throw typeError(owner, `options must be an object, got ${describe(options)}`);
    }
    // Every option is read once, here; everything below works on this copy.
    const given = readOwnOptions(owner, spec.rules, options, SETTING_KEYS, '');
    const flavor = (given['flavor'] === undefined ? 'torch' : given['flavor']) as Flavor;
    if (!FLAVORS.includes(flavor)) {
      throw rangeError(
        owner,
        `unknown flavor ${describe(flavor)} (expected one of ${FLAVORS.map((f) => `'${f}'`).join(', ')})`,
      );
    }
    const backendChoice = (given['backend'] === undefined ? 'auto' : given['backend']) as BackendChoice;
    const skipNonFinite = given['skipNonFinite'] === undefined ? false : given['skipNonFinite'];
    if (typeof skipNonFinite !== 'boolean') {
      throw typeError(owner, `option skipNonFinite must be a boolean, got ${describe(skipNonFinite)}`);
    }
    this.#skipNonFinite = skipNonFinite;
    if (backendChoice !== 'auto' && !BACKEND_NAMES.includes(backendChoice)) {
      throw rangeError(owner, `unknown backend ${describe(backendChoice)} (expected 'auto', 'simd', 'wasm' or 'js')`);
    }
    this.flavor = flavor;
    const flavorSpec = spec.flavors[flavor];
    if (flavorSpec === undefined) {
      throw rangeError(
        owner,
        `flavor '${flavor}' is not available: the framework has no ${owner} (available: ${Object.keys(spec.flavors)
          .map((f) => `'${f}'`)
          .join(', ')})`,
      );
    }
    this.#flavorSpec = flavorSpec;
    this.#stateOrder = flavorSpec.contract.state;
    const defaults = { ...this.#flavorSpec.defaults } as O;
    for (const key of this.#optionKeys) {
      if (given[key] !== undefined) defaults[key] = given[key] as O[typeof key];
    }
    this.#checkGroupOptions(defaults, OPTION);
    this.#storeOptions(defaults);
    this.defaults = Object.freeze(defaults);

    const groups = this.#readGroups(params);
    groups.forEach((group, i) => this.#checkGroupInit(group, `param group ${i}: `, groups.slice(0, i)));

    let impl: Backend;
    try {
      impl = createBackend(backendChoice);
    } catch (error) {
      if (error instanceof RangeError) throw new RangeError(`${owner}: ${error.message}`);
      throw new Error(`${owner}: ${(error as Error).message}`);
    }
    this.#arena = impl.arena;
    this.#kernel = impl.kernels[flavorSpec.contract.kernel];
    this.#sparseKernel = impl.kernels[flavorSpec.sparse?.contract?.kernel ?? flavorSpec.contract.kernel];
    this.#expandSparseRows = impl.expandSparseRows;
    this.#gradOps = impl.grads;
    this.backend = impl.name;
    this.fma = impl.fma;
    // One reservation for every group, so a constructor that cannot fit fails before any
    // parameter is placed (and with the size of the whole request in its message).
    const newOptions = groups.map((group) => this.#groupOptionsOf(group));
    this.#reserve(this.#groupsBytes(groups, newOptions), describeRequest(groups), 'the constructor', true);
    groups.forEach((group, g) => this.#addGroup(group, newOptions[g]!));
  }

  /**
   * Size of this optimizer's linear memory in bytes (params, grads, state; grows as needed);
   * 0 after dispose(). At most 4 GiB (see README "Limits").
   */
  get memoryBytes(): number {
    return this.#arena === null ? 0 : this.#arena.memory.buffer.byteLength;
  }

  /** All parameters, in order: their `data`/`grad` views are the zero-copy interface. */
  get params(): readonly ParamHandle[] {
    this.#checkAlive('params');
    return this.#handles;
  }

  /** Whether dispose() has been called. */
  get disposed(): boolean {
    return this.#arena === null;
  }

  /**
   * Releases the optimizer's memory (parameters, gradients and state) and kernel instance. Every
   * later call (`step`, `stateDict`, `addParamGroup`, `params`, a handle's `data`, …) throws;
   * calling dispose() again does nothing. Your own parameter arrays are not touched: after a
   * zero-copy `step()` they are older than the memory, so save `stateDict()` or copy
   * `params[i].data` first if you need them.
   *
   * Each WebAssembly memory reserves address space: a process can hold about 13,000 live
   * optimizers (README "Limits"); dispose() the ones you are done with.
   */
  dispose(): void {
    if (this.#arena === null) return;
    this.#arena.release();
    this.#arena = null;
    // Drop what refers to the memory: the kernel instance (it imports the memory).
    this.#kernel = disposedKernel;
    this.#sparseKernel = disposedKernel;
    this.#expandSparseRows = disposedKernel as () => number;
    this.#gradOps = DISPOSED_GRAD_OPS;
    this.#gradScratch.fill(null);
  }

  /**
   * Adds a parameter group (PyTorch's `add_param_group`). Options it omits come from the
   * optimizer's `defaults`. May grow the memory: re-read `data`/`grad` of earlier handles.
   * Atomic: if it throws (invalid input, or the memory cannot hold the group), the optimizer
   * is exactly as before.
   */
  addParamGroup(group: ParamGroupInit<O>): void {
    this.#checkAlive('addParamGroup');
    const owner = this.#spec.name;
    if (!isGroupObject(group)) {
      throw typeError(
        owner,
        `addParamGroup: the group must be an object { params, ...options }, got ${describe(group)}`,
      );
    }
    const input = this.#readGroup(group, 'addParamGroup: ');
    this.#checkGroupInit(input, 'addParamGroup: ', []);
    const options = this.#groupOptionsOf(input);
    this.#reserve(this.#groupsBytes([input], [options]), describeRequest([input]), 'addParamGroup', true);
    this.#addGroup(input, options);
  }

  /**
   * Performs one optimization step on every parameter.
   *
   * - `step(grads)`, drop-in: `grads[i]` is the gradient of parameter i (a Float32Array of its
   *   length, or null to skip it as PyTorch skips a parameter whose grad is None). Your
   *   parameter arrays are read before and written after the step.
   * - A parameter declared with rows (`{ data, rows }`) also takes a row-sparse gradient
   *   `{ indices, values }` (SparseGrad): only the listed rows, and their state, are stepped
   *   (README "Embeddings"); repeated rows are summed first. Which algorithms take one, and
   *   their exact semantics, are in README "Embeddings".
   * - `step()`, zero-copy: reads each `params[i].grad` in place (or the rows staged by
   *   `params[i].sparseGrad(n)`) and updates `params[i].data`; nothing is copied. Your own
   *   arrays are brought up to date by the next drop-in step.
   * - `step()` after `accumulateGrad`, `clipGradNorm`, `clipGradValue` or `unscaleGrad` steps on
   *   the gradients those left in memory (README "Training loop"), applying a pending mean or
   *   clipping coefficient on the way; after accumulateGrad it steps only the parameters that
   *   received a gradient, and reads and writes your parameter arrays like a drop-in step.
   *
   * Returns true; false when `skipNonFinite` is set and a gradient held NaN or ±Infinity, so the
   * step was skipped (nothing changed; `skippedSteps` counts it).
   *
   * Throws (leaving parameters and state untouched) on invalid gradients, on step(grads) while
   * gradients prepared in memory by the methods above wait for step(), or when one of your
   * parameter arrays no longer has its length (its buffer was detached or resized). Allocates
   * nothing, except that a row-sparse step touching more rows than any before may grow the
   * memory (its record table and staging area; re-read `data`/`grad` views after it).
   */
  step(grads?: readonly (Float32Array | SparseGrad | null | undefined)[]): boolean {
    const arena = this.#arena;
    if (arena === null) throw this.#disposedError('step');
    const slots = this.#slots;
    const scratch = this.#gradScratch;
    const dropIn = grads !== undefined;
    // A gradient method prepared the gradients in memory: step(grads) would overwrite them.
    const prepared = this.#accumulated > 0 || this.#gradsTransformed;
    if (dropIn && prepared) {
      throw typeError(
        this.#spec.name,
        'step(grads): the gradients in memory were prepared by accumulateGrad, clipGradNorm, clipGradValue or ' +
          'unscaleGrad and wait for step() without arguments, which applies them; step(grads) would overwrite ' +
          'them (call zeroGrad() first to drop them)',
      );
    }
    // Options were validated when set (see #makeGroup), so only the gradients remain to check.
    // Each gradient is read once, into scratch: the rest of the step never reads `grads`.
    const sparseCount = dropIn ? this.#readGrads(grads) : this.#checkStaged();
    // A zero-copy step reads the memory: bring up to date what a tiled drop-in step left behind.
    if (!dropIn) this.#refreshMirrors('step()');
    if (prepared) this.#checkPrepared(sparseCount);
    // Accumulated gradients: only the parameters accumulateGrad gave one step, as with null.
    const accumulated = this.#accumulated > 0;
    const syncArrays = dropIn || this.#gradsFromArrays;
    if (syncArrays && !dropIn) this.#checkSources('step()');
    // Room for the sparse gradients' rows, or a RangeError here, before anything changed.
    if (sparseCount > 0) this.#prepareSparse(dropIn, sparseCount);
    // The dense gradients go into memory first when they are to be checked there.
    this.#settleMean();
    const checkFinite = this.#skipNonFinite && !this.#knownFinite(dropIn, accumulated);
    if (checkFinite && dropIn) this.#copyDenseGrads();
    if (checkFinite && !this.#gradsFinite(dropIn, accumulated)) {
      this.#skippedSteps++;
      this.#endStep(dropIn);
      return false;
    }

    // Dense gradients longer than a tile step through the scratch, tile by tile, straight
    // between your arrays and the kernel (drop-in-tiles.ts); the others as one batch.
    const tiled = this.#tiledSlots;
    let tiledCount = 0;
    if (dropIn && !checkFinite) {
      for (let i = 0; i < slots.length; i++) {
        const slot = slots[i]!;
        if (scratch[i] !== null && slot.stepRows < 0 && slot.handle.length > DROP_IN_TILE) tiled[tiledCount++] = i;
      }
      if (tiledCount > 0 && !this.#ensureTileScratch()) tiledCount = 0;
      // After a zero-copy step the memory is ahead of your arrays: the tiles read your arrays.
      if (this.#memoryAhead) {
        for (let k = 0; k < tiledCount; k++) slots[tiled[k]!]!.source?.set(slots[tiled[k]!]!.handle.data);
      }
    }

    const f32 = arena.f32;
    const u32 = arena.u32;
    const flavorSpec = this.#flavorSpec;
    const sparsePath = flavorSpec.sparse;
    const writeSparseRecord = sparsePath?.writeRecord ?? flavorSpec.writeRecord;
    const sparseStates = (sparsePath?.contract ?? flavorSpec.contract).state.length;
    const recordSlots = this.#recordSlots;
    let count = 0;
    let sparse = 0;
    let scaled = false;
    let nextTiled = 0;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      const handle = slot.handle;
      const grad = dropIn ? scratch[i]! : null;
      if (dropIn ? grad === null : accumulated && !slot.accumulated) continue;
      const rows = slot.stepRows;
      slot.step += 1;
      slot.hasState = true;
      if (nextTiled < tiledCount && tiled[nextTiled] === i) {
        nextTiled++;
        continue;
      }
      if (rows < 0) {
        // Byte offsets reach 2^32 - 1: unsigned shifts (>>>) only, here and in the kernels.
        if (syncArrays && slot.source !== null && !this.#memoryAhead) {
          f32.set(slot.source, handle.dataOffset >>> 2);
          slot.arrayAhead = false;
        }
        if (dropIn && !checkFinite) f32.set(grad as Float32Array, handle.gradOffset >>> 2);
        const word = recordWord(this.#table, count);
        this.#writePointers(u32, word, slot, handle.length);
        flavorSpec.writeRecord(f32, u32, word, this.#slotOptions[i]!, slot.step, slot.aux);
        recordSlots[count] = i;
        if (slot.gradDiv !== 1 || slot.gradMul !== 1) scaled = true;
        count++;
        continue;
      }
      if (dropIn) {
        const given = grad as SparseGradInput;
        u32.set(given.indices, slot.stagedIndices >>> 2);
        f32.set(given.values, slot.stagedValues >>> 2);
      }
      const template = recordWord(this.#sparseMeta, sparse);
      this.#writePointers(u32, template, slot, slot.width);
      writeSparseRecord(f32, u32, template, this.#slotOptions[i]!, slot.step, slot.aux);
      const desc = (this.#sparseMeta + this.#sparseCapacity * RECORD_BYTES + sparse * DESCRIPTOR_BYTES) >>> 2;
      u32[desc + DESC_TEMPLATE] = template * 4;
      u32[desc + DESC_INDICES] = slot.stagedIndices;
      u32[desc + DESC_COUNT] = rows;
      u32[desc + DESC_VALUES] = slot.stagedValues;
      u32[desc + DESC_MAP] = slot.mapOffset;
      u32[desc + DESC_ROW_BYTES] = slot.width * 4;
      // PyTorch negates a maximized gradient before summing repeated rows (assembly/sparse.ts).
      const maximize = (this.#slotOptions[i] as { maximize?: unknown }).maximize === true;
      u32[desc + DESC_STATES] = sparseStates | (maximize ? DESC_NEGATED : 0);
      slot.descriptor = sparse;
      sparse++;
    }
    let rowRecords = 0;
    if (sparse > 0) {
      const descs = this.#sparseMeta + this.#sparseCapacity * RECORD_BYTES;
      rowRecords = this.#expandSparseRows(descs, sparse, this.#table + count * RECORD_BYTES);
      // A drop-in step reads your arrays' listed rows only (the others are not stepped).
      if (dropIn && !this.#memoryAhead) this.#copyListedRows(true);
    }
    if (scaled) {
      // A pending mean or clipping coefficient (never with sparse gradients: #checkPrepared).
      this.#runScaled(count);
    } else if (this.#sparseKernel === this.#kernel) {
      this.#kernel(this.#table, count + rowRecords);
    } else {
      this.#kernel(this.#table, count);
      if (rowRecords > 0) this.#sparseKernel(this.#table + count * RECORD_BYTES, rowRecords);
    }

    for (let k = 0; k < tiledCount; k++) this.#stepTiled(tiled[k]!);

    if (syncArrays) {
      if (sparse > 0 && !this.#memoryAhead) this.#copyListedRows(false);
      for (let i = 0; i < slots.length; i++) {
        const slot = slots[i]!;
        const stepped = dropIn ? scratch[i] !== null : !accumulated || slot.accumulated;
        // Keep no reference to the caller's gradients past the step (cleared here rather than
        // with scratch.fill(null): that builtin call alone cost ~15 ns per step).
        scratch[i] = null;
        const sparseStep = slot.descriptor >= 0;
        slot.descriptor = -1;
        slot.pendingRows = -1; // a drop-in step replaces any zero-copy sparse gradient staged
        if (slot.source === null) continue;
        if (slot.arrayAhead) continue; // stepped tile by tile: your array has it, the memory not
        if (!stepped && !this.#memoryAhead) continue;
        if (sparseStep && !this.#memoryAhead) continue; // its listed rows are copied out above
        slot.source.set(slot.handle.data);
      }
      this.#memoryAhead = false;
    } else {
      for (let i = 0; i < slots.length; i++) {
        slots[i]!.descriptor = -1;
        slots[i]!.pendingRows = -1;
      }
      this.#memoryAhead = true;
    }
    if (prepared || checkFinite) this.#resetGradState();
    return true;
  }

  /**
   * Skip steps whose gradients hold NaN or ±Infinity (see the constructor option). Assigning a
   * non-boolean throws.
   */
  get skipNonFinite(): boolean {
    return this.#skipNonFinite;
  }
  /** Switches skipping on or off from the next step; a non-boolean throws. */
  set skipNonFinite(value: boolean) {
    if (typeof value !== 'boolean') {
      throw typeError(this.#spec.name, `skipNonFinite must be a boolean, got ${describe(value)}`);
    }
    this.#skipNonFinite = value;
  }

  /** How many steps skipNonFinite skipped so far. */
  get skippedSteps(): number {
    return this.#skippedSteps;
  }

  /** How many micro-batches accumulateGrad has added since the last step or zeroGrad(). */
  get accumulatedGrads(): number {
    return this.#accumulated;
  }

  /**
   * Sets every gradient in memory to +0 (PyTorch's `zero_grad(set_to_none=False)`) and drops what
   * accumulateGrad, clipGradNorm, clipGradValue and unscaleGrad prepared, and any row-sparse
   * gradient staged by sparseGrad(n).
   */
  zeroGrad(): void {
    const arena = this.#arena;
    if (arena === null) throw this.#disposedError('zeroGrad');
    const f32 = arena.f32;
    for (const slot of this.#slots) {
      const at = slot.handle.gradOffset >>> 2;
      f32.fill(0, at, at + slot.handle.length);
      slot.pendingRows = -1;
    }
    this.#resetGradState();
  }

  /**
   * Adds one micro-batch's gradients into the gradients in memory (`params[i].grad`), for a step
   * on several micro-batches (gradient accumulation): the first call after a step or zeroGrad()
   * copies, later ones add, fl(acc + g), as PyTorch's backward accumulates `.grad`. `grads[i]`
   * is a Float32Array of parameter i's length, or null when it has none in this micro-batch.
   * Then `step()` (no arguments) steps every parameter that received a gradient, on their sum or,
   * with `reduction` 'mean', their sum divided by the number of calls (in float32, x / k, applied
   * by the step or by the first clipGradNorm/clipGradValue/unscaleGrad); that step reads and
   * writes your parameter arrays like `step(grads)`. Returns the number of micro-batches so far.
   *
   * Zero-copy, `accumulateGrad()` (no gradients, or null) counts a micro-batch that you added into
   * `params[i].grad` yourself (as PyTorch's backward adds into `.grad`; zeroGrad() between
   * steps): every parameter takes part, your arrays are not read, and 'mean' divides by the count.
   *
   * Every call must give the same `reduction`. Dense gradients only. Throws, changing nothing, on
   * an invalid gradient or after clipGradNorm, clipGradValue or unscaleGrad (they end the
   * accumulation: step() first).
   */
  accumulateGrad(
    grads?: readonly (Float32Array | null | undefined)[] | null,
    reduction: GradReduction = 'sum',
  ): number {
    const arena = this.#arena;
    if (arena === null) throw this.#disposedError('accumulateGrad');
    const owner = this.#spec.name;
    const slots = this.#slots;
    const where = 'accumulateGrad';
    if (reduction !== 'sum' && reduction !== 'mean') {
      throw rangeError(owner, `${where}: reduction must be 'sum' or 'mean', got ${describe(reduction)}`);
    }
    if (this.#accumulated > 0 && reduction !== this.#reduction) {
      throw rangeError(
        owner,
        `${where}: reduction '${reduction}' differs from the '${this.#reduction}' of the ${this.#accumulated} ` +
          'micro-batches accumulated since the last step',
      );
    }
    if (this.#gradsTransformed) {
      throw typeError(
        owner,
        `${where}: the gradients were already clipped or unscaled for the next step; call step() (or zeroGrad()) first`,
      );
    }
    const zeroCopy = grads === undefined || grads === null;
    if (!zeroCopy && !Array.isArray(grads)) {
      throw typeError(owner, `${where}: grads must be an array of Float32Array (or none), got ${describe(grads)}`);
    }
    if (!zeroCopy && grads.length !== slots.length) {
      throw rangeError(owner, `${where}: got ${grads.length} gradients for ${slots.length} parameters`);
    }
    // Read once each, into scratch (no allocation per call); cleared below and on error.
    const given = this.#gradScratch;
    for (let i = 0; i < slots.length && !zeroCopy; i++) {
      const grad = grads[i];
      if (grad === null || grad === undefined) {
        given[i] = null;
        continue;
      }
      if (!isFloat32Array(grad)) {
        given.fill(null);
        throw typeError(
          owner,
          `${where}: grads[${i}] must be a Float32Array (or null to skip; dense gradients only), got ${describe(grad)}`,
        );
      }
      const length = slots[i]!.handle.length;
      const actual = typedLength(grad);
      if (actual !== length) {
        given.fill(null);
        const why = isDetached(grad) ? ' (its buffer is detached)' : '';
        throw rangeError(
          owner,
          `${where}: grads[${i}] has length ${actual}${why}, expected ${length} (the length of parameter ${i})`,
        );
      }
      given[i] = grad;
    }
    let staged = -1;
    for (let i = 0; i < slots.length && staged < 0; i++) if (slots[i]!.pendingRows >= 0) staged = i;
    if (staged >= 0) {
      given.fill(null);
      throw typeError(
        owner,
        `${where}: params[${staged}] has a row-sparse gradient staged by sparseGrad(n); accumulation takes dense ` +
          'gradients only (zeroGrad() drops it)',
      );
    }
    // A pending mean is applied by step() through the tile record: make room for it now.
    if (reduction === 'mean') {
      try {
        this.#ensureGradArea(where);
      } catch (error) {
        given.fill(null);
        throw error;
      }
    }
    const f32 = arena.f32;
    for (let i = 0; i < slots.length; i++) {
      const grad = zeroCopy ? null : (given[i] as Float32Array | null);
      given[i] = null; // no reference to the caller's arrays past the call
      if (zeroCopy) {
        // Added in place by the caller: every parameter has a gradient in memory.
        slots[i]!.accumulated = true;
        slots[i]!.gradFinite = 0;
      }
      if (grad === null || grad === undefined) continue;
      const slot = slots[i]!;
      const at = slot.handle.gradOffset >>> 2;
      if (!slot.accumulated) {
        f32.set(grad, at);
        slot.accumulated = true;
      } else {
        addInto(f32, at, grad);
      }
      slot.gradFinite = 0;
    }
    this.#accumulated++;
    this.#reduction = reduction;
    if (!zeroCopy) this.#gradsFromArrays = true;
    return this.#accumulated;
  }

  /**
   * Clips the gradients in memory by their total norm, PyTorch's `clip_grad_norm_`: the p-norm of
   * the parameters' gradient norms, `coef = maxNorm / (total + 1e-6)` clamped to 1, gradients
   * scaled by coef. Returns the total norm (a float32 value). One Wasm pass reads the gradients
   * (every tensor in one call, SIMD); the scaling is folded into the next `step()`, which applies
   * it tile by tile as it steps (`params[i].grad` shows the unscaled values until then), so the
   * step reads the gradients once more, from cache. The accumulation order of the norms is
   * documented in README "Training loop", with how often it reproduces PyTorch's bits.
   *
   * Which gradients: `options.params` (handles of this optimizer), else every parameter that
   * takes part in the next step (after accumulateGrad, those that received a gradient). Dense
   * gradients only. Throws, changing nothing, on invalid arguments, or with `errorIfNonfinite`
   * when the total norm is NaN or ±Infinity. Call it before `step()`, not before `step(grads)`.
   */
  clipGradNorm(maxNorm: number, options?: ClipGradNormOptions<ParamHandle>): number {
    this.#checkAlive('clipGradNorm');
    const owner = this.#spec.name;
    const read = this.#clipRead;
    readClipNormOptions(owner, 'clipGradNorm', maxNorm, options, read);
    const list = this.#gradSlots(read.params, 'clipGradNorm');
    this.#ensureGradArea('clipGradNorm');
    this.#settleMean();
    // Measured as a pending mean or clipping will leave them, without writing: an error below
    // leaves the gradients in memory exactly as they were.
    const total = this.#totalNorm(list, read.normType);
    if (read.errorIfNonfinite && !Number.isFinite(total)) {
      throw new Error(
        `${owner}: clipGradNorm: the total norm of order ${read.normType} of the gradients is ${total}, ` +
          'so it cannot be clipped (errorIfNonfinite); the gradients were not clipped',
      );
    }
    const coef = clipCoefficient(total, read.maxNorm);
    for (const i of list) {
      const slot = this.#slots[i]!;
      // The step applies one (div, mul) pair: a second clipping applies the first in memory.
      if (slot.gradMul !== 1) this.#applyPending(i);
      slot.gradMul = coef;
      // A finite norm proves every gradient it measured finite (a NaN or ±Infinity anywhere
      // makes it NaN or Infinity); a non-finite one may be a finite overflow: unknown.
      slot.gradFinite = Number.isFinite(total) ? 1 : 0;
    }
    this.#gradsTransformed = true;
    return total;
  }

  /**
   * The total norm clipGradNorm would compute, without clipping: p-norm of the gradients' norms
   * (see clipGradNorm for which gradients, and the order), of the gradients as a pending mean or
   * clipping coefficient will leave them. Changes nothing.
   */
  gradNorm(options?: Omit<ClipGradNormOptions<ParamHandle>, 'errorIfNonfinite'>): number {
    this.#checkAlive('gradNorm');
    const read = this.#clipRead;
    readClipNormOptions(this.#spec.name, 'gradNorm', 0, options, read, GRAD_NORM_KEYS);
    const list = this.#gradSlots(read.params, 'gradNorm');
    this.#ensureGradArea('gradNorm');
    this.#settleMean();
    return this.#totalNorm(list, read.normType);
  }

  /**
   * Clamps every gradient element in memory to [−clipValue, clipValue], PyTorch's
   * `clip_grad_value_` (in place, one Wasm pass; NaN stays NaN). Which gradients: as clipGradNorm.
   */
  clipGradValue(clipValue: number, options?: GradSelection<ParamHandle>): void {
    this.#checkAlive('clipGradValue');
    const owner = this.#spec.name;
    if (typeof clipValue !== 'number') {
      throw typeError(owner, `clipGradValue: clipValue must be a number, got ${describe(clipValue)}`);
    }
    if (Number.isNaN(clipValue) || clipValue < 0) {
      throw rangeError(owner, `clipGradValue: clipValue must be a number ≥ 0, got ${describe(clipValue)}`);
    }
    const params =
      options === undefined ? undefined : readOptionsObject(owner, 'clipGradValue: ', options, PARAMS_KEY)['params'];
    const list = this.#gradSlots(params as readonly ParamHandle[] | undefined, 'clipGradValue');
    this.#settleMean();
    for (const i of list) this.#applyPending(i);
    // torch.clamp takes its Python-float bounds as float32 for a float32 tensor.
    const hi = Math.fround(clipValue);
    for (const i of list) {
      const handle = this.#slots[i]!.handle;
      this.#gradOps.clampGrad(handle.gradOffset, handle.length, -hi, hi);
      this.#slots[i]!.gradFinite = 0;
    }
    this.#gradsTransformed = true;
  }

  /**
   * Divides the gradients in memory by a loss scale, as PyTorch's `GradScaler.unscale_`: each
   * gradient times fl(1 / lossScale) in float32, in place, in the same Wasm pass that checks
   * them; returns whether every gradient was finite. With `skipNonFinite` the next step() reuses
   * that check (and is skipped if it failed) instead of reading the gradients again. Call it
   * before clipGradNorm (as GradScaler users call unscale_ before clip_grad_norm_). Which
   * gradients: as clipGradNorm. Throws, changing nothing, on an invalid lossScale.
   */
  unscaleGrad(lossScale: number, options?: GradSelection<ParamHandle>): boolean {
    this.#checkAlive('unscaleGrad');
    const owner = this.#spec.name;
    if (typeof lossScale !== 'number') {
      throw typeError(owner, `unscaleGrad: lossScale must be a number, got ${describe(lossScale)}`);
    }
    if (!Number.isFinite(lossScale) || lossScale <= 0) {
      throw rangeError(owner, `unscaleGrad: lossScale must be a finite number > 0, got ${describe(lossScale)}`);
    }
    const params =
      options === undefined ? undefined : readOptionsObject(owner, 'unscaleGrad: ', options, PARAMS_KEY)['params'];
    const list = this.#gradSlots(params as readonly ParamHandle[] | undefined, 'unscaleGrad');
    for (const i of list) {
      if (this.#slots[i]!.gradMul !== 1) {
        throw typeError(owner, 'unscaleGrad: the gradients were already clipped by clipGradNorm; unscale them first');
      }
    }
    this.#settleMean();
    // GradScaler: inv_scale = scale.double().reciprocal().float(), the scale a float32 tensor.
    const inverse = Math.fround(1 / Math.fround(lossScale));
    const u32 = this.#arena!.u32;
    let finite = true;
    for (const i of list) {
      const slot = this.#slots[i]!;
      this.#writePointers(u32, recordWord(this.#table, 0), slot, slot.handle.length);
      const ok = this.#gradOps.unscaleGrads(this.#table, 1, slot.gradDiv, inverse) === 1;
      slot.gradDiv = 1;
      // The check is of the scaled values (GradScaler's found_inf). A loss scale under 1 can
      // overflow finite ones to ±Infinity: then the step checks again.
      slot.gradFinite = ok ? (inverse > 1 ? 0 : 1) : -1;
      finite &&= ok;
    }
    this.#gradsTransformed = true;
    return finite;
  }

  /** The slots a gradient method acts on: the handles given, else those the next step() steps. */
  #gradSlots(params: readonly ParamHandle[] | undefined, where: string): readonly number[] {
    const owner = this.#spec.name;
    const slots = this.#slots;
    const list = this.#gradList;
    list.length = 0;
    if (params === undefined) {
      for (let i = 0; i < slots.length; i++) {
        if (this.#accumulated === 0 || slots[i]!.accumulated) list.push(i);
      }
    } else {
      if (!Array.isArray(params)) {
        throw typeError(
          owner,
          `${where}: option params must be an array of this optimizer's params, got ${describe(params)}`,
        );
      }
      params.forEach((handle, k) => {
        const i = handle instanceof ParamHandle ? handle.index : -1;
        if (slots[i]?.handle !== handle) {
          throw typeError(
            owner,
            `${where}: option params[${k}] is not one of this optimizer's params (optimizer.params[i]), ` +
              `got ${describe(handle)}`,
          );
        }
        // As PyTorch skips a parameter whose grad is None: none accumulated, none measured.
        if (this.#accumulated === 0 || slots[i]!.accumulated) list.push(i);
      });
      if (new Set(params).size !== params.length) {
        throw rangeError(owner, `${where}: option params lists a parameter twice`);
      }
    }
    for (const i of list) {
      if (slots[i]!.pendingRows >= 0) {
        throw typeError(
          owner,
          `${where}: params[${i}] has a row-sparse gradient staged by sparseGrad(n); the gradient methods take ` +
            'dense gradients only (zeroGrad() drops it)',
        );
      }
    }
    return list;
  }

  /**
   * The gradient methods' scratch (a tile record and a float32 per parameter), allocated on first
   * use and when parameters were added; a RangeError naming `where` when it does not fit.
   */
  #ensureGradArea(where: string): void {
    const count = this.#slots.length;
    if (this.#gradAreaSlots >= count) return;
    const bytes = allocationSize(RECORD_BYTES + 4 * count);
    this.#reserve(bytes, { text: 'its gradient scratch', plural: false }, where, false);
    this.#gradArea = this.#arena!.alloc(bytes);
    this.#gradAreaSlots = count;
  }

  /** accumulateGrad's mean becomes a pending division of the accumulated gradients, once. */
  #settleMean(): void {
    if (this.#meanSettled || this.#reduction !== 'mean' || this.#accumulated < 2) return;
    const divisor = Math.fround(this.#accumulated);
    for (const slot of this.#slots) if (slot.accumulated) slot.gradDiv = divisor;
    this.#meanSettled = true;
  }

  /** Applies slot i's pending scaling to its gradient in memory, in place. */
  #applyPending(i: number): void {
    const slot = this.#slots[i]!;
    if (slot.gradDiv === 1 && slot.gradMul === 1) return;
    this.#gradOps.scaleGrad(slot.handle.gradOffset, slot.handle.length, slot.gradDiv, slot.gradMul);
    slot.gradDiv = 1;
    slot.gradMul = 1;
  }

  /** The total norm of the listed slots' gradients: the norm of their norms (assembly/grads.ts). */
  #totalNorm(list: readonly number[], normType: number): number {
    const kind = normKind(normType);
    const arena = this.#arena!;
    const out = this.#gradArea + RECORD_BYTES;
    let pending = false;
    for (let k = 0; k < list.length; k++) {
      const slot = this.#slots[list[k]!]!;
      if (slot.gradDiv !== 1 || slot.gradMul !== 1) pending = true;
    }
    if (kind >= 0 && pending) {
      // A call per tensor, each with its own pending factors.
      const f32 = arena.f32;
      for (let k = 0; k < list.length; k++) {
        const slot = this.#slots[list[k]!]!;
        const handle = slot.handle;
        f32[(out >>> 2) + k] = this.#gradOps.normOf(handle.gradOffset, handle.length, kind, slot.gradDiv, slot.gradMul);
      }
      return this.#gradOps.normOf(out, list.length, kind, 1, 1);
    }
    if (kind >= 0) {
      const u32 = arena.u32;
      for (let k = 0; k < list.length; k++) {
        const slot = this.#slots[list[k]!]!;
        this.#writePointers(u32, recordWord(this.#table, k), slot, slot.handle.length);
      }
      this.#gradOps.gradNorms(this.#table, list.length, kind, out);
      return this.#gradOps.normOf(out, list.length, kind, 1, 1);
    }
    const f32 = arena.f32;
    for (let k = 0; k < list.length; k++) {
      const slot = this.#slots[list[k]!]!;
      const handle = slot.handle;
      f32[(out >>> 2) + k] = generalNorm(f32, handle.gradOffset, handle.length, normType, slot.gradDiv, slot.gradMul);
    }
    return generalNorm(f32, out, list.length, normType);
  }

  /** Throws unless every parameter array you gave still has its length (steps copy it in and out). */
  #checkSources(where: string): void {
    const slots = this.#slots;
    for (let i = 0; i < slots.length; i++) {
      const source = slots[i]!.source;
      if (source === null) continue;
      const actual = typedLength(source);
      const length = slots[i]!.handle.length;
      if (actual !== length) {
        const why = isDetached(source) ? 'its buffer was detached' : 'its buffer was resized';
        throw rangeError(
          this.#spec.name,
          `${where}: parameter ${i}, the Float32Array you gave, now has length ${actual} ` +
            `where it had ${length}: ${why}. ` +
            `Drop-in steps copy it in and out; use params[${i}].data and step() instead, or a new optimizer`,
        );
      }
    }
  }

  /** A skipped step's end: what it was given is consumed, nothing else changes. */
  #endStep(dropIn: boolean): void {
    for (const slot of this.#slots) {
      slot.descriptor = -1;
      slot.pendingRows = -1;
    }
    if (dropIn) this.#gradScratch.fill(null);
    this.#resetGradState();
  }

  /**
   * The step's gradients are consumed: the next accumulateGrad starts afresh, and nothing is
   * pending or known of the gradients in memory.
   */
  #resetGradState(): void {
    for (const slot of this.#slots) {
      slot.accumulated = false;
      slot.gradDiv = 1;
      slot.gradMul = 1;
      slot.gradFinite = 0;
    }
    this.#accumulated = 0;
    this.#gradsFromArrays = false;
    this.#meanSettled = false;
    this.#gradsTransformed = false;
  }

  /** Refuses a step that would leave prepared gradients unapplied: a staged row-sparse one. */
  #checkPrepared(sparseCount: number): void {
    if (sparseCount === 0) return;
    const i = this.#slots.findIndex((slot) => slot.stepRows >= 0);
    throw typeError(
      this.#spec.name,
      `step(): params[${i}] has a row-sparse gradient staged by sparseGrad(n), but accumulateGrad, clipGradNorm, ` +
        'clipGradValue or unscaleGrad prepared the dense gradients in memory; they take dense gradients only',
    );
  }

  /** Whether earlier checks (clipGradNorm, unscaleGrad) found every gradient of this step finite. */
  #knownFinite(dropIn: boolean, accumulated: boolean): boolean {
    if (dropIn) return false;
    for (const slot of this.#slots) {
      if (accumulated && !slot.accumulated) continue;
      if (slot.stepRows >= 0 || slot.gradFinite !== 1) return false;
    }
    return true;
  }

  /** step(grads) with skipNonFinite: the dense gradients go into memory, to be checked there. */
  #copyDenseGrads(): void {
    const f32 = this.#arena!.f32;
    this.#slots.forEach((slot, i) => {
      const grad = this.#gradScratch[i];
      if (grad instanceof Float32Array && slot.stepRows < 0) f32.set(grad, slot.handle.gradOffset >>> 2);
    });
  }

  /** Whether every gradient this step reads is finite: one pass, in Wasm where they are in memory. */
  #gradsFinite(dropIn: boolean, accumulated: boolean): boolean {
    const u32 = this.#arena!.u32;
    let count = 0;
    for (let i = 0; i < this.#slots.length; i++) {
      const slot = this.#slots[i]!;
      if (dropIn ? this.#gradScratch[i] === null : accumulated && !slot.accumulated) continue;
      if (slot.stepRows < 0) {
        this.#writePointers(u32, recordWord(this.#table, count++), slot, slot.handle.length);
      } else if (dropIn) {
        if (!allFinite((this.#gradScratch[i] as SparseGradInput).values)) return false;
      } else {
        // Zero-copy row-sparse: the staged values, through a record pointing its grad at them.
        const word = recordWord(this.#table, count++);
        u32[word + REC_GRAD] = slot.stagedValues;
        u32[word + REC_COUNT] = slot.stepRows * slot.width;
      }
    }
    return this.#gradOps.gradsFinite(this.#table, count) === 1;
  }

  /**
   * The step's kernel over its `count` dense records, those with a pending scaling through
   * stepScaled (tile by tile), runs of the others in one call each.
   */
  #runScaled(count: number): void {
    const table = this.#table;
    const stateWords = this.#flavorSpec.contract.state.length;
    let start = 0;
    for (let k = 0; k < count; k++) {
      const slot = this.#slots[this.#recordSlots[k]!]!;
      if (slot.gradDiv === 1 && slot.gradMul === 1) continue;
      if (k > start) this.#kernel(table + start * RECORD_BYTES, k - start);
      const arena = this.#arena!;
      const rec = table + k * RECORD_BYTES;
      stepScaled(arena, this.#gradOps, this.#kernel, rec, this.#gradArea, stateWords, slot.gradDiv, slot.gradMul);
      start = k + 1;
    }
    if (count > start) this.#kernel(table + start * RECORD_BYTES, count - start);
  }

  /**
   * Slot i's drop-in step tile by tile (drop-in-tiles.ts): its record written into the scratch,
   * then each tile stepped between the caller's arrays and the kernel. A parameter made from
   * your array is left newer there than in the memory (arrayAhead).
   */
  #stepTiled(i: number): void {
    const slot = this.#slots[i]!;
    const arena = this.#arena!;
    const rec = this.#tileScratch;
    const word = rec >>> 2;
    this.#writePointers(arena.u32, word, slot, slot.handle.length);
    this.#flavorSpec.writeRecord(arena.f32, arena.u32, word, this.#slotOptions[i]!, slot.step, slot.aux);
    const stateWords = this.#flavorSpec.contract.state.length;
    const grad = this.#gradScratch[i] as Float32Array;
    stepTiles(arena, this.#kernel, rec, stateWords, grad, slot.source, this.#scratchParam);
    if (slot.source !== null) slot.arrayAhead = true;
  }

  /** A view of the tile scratch's first `len` parameter elements, made once per length and buffer. */
  readonly #scratchParam = (len: number): Float32Array => {
    const f32 = this.#arena!.f32;
    if (this.#scratchViewsBuffer !== f32.buffer) {
      this.#scratchViewsBuffer = f32.buffer;
      this.#scratchViews.clear();
    }
    let view = this.#scratchViews.get(len);
    if (view === undefined) {
      const at = tileParamOffset(this.#tileScratch) >>> 2;
      view = f32.subarray(at, at + len);
      this.#scratchViews.set(len, view);
    }
    return view;
  };

  /**
   * The tile scratch, reserved by the first tiled step; false (and the step goes untiled, as
   * correct and only slower) when the memory cannot hold it, so that tiling never makes a step
   * fail that fitted before.
   */
  #ensureTileScratch(): boolean {
    if (this.#tileScratch !== 0) return true;
    const arena = this.#arena!;
    const bytes = allocationSize(DROP_IN_SCRATCH_BYTES);
    try {
      arena.reserve(bytes);
    } catch (error) {
      if (error instanceof ArenaFullError) return false;
      throw error;
    }
    this.#tileScratch = arena.alloc(bytes);
    return true;
  }

  /**
   * Copies into the memory each parameter a tiled drop-in step left newer in your array, before
   * the memory is read (`where`: a zero-copy step). Throws, changing nothing, when such an array
   * was detached or resized since: the parameter's last values were in it.
   */
  #refreshMirrors(where: string): void {
    const slots = this.#slots;
    for (let i = 0; i < slots.length; i++) {
      if (slots[i]!.arrayAhead) this.#checkAheadArray(i, where);
    }
    for (let i = 0; i < slots.length; i++) this.#refreshMirror(i);
  }

  /** #refreshMirrors for one parameter (also what `params[i].data` calls before it is read). */
  #refreshMirror(i: number): void {
    const slot = this.#slots[i]!;
    if (!slot.arrayAhead || this.#arena === null) return;
    this.#checkAheadArray(i, `params[${i}].data`);
    this.#arena.f32.set(slot.source!, slot.handle.dataOffset >>> 2);
    slot.arrayAhead = false;
  }

  #checkAheadArray(i: number, where: string): void {
    const slot = this.#slots[i]!;
    const actual = typedLength(slot.source!);
    if (actual === slot.handle.length) return;
    const why = isDetached(slot.source!) ? 'its buffer was detached' : 'its buffer was resized';
    throw rangeError(
      this.#spec.name,
      `${where}: parameter ${i}'s values since the last drop-in step(grads) are in the Float32Array you gave, ` +
        `which now has length ${actual} where it had ${slot.handle.length} (${why}); they cannot be read`,
    );
  }

  /** A record's pointers and count: the parameter's data, grad and state buffers. */
  #writePointers(u32: Uint32Array, word: number, slot: Slot, count: number): void {
    const handle = slot.handle;
    u32[word + REC_PARAM] = handle.dataOffset;
    u32[word + REC_GRAD] = handle.gradOffset;
    u32[word + REC_STATE0] = slot.stateOffsets[0];
    u32[word + REC_STATE0 + 1] = slot.stateOffsets[1];
    u32[word + REC_STATE0 + 2] = slot.stateOffsets[2];
    u32[word + REC_COUNT] = count;
  }

  /**
   * Copies the rows a drop-in sparse step lists between your arrays and the memory: in (`toMemory`)
   * before the kernels, out after. The distinct rows are the first `unique` staged indices
   * (assembly/sparse.ts compacts them there).
   */
  #copyListedRows(toMemory: boolean): void {
    const arena = this.#arena!;
    const f32 = arena.f32;
    const u32 = arena.u32;
    const descs = (this.#sparseMeta + this.#sparseCapacity * RECORD_BYTES) >>> 2;
    for (const slot of this.#slots) {
      const source = slot.source;
      if (source === null || slot.descriptor < 0) continue;
      const unique = u32[descs + slot.descriptor * (DESCRIPTOR_BYTES / 4) + DESC_UNIQUE]!;
      const width = slot.width;
      const data = slot.handle.dataOffset >>> 2;
      const indices = slot.stagedIndices >>> 2;
      for (let k = 0; k < unique; k++) {
        const at = u32[indices + k]! * width;
        if (toMemory) for (let j = 0; j < width; j++) f32[data + at + j] = source[at + j]!;
        else for (let j = 0; j < width; j++) source[at + j] = f32[data + at + j]!;
      }
    }
  }

  /**
   * Checks the sparse gradients staged by params[i].sparseGrad(n) for a zero-copy step: the
   * flavor and options take them, and every staged index is a row. Returns how many there are.
   */
  #checkStaged(): number {
    let count = 0;
    for (let i = 0; i < this.#slots.length; i++) {
      const slot = this.#slots[i]!;
      slot.stepRows = slot.pendingRows;
      if (slot.pendingRows < 0) continue;
      this.#checkSparseAccepted(i, `params[${i}].sparseGrad`);
      // Writes to a detached view are lost without a sound: refuse rather than step on stale rows.
      if (slot.pendingRows > 0 && isDetached(slot.stagedView!)) {
        throw rangeError(
          this.#spec.name,
          `step(): the views params[${i}].sparseGrad(${slot.pendingRows}) returned were detached by a later ` +
            'allocation (another sparseGrad, addParamGroup, …) that grew the memory, so what you wrote ' +
            `into them after it is lost; call params[${i}].sparseGrad again after the last allocation`,
        );
      }
      const where = `step(): params[${i}].sparseGrad`;
      checkRows(
        this.#spec.name,
        where,
        this.#arena!.u32,
        slot.stagedIndices >>> 2,
        slot.pendingRows,
        slot.rows,
        i,
        true,
      );
      count++;
    }
    return count;
  }

  /** Throws unless parameter i's flavor and group options take a row-sparse gradient. */
  #checkSparseAccepted(i: number, what: string): void {
    const owner = this.#spec.name;
    const sparse = this.#flavorSpec.sparse;
    if (sparse === undefined) {
      throw typeError(
        owner,
        `${what} is a row-sparse gradient, but ${owner} (flavor '${this.flavor}') takes dense gradients only ` +
          `(README "Embeddings" lists the algorithms with a sparse path)`,
      );
    }
    const why = sparse.refuse?.(this.#slotOptions[i]!);
    if (why) {
      const group = this.#groupOptions.indexOf(this.#slotOptions[i]!);
      throw rangeError(
        owner,
        `${what} is a row-sparse gradient, which parameter ${i}'s group (paramGroups[${group}]) ` +
          `does not take with ${why}`,
      );
    }
  }

  /**
   * Makes room for this step's `sparseCount` sparse gradients: staging for drop-in ones, template
   * records and descriptors, and a record table with a row record for each distinct row. One
   * reservation first: when the memory cannot hold them, a RangeError and nothing changed.
   */
  #prepareSparse(dropIn: boolean, sparseCount: number): void {
    const slots = this.#slots;
    let bytes = 0;
    let records = 0;
    let rowLimit = slots.length;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      rowLimit += slot.rows;
      if (dropIn && this.#gradScratch[i] === null) continue;
      const n = slot.stepRows;
      if (n < 0) {
        records++;
        continue;
      }
      records += Math.min(n, slot.rows);
      if (dropIn && n > slot.stagedCapacity) bytes += stagingBytes(slot, stagingCapacity(slot, n));
    }
    const tableCapacity =
      records > this.#tableCapacity ? Math.max(records, Math.min(2 * this.#tableCapacity, rowLimit)) : 0;
    if (tableCapacity > 0) bytes += allocationSize(tableCapacity * RECORD_BYTES);
    const metaCapacity = sparseCount > this.#sparseCapacity ? slots.length : 0;
    if (metaCapacity > 0) bytes += allocationSize(metaCapacity * (RECORD_BYTES + DESCRIPTOR_BYTES));
    if (bytes === 0) return;
    try {
      this.#reserve(bytes, { text: 'its row-sparse gradients', plural: true }, 'step', false);
    } catch (error) {
      this.#gradScratch.fill(null);
      throw error;
    }
    const arena = this.#arena!;
    if (tableCapacity > 0) {
      this.#tableCapacity = tableCapacity;
      this.#table = arena.alloc(tableCapacity * RECORD_BYTES);
    }
    if (metaCapacity > 0) {
      this.#sparseCapacity = metaCapacity;
      this.#sparseMeta = arena.alloc(metaCapacity * (RECORD_BYTES + DESCRIPTOR_BYTES));
    }
    if (!dropIn) return;
    for (const slot of slots) {
      if (slot.stepRows > slot.stagedCapacity) this.#allocStaging(slot, stagingCapacity(slot, slot.stepRows));
    }
  }

  #allocStaging(slot: Slot, capacity: number): void {
    const arena = this.#arena!;
    slot.stagedIndices = arena.alloc(capacity * 4);
    slot.stagedValues = arena.alloc(capacity * slot.width * 4);
    slot.stagedCapacity = capacity;
  }

  /** params[i].sparseGrad(n): staging for n indices, marked for the next step(), as views. */
  #stageSparse(i: number, n: number): { readonly indices: Int32Array; readonly values: Float32Array } {
    this.#checkAlive(`params[${i}].sparseGrad`);
    const owner = this.#spec.name;
    const slot = this.#slots[i]!;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_ELEMENTS) {
      throw rangeError(
        owner,
        `params[${i}].sparseGrad(n): n is ${describe(n)}; it must be a whole number of row indices from 0`,
      );
    }
    if (n > slot.stagedCapacity) {
      // Growing the memory detaches every view handed out before, so this one allocation also
      // stages as many rows for the other tables: the usual loop (sparseGrad on each table, then
      // fill them all) then grows the memory once, not once per table, and no view goes stale.
      const capacities = this.#slots.map((other, j) => {
        if (j === i) return stagingCapacity(other, n);
        // A table with rows staged already keeps its staging: the views it was given point there.
        const wanted = Math.min(n, other.rows);
        return other.rows === 0 || other.pendingRows >= 0 || wanted <= other.stagedCapacity
          ? 0
          : stagingCapacity(other, wanted);
      });
      const bytes = capacities.reduce(
        (sum, capacity, j) => sum + (capacity && stagingBytes(this.#slots[j]!, capacity)),
        0,
      );
      this.#reserve(bytes, { text: `a sparse gradient of ${n} rows`, plural: false }, `params[${i}].sparseGrad`, false);
      capacities.forEach((capacity, j) => {
        if (capacity > 0) this.#allocStaging(this.#slots[j]!, capacity);
      });
    }
    slot.pendingRows = n;
    // Live views: each read of `indices`/`values` gives a view of the memory as it is now, so
    // the object stays usable across a later allocation; step() checks the last view given out.
    const arena = this.#arena!;
    const at = { indices: slot.stagedIndices, values: slot.stagedValues };
    let indices = new Int32Array(arena.buffer, at.indices, n);
    let values = new Float32Array(arena.buffer, at.values, n * slot.width);
    slot.stagedView = indices;
    const live = (): void => {
      if (arena.released || indices.buffer === arena.buffer) return;
      indices = new Int32Array(arena.buffer, at.indices, n);
      values = new Float32Array(arena.buffer, at.values, n * slot.width);
      // Only while these are the staged rows: a later sparseGrad(n) call replaced them.
      if (slot.stagedIndices === at.indices && slot.pendingRows === n) slot.stagedView = indices;
    };
    return Object.freeze({
      get indices(): Int32Array {
        live();
        return indices;
      },
      get values(): Float32Array {
        live();
        return values;
      },
    });
  }

  /**
   * The optimizer state in PyTorch's layout: `{ state: { 0: { step, sum }, … },
   * param_groups: [{ lr, …, params: [0, 1] }], flavor }`. Buffers are copies. For a checkpoint
   * on disk, `stateDictToJSON` keeps every bit (plain JSON loses NaN, ±Infinity and −0).
   */
  stateDict(): StateDict<O> {
    const arena = this.#arena;
    if (arena === null) throw this.#disposedError('stateDict');
    const state: Record<number, ParamState> = {};
    this.#slots.forEach((slot, i) => {
      if (!slot.hasState && !this.#spec.stateAtConstruction) return;
      const entry: ParamState = (this.#flavorSpec.stepInState ?? true) ? { step: slot.step } : {};
      const options = this.#slotOptions[i]!;
      this.#flavorSpec.auxKeys?.forEach((key, k) => {
        entry[key] = slot.aux[k]!;
      });
      for (const name of this.#shown(slot, options)) {
        const offset = slot.stateOffsets[this.#slotOf(name)];
        entry[name] =
          offset === 0
            ? new Float32Array(slot.handle.length).fill(this.#flavorSpec.initialValue(name, options))
            : arena.f32.slice(offset >>> 2, (offset >>> 2) + slot.handle.length);
      }
      state[i] = entry;
    });
    const param_groups = this.#paramGroups.map((group) => {
      const copy: Record<string, unknown> = {};
      for (const key of this.#optionKeys) copy[key] = (group as Record<string, unknown>)[key];
      copy['params'] = group.params.map((handle) => handle.index);
      return copy as O & { params: number[] };
    });
    return { state, param_groups, flavor: this.flavor };
  }

  /**
   * Restores a state dict made by `stateDict()`, by `stateDictFromJSON`, or a plain JSON copy of
   * one (buffers as arrays of numbers, or objects with keys "0" … "n-1"). Every value is read
   * once and everything is validated first; on error nothing changes. A dict saved by an
   * optimizer of another flavor is refused. A resumed run continues bit-identically. May grow
   * the memory (buffers the dict brings): re-read `data`/`grad` views afterwards.
   */
  loadStateDict(dict: StateDictInput<O>): void {
    this.#checkAlive('loadStateDict');
    const owner = this.#spec.name;
    const where = 'loadStateDict';
    const input = readStateDict(owner, where, dict);
    if (input.flavor !== undefined && input.flavor !== this.flavor) {
      if (typeof input.flavor !== 'string') {
        throw typeError(owner, `${where}: flavor must be a string, got ${describe(input.flavor)}`);
      }
      throw rangeError(
        owner,
        `${where}: the state dict was saved by a ${describe(input.flavor)}-flavor optimizer; ` +
          `this one is '${this.flavor}' (their state and arithmetic differ)`,
      );
    }
    const groups = input.groups;
    if (groups.length !== this.#paramGroups.length) {
      throw rangeError(
        owner,
        `${where}: the state dict has ${groups.length} param groups, the optimizer ${this.#paramGroups.length}`,
      );
    }
    const newOptions: O[] = groups.map((group, g) => {
      const label = `${where}: param_groups[${g}]`;
      const known = readOwnOptions(owner, this.#spec.rules, group, ['params'], `${where}: `, `param_groups[${g}].`);
      const ours = this.#paramGroups[g]!;
      const ids = known['params'];
      if (
        !Array.isArray(ids) ||
        ids.length !== ours.params.length ||
        ids.some((id, k) => id !== ours.params[k]!.index)
      ) {
        throw rangeError(
          owner,
          `${label}.params is ${describe(ids)}; expected [${ours.params.map((h) => h.index).join(', ')}]`,
        );
      }
      const options = { ...this.defaults } as O;
      for (const key of this.#optionKeys) {
        const value = known[key];
        const rule = this.#spec.rules[key];
        if (value === undefined && rule.kind === 'boolean' && rule.defaultOnLoad) {
          options[key] = this.#flavorSpec.defaults[key];
          continue;
        }
        if (value === undefined) throw rangeError(owner, `${label} lacks option ${key}`);
        options[key] = value as O[typeof key];
      }
      this.#checkGroupOptions(options, { prefix: 'param_groups[#].', index: g });
      this.#storeOptions(options);
      return options;
    });
    const entries: (EntrySnapshot | undefined)[] = new Array(this.#slots.length).fill(undefined);
    const bufferNames = new Set<string>(this.#stateOrder);
    for (const [key, value] of input.state) {
      const index = checkStateKey(owner, where, key, this.#slots.length);
      entries[index] = readEntry(owner, `${where}: state[${index}]`, value, bufferNames);
    }
    const groupOfSlot = this.#slotOptions.map((options) => this.#groupOptions.indexOf(options));
    const optionsOfSlot = (i: number): O => newOptions[groupOfSlot[i]!]!;
    this.#slots.forEach((slot, i) => {
      const entry = entries[i];
      if (entry !== undefined) this.#checkEntry(entry, slot, i, optionsOfSlot(i), `${where}: state[${i}]`);
    });
    // The buffers the dict brings and those the new options need, where none exists yet.
    const bytes = this.#stateBytes(optionsOfSlot, (i, name) => entries[i]?.get(name) !== undefined, true);
    this.#reserve(bytes, { text: 'the state buffers it brings', plural: true }, where, false);

    // Everything checked and the memory reserved: apply; nothing below can fail. Whole option
    // sets at once, not key by key through the setters: each set was validated as a whole.
    this.#groupOptions.forEach((options, g) => Object.assign(options, newOptions[g]));
    const arena = this.#arena!;
    this.#slots.forEach((slot, i) => {
      const entry = entries[i];
      const options = this.#slotOptions[i]!;
      // Steps or an earlier load wrote its buffers: their contents are no longer known.
      if (slot.hasState) slot.filledWith.fill(null);
      slot.hasState = entry !== undefined;
      slot.step = entry === undefined ? 0 : ((entry.get('step') as number | undefined) ?? 0);
      slot.aux.fill(0);
      const auxKeys = this.#flavorSpec.auxKeys;
      if (entry !== undefined && auxKeys !== undefined && auxKeys.every((key) => entry.get(key) !== undefined)) {
        auxKeys.forEach((key, k) => {
          slot.aux[k] = entry.get(key) as number;
        });
      } else if (entry !== undefined) {
        this.#flavorSpec.restoreAux?.(slot.aux, options, slot.step, (name) => entry.get(name) !== undefined);
      }
      // Live are exactly the buffers the entry brings (allocated here if new).
      for (const name of this.#stateOrder) {
        const s = this.#slotOf(name);
        slot.live[s] = entry?.get(name) !== undefined;
        if (slot.live[s]) slot.filledWith[s] = null;
        if (slot.live[s] && slot.stateOffsets[s] === 0) slot.stateOffsets[s] = arena.alloc(slot.handle.length * 4);
      }
    });
    this.#ensureState(); // buffers the options need but the dict lacked start afresh
    const f32 = arena.f32;
    this.#slots.forEach((slot, i) => {
      const entry = entries[i];
      if (entry === undefined) return;
      for (const name of this.#stateOrder) {
        const loaded = entry.get(name) as BufferSnapshot | undefined;
        if (loaded !== undefined) f32.set(loaded, slot.stateOffsets[this.#slotOf(name)] >>> 2);
      }
    });
  }

  // ---------------------------------------------------------------- internals

  #checkAlive(what: string): void {
    if (this.#arena === null) throw this.#disposedError(what);
  }

  #disposedError(what: string): Error {
    return new Error(`${this.#spec.name}.${what}: the optimizer has been disposed`);
  }

  /** Checks one state entry of loadStateDict against parameter i and its (new) options. */
  #checkEntry(entry: EntrySnapshot, slot: Slot, i: number, options: O, label: string): void {
    const owner = this.#spec.name;
    const auxKeys: readonly string[] = this.#flavorSpec.auxKeys ?? [];
    for (const key of auxKeys) {
      const value = entry.get(key);
      if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
        throw typeError(owner, `${label}.${key} must be a finite number, got ${describe(value)}`);
      }
    }
    const stepInState = this.#flavorSpec.stepInState ?? true;
    const step = entry.get('step');
    if (step !== undefined || stepInState) {
      if (typeof step !== 'number') {
        throw typeError(owner, `${label}.step must be a number, got ${describe(step)}`);
      }
      if (!Number.isSafeInteger(step) || step < 0) {
        throw rangeError(owner, `${label}.step must be a whole number from 0 to 2^53 − 1, got ${describe(step)}`);
      }
    }
    const { required, optional } = this.#loadable(options);
    for (const name of entry.keys()) {
      if (
        name !== 'step' &&
        !auxKeys.includes(name) &&
        !required.includes(name as StateName) &&
        !optional.includes(name as StateName)
      ) {
        const allowed = [...(stepInState ? ['step'] : []), ...required, ...optional, ...auxKeys];
        throw rangeError(
          owner,
          `${label} has an unexpected buffer ${describe(name)} (expected ${allowed.join(', ') || 'none'})`,
        );
      }
    }
    for (const name of [...required, ...optional]) {
      const buffer = entry.get(name) as BufferSnapshot | undefined;
      if (buffer === undefined) {
        if (optional.includes(name)) continue;
        throw typeError(owner, `${label}.${name} must be a Float32Array or an array of numbers, got undefined`);
      }
      const length = bufferLength(buffer);
      if (length !== slot.handle.length) {
        throw rangeError(
          owner,
          `${label}.${name} has length ${length}, expected ${slot.handle.length} (the length of parameter ${i})`,
        );
      }
    }
  }

  /**
   * Checks a group's options (PyTorch's rules, the flavor's unsupported options, the rules across
   * options); with `only`, just that option and the rules across options (a setter: reading every
   * number option would box each one, an allocation per assignment).
   */
  #checkGroupOptions(options: O, place: OptionPlace, only?: keyof O & string): void {
    const owner = this.#spec.name;
    if (only === undefined) checkOptions(owner, this.#spec.rules, this.#optionKeys, options, place);
    else checkOption(owner, place, only, this.#spec.rules[only] as OptionRule, options[only]);
    const defaults = this.#flavorSpec.defaults;
    const unsupported = this.#flavorSpec.unsupported;
    for (let k = 0; k < unsupported.length; k++) {
      const key = unsupported[k]!;
      if (only !== undefined && key !== only) continue;
      if (options[key] !== defaults[key]) {
        throw rangeError(
          owner,
          `${optionLabel(place, key)} = ${describe(options[key])} is not supported by flavor '${this.flavor}' ` +
            `(the framework has no such option; leave it at ${describe(defaults[key])})`,
        );
      }
    }
    const problem = this.#flavorSpec.crossCheck?.(options);
    if (problem) throw rangeError(owner, `${place.prefix.replace('#', String(place.index))}${problem}`);
  }

  /** The constructor's `params`: a list of arrays/lengths, or of groups; each read once. */
  #readGroups(params: unknown): GroupInput[] {
    const owner = this.#spec.name;
    if (!Array.isArray(params)) {
      throw typeError(owner, `params must be an array of Float32Array or of param groups, got ${describe(params)}`);
    }
    const list = copyArray(params);
    if (list.length === 0)
      throw rangeError(owner, 'params is an empty list (an optimizer needs at least one parameter)');
    if (list.every(isGroupObject))
      return list.map((group, i) => this.#readGroup(group as object, `param group ${i}: `));
    if (list.some(isGroupObject)) {
      throw typeError(
        owner,
        'params mixes param groups and bare parameters; give either a list of Float32Array or a list of groups',
      );
    }
    return [{ params: readParamList(list), options: Object.create(null) as Record<string, unknown> }];
  }

  /** One group object read once: its params list copied, its options snapshotted. */
  #readGroup(group: object, where: string): GroupInput {
    const owner = this.#spec.name;
    const read = readOwnOptions(owner, this.#spec.rules, group, ['params'], where);
    const params = read['params'];
    if (!Array.isArray(params)) {
      throw typeError(owner, `${where}params must be an array, got ${describe(params)}`);
    }
    if (params.length === 0) throw rangeError(owner, `${where}params is an empty list`);
    delete read['params'];
    return { params: readParamList(params), options: read };
  }

  /** Checks a group's options and parameters against each other, `earlier` groups and ours. */
  #checkGroupInit(group: GroupInput, where: string, earlier: readonly GroupInput[]): void {
    const owner = this.#spec.name;
    this.#checkGroupOptions({ ...this.defaults, ...group.options } as O, { prefix: where, index: -1 });
    const ownBuffer = this.#arena === null ? null : this.#arena.buffer;
    group.params.forEach((param, k) => {
      const rowShaped = isRowParamObject(param);
      const label = `${where}params[${k}]${rowShaped ? '.data' : ''}`;
      const data = rowShaped ? (param as RowParamInit).data : param;
      if (typeof data === 'number') {
        if (!Number.isInteger(data) || data < 0 || data > MAX_ELEMENTS) {
          throw rangeError(
            owner,
            `${label} is ${describe(data)}; ` +
              `a parameter is a Float32Array or a whole number from 0 to ${MAX_ELEMENTS} (its length)`,
          );
        }
      } else if (!isFloat32Array(data)) {
        throw typeError(owner, `${label} must be a Float32Array (or a length), got ${describe(data)}`);
      } else if (isDetached(data)) {
        throw typeError(
          owner,
          `${label} is a Float32Array whose buffer is detached ` +
            `(transferred, or a view of a WebAssembly memory that grew)`,
        );
      } else if (ownBuffer !== null && typedRange(data).buffer === ownBuffer) {
        throw rangeError(
          owner,
          `${label} is a view of this optimizer's own memory (a ParamHandle's data or grad); ` +
            `pass a length or a copy`,
        );
      }
      if (rowShaped) this.#checkRows(param as RowParamInit, paramLength(param), `${where}params[${k}]`);
    });
    // Two parameters must not share memory: each step writes one over the other.
    const mineAt: number[] = [];
    group.params.forEach((param, k) => {
      if (paramSource(param) !== null) mineAt.push(k);
    });
    const before = [
      ...this.#slots.map((slot) => slot.source).filter((source): source is Float32Array => source !== null),
      ...earlier
        .flatMap((g) => g.params)
        .map(paramSource)
        .filter((source): source is Float32Array => source !== null),
    ];
    const all = [...before, ...mineAt.map((k) => paramSource(group.params[k]!)!)];
    const clash = firstOverlap(all);
    if (clash !== null && clash[1] >= before.length) {
      const [a, b] = [all[clash[0]]!, all[clash[1]]!];
      const other =
        clash[0] >= before.length
          ? `params[${mineAt[clash[0] - before.length]}]`
          : earlier.length > 0 || this.#slots.length === 0
            ? 'a parameter of an earlier group'
            : 'a parameter the optimizer already has';
      throw rangeError(
        owner,
        `${where}params[${mineAt[clash[1] - before.length]}] ` +
          `${a === b ? 'is the same Float32Array as' : 'shares memory with'} ` +
          `${other}: every parameter needs its own memory`,
      );
    }
  }

  /** Checks a row-shaped parameter's `rows` against its length (`label`: "params[k]"). */
  #checkRows(param: RowParamInit, length: number, label: string): void {
    const owner = this.#spec.name;
    const rows = param.rows;
    if (typeof rows !== 'number') {
      throw typeError(owner, `${label}.rows must be a number, got ${describe(rows)}`);
    }
    if (!Number.isInteger(rows) || rows < 1 || rows > MAX_ROWS) {
      throw rangeError(owner, `${label}.rows is ${describe(rows)}; it must be a whole number from 1 to ${MAX_ROWS}`);
    }
    if (length % rows !== 0) {
      throw rangeError(
        owner,
        `${label}.rows is ${rows}, which does not divide its length ${length} (rows × width = length)`,
      );
    }
  }

  /** The option set a new group gets: the defaults overridden by what it gives, stored. */
  #groupOptionsOf(group: GroupInput): O {
    const options = Object.assign(new GroupOptions(), this.defaults) as O;
    for (const key of this.#optionKeys) {
      if (group.options[key] !== undefined) options[key] = group.options[key] as O[typeof key];
    }
    this.#storeOptions(options);
    return options;
  }

  /** Bytes that adding `groups` takes: params, grads, their state, and the record table. */
  #groupsBytes(groups: readonly GroupInput[], options: readonly O[]): number {
    let bytes = 0;
    let count = this.#slots.length;
    groups.forEach((group, g) => {
      const buffers = this.#flavorSpec.buffers(options[g]!).length;
      for (const param of group.params) {
        const size = allocationSize(paramLength(param) * 4);
        bytes += (2 + buffers) * size;
        const rows = paramRows(param);
        if (rows !== 0) bytes += allocationSize(rows * 4); // its row map
      }
      count += group.params.length;
    });
    if (count > this.#tableCapacity) bytes += allocationSize(count * RECORD_BYTES);
    return bytes;
  }

  /**
   * Reserves `bytes` of memory, or throws a RangeError naming what asked (`request`, e.g.
   * "2 parameters of 300000000 elements", and whether it is plural), the bytes, those already in
   * use and the limit; nothing changes then. `parameters`: the request adds parameters (so
   * splitting them over optimizers helps), rather than state buffers.
   */
  #reserve(bytes: number, request: Request, where: string, parameters: boolean): void {
    const arena = this.#arena!;
    try {
      arena.reserve(bytes);
    } catch (error) {
      if (!(error instanceof ArenaFullError)) throw error;
      const owner = this.#spec.name;
      const what = parameters ? 'parameters, gradients, state and records' : 'state';
      const need =
        `${where}: ${request.text} ${request.plural ? 'need' : 'needs'} ${formatBytes(bytes)} (${bytes} bytes) ` +
        `of memory for ${what}; with the ${error.used} bytes already in use that makes ${error.used + bytes} bytes`;
      throw error.reason === 'limit'
        ? rangeError(
            owner,
            `${need}, and a WebAssembly memory holds at most 4 GiB (${MAX_MEMORY_BYTES} bytes).` +
              `${parameters ? ' Split the parameters over several optimizers.' : ''}`,
          )
        : rangeError(owner, `${need}, but ${error.message}`);
    }
  }

  #addGroup(input: GroupInput, options: O): void {
    const arena = this.#arena!;
    const owner = this.#spec.name;
    const handles: ParamHandle[] = [];
    for (const param of input.params) {
      const length = paramLength(param);
      const rows = paramRows(param);
      const source = paramSource(param);
      const bytes = length * 4;
      const index = this.#slots.length;
      const stage = rows === 0 ? null : (n: number) => this.#stageSparse(index, n);
      const refresh = source === null ? null : () => this.#refreshMirror(index);
      const handle = new ParamHandle(
        owner,
        arena,
        index,
        length,
        arena.alloc(bytes),
        arena.alloc(bytes),
        rows,
        stage,
        refresh,
      );
      if (source !== null) arena.f32.set(source, handle.dataOffset >>> 2);
      handles.push(handle);
      this.#slots.push({
        handle,
        source,
        stateOffsets: [0, 0, 0],
        step: 0,
        aux: new Float64Array(AUX_LENGTH),
        live: [false, false, false],
        hasState: false,
        arrayAhead: false,
        filledWith: [0, 0, 0],
        rows,
        width: rows === 0 ? 0 : length / rows,
        // Fresh memory is 0: the map starts empty.
        mapOffset: rows === 0 ? 0 : arena.alloc(rows * 4),
        stagedIndices: 0,
        stagedValues: 0,
        stagedCapacity: 0,
        pendingRows: -1,
        stagedView: null,
        descriptor: -1,
        stepRows: -1,
        accumulated: false,
        gradDiv: 1,
        gradMul: 1,
        gradFinite: 0,
      });
      this.#recordSlots.push(0);
      this.#slotOptions.push(options);
      this.#gradScratch.push(null);
    }
    this.#groupOptions.push(options);
    const group = this.#makeGroup(options, Object.freeze(handles), this.#paramGroups.length);
    this.#paramGroups = Object.freeze([...this.#paramGroups, group]);
    this.#handles = Object.freeze(this.#slots.map((slot) => slot.handle));
    this.#ensureState();
    if (this.#slots.length > this.#tableCapacity) {
      this.#tableCapacity = this.#slots.length;
      this.#table = arena.alloc(this.#tableCapacity * RECORD_BYTES);
    }
  }

  /**
   * The public face of a group: its params plus one accessor per option over `options`. A
   * setter validates the new value at once (naming paramGroups[g].key) and allocates any state
   * buffer the new options need, so step() neither re-validates nor allocates. A value that is
   * invalid, or whose new buffers do not fit in memory, throws and changes nothing.
   */
  #makeGroup(options: O, params: readonly ParamHandle[], g: number): ParamGroup<O> {
    const group = {} as ParamGroup<O>;
    const place: OptionPlace = { prefix: 'paramGroups[#].', index: g };
    for (const key of this.#optionKeys) {
      Object.defineProperty(group, key, {
        enumerable: true,
        get: () => options[key],
        // A scheduler assigns lr at every step: this setter allocates nothing for a number
        // (the messages are built only on error, the options checked in place).
        set: (given: O[typeof key]) => {
          if (this.#arena === null) this.#checkAlive(`paramGroups[${g}].${key}`);
          const value = readOptionValue(given) as O[typeof key]; // read once: a pair's elements too
          const old = options[key];
          // Checked in place, and put back if invalid or if its new buffers do not fit.
          options[key] = value;
          try {
            // The other options were valid: this one, and the rules across options, remain.
            this.#checkGroupOptions(options, place, key);
            const bytes = this.#stateBytes(this.#currentOptions, bringsNothing, false);
            if (bytes > 0) {
              this.#reserve(
                bytes,
                { text: 'the new state buffers', plural: true },
                `paramGroups[${g}].${key} = ${describe(value)}`,
                false,
              );
            }
          } catch (error) {
            options[key] = old;
            throw error;
          }
          options[key] = storedOption(this.#spec.rules[key], value) as O[typeof key];
          this.#ensureState();
        },
      });
    }
    Object.defineProperty(group, 'params', { value: params, enumerable: true });
    // The schedulers' allocation-free path (see RAW_GROUP): a fast path for a number option
    // whose new value passes every check and needs no new state buffer; anything else (an
    // invalid value, a disposed optimizer, an option that is not a number) goes through the
    // setter above, which checks again and throws its own error.
    const live = options as unknown as { lr: number; momentum: number };
    const unsupported = this.#flavorSpec.unsupported as readonly string[];
    const raw: RawGroup = {
      options: live,
      set: (key) => {
        const value = OPTION_VALUE[0]!;
        const rule = this.#spec.rules[key as keyof O] as OptionRule | undefined;
        if (this.#arena === null || rule === undefined || rule.kind !== 'number' || unsupported.includes(key)) {
          (group as Record<string, unknown>)[key] = value;
          return;
        }
        const valid =
          value >= rule.min &&
          (rule.max === undefined || (rule.maxExclusive === true ? value < rule.max : value <= rule.max));
        const old = key === 'lr' ? live.lr : live.momentum;
        if (valid) {
          if (key === 'lr') live.lr = value;
          else live.momentum = value;
          const problem = this.#flavorSpec.crossCheck?.(options);
          if (!problem && this.#stateBytes(this.#currentOptions, bringsNothing, false) === 0) {
            this.#ensureState();
            return;
          }
          if (key === 'lr') live.lr = old;
          else live.momentum = old;
        }
        (group as Record<string, unknown>)[key] = value;
      },
    };
    Object.defineProperty(group, RAW_GROUP, { value: raw });
    return Object.seal(group);
  }

  /** The buffers the state dict shows for a parameter: its live ones, or the flavor's say. */
  #shown(slot: Slot, options: O): readonly StateName[] {
    return (
      this.#flavorSpec.shownState?.(options, slot.aux) ??
      this.#stateOrder.filter((name) => slot.live[this.#slotOf(name)])
    );
  }

  /** What a loaded entry must and may hold: the options' buffers, and any other of the algorithm's. */
  #loadable(options: O): LoadableState {
    const custom = this.#flavorSpec.loadable?.(options);
    if (custom !== undefined) return custom;
    const required = this.#flavorSpec.buffers(options);
    return { required, optional: this.#stateOrder.filter((name) => !required.includes(name)) };
  }

  /** The record slot of one of this algorithm's buffers: its place in the kernel contract. */
  #slotOf(name: StateName): 0 | 1 | 2 {
    const slot = this.#stateOrder.indexOf(name);
    if (slot < 0) throw new Error(`${this.#spec.name}: no record slot for state ${name}`);
    return slot as 0 | 1 | 2; // a record has three state pointers; gen-contract refuses more
  }

  /** Stores a validated option set as the optimizer keeps it (pairs as frozen copies). */
  #storeOptions(options: O): void {
    for (const key of this.#optionKeys) {
      options[key] = storedOption(this.#spec.rules[key], options[key]) as O[typeof key];
    }
  }

  /**
   * Bytes of the state buffers that would be allocated if each parameter i had the options
   * `optionsOf(i)` and brought the buffers `brings(i, name)` says: those needed (by the
   * options, or brought) and not allocated yet. `reload`: live buffers are forgotten first, as
   * loadStateDict does (it keeps their memory, so they cost nothing either way).
   */
  #stateBytes(optionsOf: (i: number) => O, brings: (i: number, name: StateName) => boolean, reload: boolean): number {
    let bytes = 0;
    for (let i = 0; i < this.#slots.length; i++) {
      const slot = this.#slots[i]!;
      const needed = this.#flavorSpec.buffers(optionsOf(i));
      for (const name of this.#stateOrder) {
        const s = this.#slotOf(name);
        if (slot.stateOffsets[s] !== 0) continue;
        if (!reload && slot.live[s]) continue;
        if (brings(i, name) || needed.includes(name)) bytes += allocationSize(slot.handle.length * 4);
      }
    }
    return bytes;
  }

  /** Allocates state buffers the current options need (e.g. after momentum was switched on). */
  #ensureState(): void {
    const arena = this.#arena!;
    for (let i = 0; i < this.#slots.length; i++) {
      const slot = this.#slots[i]!;
      const options = this.#slotOptions[i]!;
      const names = this.#flavorSpec.buffers(options);
      for (let k = 0; k < names.length; k++) {
        const name = names[k]!;
        const s = this.#slotOf(name);
        if (slot.live[s]) continue;
        // A buffer the options now need starts at its initial value (reusing old memory if any).
        const value = this.#flavorSpec.initialValue(name, options);
        if (slot.stateOffsets[s] === 0) slot.stateOffsets[s] = arena.alloc(slot.handle.length * 4);
        // Fresh memory is +0 already (the arena never reuses memory): not writing it leaves the
        // pages unmapped until the first step, which for gigabytes of state is seconds saved.
        if (slot.hasState || !Object.is(slot.filledWith[s], value)) {
          const at = slot.stateOffsets[s] >>> 2;
          arena.f32.fill(value, at, at + slot.handle.length);
          slot.filledWith[s] = value;
        }
        slot.live[s] = true;
      }
    }
  }

  /**
   * Reads step(grads)'s array once into #gradScratch (and each slot's stepRows) and checks it,
   * returning how many gradients are row-sparse; also checks that every user
   * parameter array still has its length (a detached or resized buffer would make the copies
   * fail half-way, or write past the tensor). Throws before anything is changed.
   */
  #readGrads(grads: readonly (Float32Array | SparseGrad | null | undefined)[]): number {
    const owner = this.#spec.name;
    const slots = this.#slots;
    const scratch = this.#gradScratch;
    if (!Array.isArray(grads)) {
      throw typeError(owner, `step(grads): grads must be an array of Float32Array, got ${describe(grads)}`);
    }
    const count = grads.length;
    if (count !== slots.length) {
      throw rangeError(owner, `step(grads): got ${count} gradients for ${slots.length} parameters`);
    }
    let sparse = 0;
    try {
      for (let i = 0; i < count; i++) {
        const grad = grads[i];
        slots[i]!.stepRows = -1;
        if (grad === null || grad === undefined) {
          scratch[i] = null;
          continue;
        }
        if (!isFloat32Array(grad) && isSparseGradObject(grad)) {
          const slot = slots[i]!;
          if (slot.rows === 0) {
            throw typeError(
              owner,
              `step(grads): grads[${i}] is a row-sparse gradient, but parameter ${i} was declared without rows; ` +
                'give it as { data, rows } to the constructor',
            );
          }
          this.#checkSparseAccepted(i, `step(grads): grads[${i}]`);
          const read = readSparseGrad(owner, i, grad, slot.rows, slot.width);
          scratch[i] = read;
          slot.stepRows = typedLength(read.indices);
          sparse++;
          continue;
        }
        if (!isFloat32Array(grad)) {
          throw typeError(
            owner,
            `step(grads): grads[${i}] must be a Float32Array, a row-sparse { indices, values } (or null to skip), ` +
              `got ${describe(grad)}`,
          );
        }
        const length = slots[i]!.handle.length;
        const actual = typedLength(grad);
        if (actual !== length) {
          const why = isDetached(grad) ? ' (its buffer is detached)' : '';
          throw rangeError(
            owner,
            `step(grads): grads[${i}] has length ${actual}${why}, expected ${length} (the length of parameter ${i})`,
          );
        }
        scratch[i] = grad;
      }
      this.#checkSources('step(grads)');
    } catch (error) {
      scratch.fill(null);
      throw error;
    }
    return sparse;
  }
}

/** For #stateBytes: no buffer is brought from elsewhere (an option change). */
function bringsNothing(): boolean {
  return false;
}

/** The one option of clipGradValue and unscaleGrad. */
const PARAMS_KEY = ['params'];

function disposedKernel(): void {
  throw new Error('wasm-optim: the optimizer has been disposed');
}

/** After dispose(): every gradient pass throws (the methods check first; this is the backstop). */
const DISPOSED_GRAD_OPS: GradOps = {
  normOf: disposedKernel as () => number,
  gradNorms: disposedKernel,
  gradsFinite: disposedKernel as () => number,
  scaleGrad: disposedKernel,
  unscaleGrads: disposedKernel as () => number,
  clampGrad: disposedKernel,
};

/** Whether every value is finite (a drop-in row-sparse gradient, checked where it is). */
function allFinite(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) return false;
  }
  return true;
}

/** f32[at + i] ← fl(f32[at + i] + grad[i]): accumulateGrad's sum. */
function addInto(f32: Float32Array, at: number, grad: Float32Array): void {
  const n = grad.length;
  for (let i = 0; i < n; i++) f32[at + i] = f32[at + i]! + grad[i]!;
}

/** Staging for at least `n` indices: twice the last, as far as the rows go, so it grows rarely. */
function stagingCapacity(slot: Slot, n: number): number {
  return Math.max(n, Math.min(2 * slot.stagedCapacity, slot.rows));
}

/** The bytes of staging for `capacity` indices and their rows of values. */
function stagingBytes(slot: Slot, capacity: number): number {
  return allocationSize(capacity * 4) + allocationSize(capacity * slot.width * 4);
}

/** The longest parameter: its data, gradient and state must fit in 4 GiB anyway. */
const MAX_ELEMENTS = 0x3fffffff;

/** The user's array behind a parameter, or null for one created from a length. */
function paramSource(param: ParamInit): Float32Array | null {
  const data = isFloat32Array(param) || typeof param === 'number' ? param : param.data;
  return typeof data === 'number' ? null : data;
}

function paramLength(param: ParamInit): number {
  const data = isFloat32Array(param) || typeof param === 'number' ? param : param.data;
  return typeof data === 'number' ? data : typedLength(data);
}

/** The rows a parameter was declared with; 0 for a plain one. */
function paramRows(param: ParamInit): number {
  return isFloat32Array(param) || typeof param === 'number' ? 0 : param.rows;
}

/** What a memory request is for, in an error message, and whether its verb is plural. */
interface Request {
  readonly text: string;
  readonly plural: boolean;
}

/** "1 parameter of 5 elements", "3 parameters of 1200 elements in total". */
function describeRequest(groups: readonly GroupInput[]): Request {
  let count = 0;
  let elements = 0;
  for (const group of groups) {
    count += group.params.length;
    for (const param of group.params) elements += paramLength(param);
  }
  return count === 1
    ? { text: `1 parameter of ${elements} elements`, plural: false }
    : { text: `${count} parameters of ${elements} elements in total`, plural: true };
}

/** Bytes for people: 1.5 GiB, 300 MiB, 12 KiB. */
function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

function isGroupObject(p: unknown): boolean {
  return p !== null && typeof p === 'object' && !ArrayBuffer.isView(p) && !Array.isArray(p) && !isRowParamObject(p);
}

/** A params list read once: row-shaped parameters `{ data, rows }` copied. */
function readParamList(list: readonly unknown[]): ParamInit[] {
  return list.map((param) => (isRowParamObject(param) ? readRowParam(param as object) : (param as ParamInit)));
}
