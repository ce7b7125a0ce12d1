// The machinery the TF.js-facing optimizers share: a tf.Optimizer subclass holding one
// wasm-optim optimizer (flavor 'tfjs') whose parameters are created lazily, one per TF.js
// variable name, plus getWeights/setWeights in TF.js's names and order. Hardened against
// hostile use: getWeights() calls in flight together or beside steps, dispose() racing them,
// calls on a disposed optimizer, and variables re-created under an old name with a new shape.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendChoice, BackendName } from '../backend/index.js';
import type { Optimizer as CoreOptimizer, ParamInit, ParamState } from '../optimizer.js';
import type { SparseGrad } from '../sparse-grad.js';
import type { AuxKey, StateName } from '../spec.js';
import { type ClipSettings, type Clipping, clipGradients, readClipping } from './clipping.js';
import { type ParamGroupView, SCHEDULABLE, makeParamGroup } from './param-group.js';
import { readValues, writeValues } from './tensors.js';

/**
 * Settings of the wasm-optim side, given after TF.js's own arguments: the backend, and Keras's
 * gradient clipping (`clipnorm`, `clipvalue`, `globalClipnorm`; see ClipSettings), applied to
 * the gradients of each applyGradients call before the update, e.g. `adam(1e-3, 0.9, 0.999,
 * null, { clipnorm: 1 })`. The clipping options are read once, checked (a RangeError or
 * TypeError naming the option), and part of getConfig(), so a saved model keeps them.
 */
export interface WasmOptimSettings extends ClipSettings {
  /** Which wasm-optim kernels run the step: `'auto'` (default), `'simd'`, `'wasm'` or `'js'`. */
  backend?: BackendChoice;
}

/**
 * The variables that take the row-sparse path (`adagrad` only, see WasmOptimAdagradSettings):
 * their names, or a test of a variable's name and shape (called whenever a variable is checked
 * or registered; it must give the same answer for the same name and shape).
 */
export type SparseVariables = readonly string[] | ((name: string, shape: readonly number[]) => boolean);

/** A tensor with a name, as in `applyGradients`, `getWeights` and `setWeights`. */
export interface NamedTensor {
  /** The variable's name. */
  name: string;
  /** Its gradient. */
  tensor: tf.Tensor;
}

/** One kind of per-variable state: TF.js's weight-name suffix and the wasm-optim buffer. */
export interface StateSlot {
  readonly suffix: string;
  readonly state: StateName;
}

// biome-ignore lint/suspicious/noExplicitAny: any optimizer of tfjs-core, whatever its config type
type AnyCore = CoreOptimizer<any>;
type CoreOptions = Record<string, unknown>;

interface Variable {
  readonly name: string;
  /** Index in the wasm-optim optimizer (0 is a zero-length placeholder). */
  readonly index: number;
  readonly size: number;
  readonly shape: number[];
  /** Rows of its wasm-optim parameter when it takes the row-sparse path (shape[0]); 0: dense. */
  readonly rows: number;
  /**
   * For optimizers with shared numbers (Adam): the `iterations` count at which this
   * parameter's own copy of them (its wasm-optim aux) last equalled the optimizer's; -1 never.
   */
  synced: number;
  /**
   * The variable's dataId right after our last write: while it still has that one, its values
   * are those in our memory (TF.js never changes a tensor's data in place), so no copy-in.
   */
  written: object | null;
}

/** Changes to some parameters' wasm-optim state, by parameter index. */
type Patch = Map<
  number,
  {
    step: number;
    buffers?: Map<StateName, Float32Array>;
    aux?: Partial<Record<AuxKey, number>>;
  }
>;

/** The optimizer's weights at one moment, as plain copies (see getWeights). */
interface StateCopy {
  /** #version and iterations when copied: equal pairs mean equal weights. */
  readonly version: number;
  readonly iterations: number;
  /** The state weights after `iter`, in getWeights order; the arrays are our own copies. */
  readonly entries: readonly { name: string; shape: number[]; values: Float32Array }[];
}

/** Tensors handed out by getWeights for one StateCopy's version and iterations. */
interface Snapshot {
  readonly version: number;
  readonly iterations: number;
  readonly weights: readonly NamedTensor[];
}

/** State loaded by setWeights, attached to variables at the next applyGradients. */
interface LoadedVariable {
  readonly name: string;
  readonly shape: number[];
  /** One buffer per state slot, in slot order. */
  readonly buffers: Float32Array[];
}

/**
 * Base of the `wasm-optim/tfjs` optimizers: a `tf.Optimizer` whose `applyGradients` runs a
 * wasm-optim kernel (flavor `'tfjs'`, bit-identical to `tf.train.*`) over all given variables at
 * once. State is keyed by variable name (TF.js keys it by position in the call).
 *
 * A variable re-created under a name we hold state for (a model disposed and built again, names
 * repeating after `tf.disposeVariables()`) keeps that state when its shape is the same, as with
 * `tf.train.*`; with another shape it gets fresh state, exactly as a variable new to the optimizer
 * (where `tf.train.*` throws a broadcasting error, sometimes after corrupting its state), and every
 * other variable keeps its own.
 *
 * After `dispose()` every method throws (`getWeights`/`setWeights` reject) an error naming the
 * class and the method, except reads of the configuration (`getConfig()`, the hyperparameter
 * getters, `backend`, `iterations`), which hold no memory. A second `dispose()` does nothing.
 */
export abstract class WasmOptimizer extends tf.Optimizer {
  /**
   * `Symbol.for('wasm-optim.schedulable')`: tells wasm-optim's LR schedulers (which cannot import
   * this entry) that the optimizer takes their options through `paramGroups`. Instances have it too.
   */
  static readonly [SCHEDULABLE] = true;
  #core: AnyCore;
  /** The core's backend, kept here: a disposed core may refuse to be read. */
  #backendName: BackendName;
  readonly #settings: WasmOptimSettings;
  /** The clipping options, read once from the settings; null: no clipping. */
  readonly #clipping: Clipping | null;
  /** paramGroups' one group, made on first use. */
  #groups: readonly ParamGroupView[] | null = null;
  /** settings.sparseVariables, read once: a set of names, a test, or null when not given. */
  readonly #sparse: ReadonlySet<string> | ((name: string, shape: readonly number[]) => boolean) | null;
  /**
   * A sparseVariables test's answers for the variables of the applyGradients call under way, asked
   * while checking (before anything changes), so that registering them calls no user code.
   */
  #decisions = new Map<string, boolean>();
  readonly #options: CoreOptions;
  readonly #vars = new Map<string, Variable>();
  /** State from setWeights not yet attached to variables; null when there is none. */
  #loaded: LoadedVariable[] | null = null;
  /**
   * Tensors getWeights() handed out, one set per state they show (calls at the same state share
   * it). Released by the first getWeights() call after the state changed, or by dispose().
   */
  #snapshots: Snapshot[] = [];
  /** Counts changes of what getWeights() shows: steps, setWeights, option changes, rebuilds. */
  #version = 0;
  #disposed = false;

  /**
   * `sparse`: whether this class offers `settings.sparseVariables`; a class that does not
   * throws a TypeError when it is given (so it is never silently ignored).
   */
  protected constructor(options: CoreOptions, settings: WasmOptimSettings | undefined, sparse = false) {
    super();
    this.#options = { ...options };
    this.#settings = { ...settings };
    this.#clipping = readClipping(this.getClassName(), this.#settings);
    this.#sparse = readSparseVariables(this.getClassName(), settings, sparse);
    this.#core = this.#newCore();
    this.#backendName = this.#core.backend;
  }

  /** Makes the wasm-optim optimizer over `params` (lengths) with `options` (flavor 'tfjs'). */
  protected abstract makeCore(params: number[], options: CoreOptions): AnyCore;

  /** The per-variable state, in TF.js's getWeights order. */
  protected abstract stateSlots(): readonly StateSlot[];

  /** The value a fresh buffer of `state` holds (Adagrad's initial accumulator; else 0). */
  protected initialValue(_state: StateName): number {
    return 0;
  }

  /**
   * Numbers TF.js keeps once for the whole optimizer but wasm-optim per parameter, as wasm-optim
   * state-dict keys: TF.js Adam's running products accBeta1/2 (advanced once per applyGradients
   * call, whichever variables it updates). Before a variable steps, its own copy is set to these
   * unless it already equals them (it stepped in the previous call too). Null: none.
   */
  protected sharedAux(): Partial<Record<AuxKey, number>> | null {
    return null;
  }

  /** Called at the start of each applyGradients (Adagrad reads the backend epsilon here). */
  protected beforeStep(): void {}

  /** Called at the end of each applyGradients (Adam advances its products here). */
  protected afterStep(): void {}

  /** Called when setWeights has set `iterations` (Adam rebuilds its products here). */
  protected afterSetWeights(): void {}

  /** The wasm-optim backend running the kernels: `'simd'`, `'wasm'` or `'js'`. */
  get backend(): BackendName {
    return this.#backendName;
  }

  /**
   * The clipping options given in the settings (`clipnorm`, `clipvalue`, `globalClipnorm`), for
   * getConfig(): `{}` when there are none, so a config without clipping is TF.js's own.
   */
  protected clipConfig(): ClipSettings {
    return { ...this.#clipping?.given };
  }

  /** Whether dispose() has been called (wasm-optim's LR schedulers refuse a disposed optimizer). */
  get disposed(): boolean {
    return this.#disposed;
  }

  /**
   * The optimizer as wasm-optim's LR schedulers drive it: a frozen array of one live, sealed
   * group whose `lr` is `learningRate` and, where the optimizer has them, `momentum`
   * (momentum, rmsprop) and `betas` (adam, adamax: `[beta1, beta2]`). Assignments are checked as
   * the fields' own setters check them (an invalid value throws and changes nothing).
   */
  get paramGroups(): readonly ParamGroupView[] {
    this.#checkAlive('paramGroups');
    this.#groups ??= Object.freeze([
      makeParamGroup(this.groupOptions(), {
        get: (key) => this.option(key),
        set: (key, value, field) => this.setOption(key, value, field),
      }),
    ]);
    return this.#groups;
  }

  /** The options paramGroups shows besides `lr`: those of this optimizer's that a scheduler may cycle. */
  protected groupOptions(): readonly ('momentum' | 'betas')[] {
    return [];
  }

  /** The current value of a wasm-optim option. */
  protected option<T>(key: string): T {
    return this.#options[key] as T;
  }

  /**
   * Sets a wasm-optim option for every variable (validated: an invalid value throws, nothing
   * changes). `field` names the public setter in the error thrown once disposed.
   */
  protected setOption(key: string, value: unknown, field: string = key): void {
    this.#checkAlive(field);
    const groups = this.#core.paramGroups as readonly Record<string, unknown>[];
    for (const group of groups) group[key] = value;
    this.#options[key] = value;
    // Some options change what getWeights() shows (initialAccumulatorValue fills state not yet
    // created; centered adds the mg weights): snapshots taken before no longer match.
    this.#version++;
  }

  #newCore(): AnyCore {
    return this.makeCore([0], { ...this.#options, flavor: 'tfjs', backend: this.#settings.backend ?? 'auto' });
  }

  /** Makes `core` the wasm-optim optimizer, releasing the one it replaces. */
  #replaceCore(core: AnyCore): void {
    const old = this.#core;
    this.#core = core;
    this.#backendName = core.backend;
    disposeCore(old);
  }

  #checkAlive(where: string): void {
    if (this.#disposed) throw new Error(`${this.getClassName()}.${where}: the optimizer has been disposed`);
  }

  /** Creates wasm-optim parameters for these variables (in order), returning their entries. */
  #addVariables(list: readonly { name: string; shape: number[] }[]): Variable[] {
    if (list.length === 0) return [];
    const first = this.#core.params.length;
    const sizes = list.map((v) => sizeOf(v.shape));
    const rows = list.map((v) => this.#rowsOf(v.name, v.shape));
    this.#core.addParamGroup({ params: sizes.map((size, k) => paramInit(size, rows[k]!)), ...this.#options });
    return list.map((v, k) => {
      const entry: Variable = {
        name: v.name,
        index: first + k,
        size: sizes[k]!,
        shape: [...v.shape],
        rows: rows[k]!,
        synced: -1,
        written: null,
      };
      this.#vars.set(v.name, entry);
      return entry;
    });
  }

  /**
   * `tf.Optimizer.minimize`, checking first that the optimizer is alive (so a disposed one
   * computes no gradients) and disposing the gradients and the cost when applyGradients throws
   * (tf.Optimizer's own minimize leaks them then).
   */
  override minimize(f: () => tf.Scalar, returnCost = false, varList?: tf.Variable[]): tf.Scalar | null {
    this.#checkAlive('minimize');
    const { value, grads } = this.computeGradients(f, varList);
    try {
      if (varList != null) this.applyGradients(varList.map((v) => ({ name: v.name, tensor: grads[v.name]! })));
      else this.applyGradients(grads);
    } catch (error) {
      tf.dispose(value);
      throw error;
    } finally {
      tf.dispose(grads);
    }
    if (returnCost) return value;
    value.dispose();
    return null;
  }

  /** `tf.Optimizer.computeGradients` (`tf.variableGrads`); throws once the optimizer is disposed. */
  override computeGradients(
    f: () => tf.Scalar,
    varList?: tf.Variable[],
  ): {
    /** The value of f. */
    value: tf.Scalar;
    /** The gradients by variable name. */
    grads: tf.NamedTensorMap;
  } {
    this.#checkAlive('computeGradients');
    return super.computeGradients(f, varList);
  }

  /**
   * Updates the variables by the given gradients (one wasm-optim step over all of them). A
   * variable whose gradient is null or missing keeps its value, but is registered (its state
   * is created), as in TF.js. A variable whose shape differs from the one its name had here
   * before (it was re-created) starts with fresh state. Everything is checked before anything
   * changes: on error, variables and state are as they were.
   */
  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    this.#checkAlive('applyGradients');
    const owner = this.getClassName();
    if (variableGradients === null || typeof variableGradients !== 'object') {
      throw new TypeError(
        `${owner}.applyGradients: expected a NamedTensorMap or an array of { name, tensor }, ` +
          `got ${variableGradients === null ? 'null' : typeof variableGradients}`,
      );
    }
    let names: string[];
    let grads: (tf.Tensor | null)[];
    if (Array.isArray(variableGradients)) {
      variableGradients.forEach((item, i) => {
        if (item === null || typeof item !== 'object' || typeof item.name !== 'string') {
          throw new TypeError(`${owner}.applyGradients: item ${i} is not a { name, tensor } with a string name`);
        }
      });
      names = variableGradients.map((item) => item.name);
      grads = variableGradients.map((item) => item.tensor ?? null);
    } else {
      names = Object.keys(variableGradients);
      grads = names.map((name) => variableGradients[name] ?? null);
    }
    const registry = tf.engine().registeredVariables;
    const seen = new Set<string>();
    const variables = names.map((name, i) => {
      if (seen.has(name)) throw new Error(`${owner}.applyGradients: variable ${JSON.stringify(name)} is given twice`);
      seen.add(name);
      const variable = registry[name];
      if (variable === undefined)
        throw new Error(`${owner}.applyGradients: no variable named ${JSON.stringify(name)} is registered`);
      if (variable.dtype !== 'float32')
        throw new TypeError(
          `${owner}.applyGradients: variable ${JSON.stringify(name)} is ${variable.dtype}; ` +
            `only float32 variables can be optimized`,
        );
      const grad = grads[i];
      if (grad !== null && grad !== undefined) {
        if (!(grad instanceof tf.Tensor))
          throw new TypeError(`${owner}.applyGradients: the gradient of ${JSON.stringify(name)} is not a tensor`);
        if (grad.isDisposed)
          throw new Error(`${owner}.applyGradients: the gradient of ${JSON.stringify(name)} has been disposed`);
        if (grad.dtype !== 'float32')
          throw new TypeError(
            `${owner}.applyGradients: the gradient of ${JSON.stringify(name)} is ${grad.dtype}, expected float32`,
          );
        if (grad.size !== variable.size)
          throw new RangeError(
            `${owner}.applyGradients: the gradient of ${JSON.stringify(name)} has shape [${grad.shape}], ` +
              `the variable [${variable.shape}]`,
          );
      }
      return variable;
    });
    if (this.#sparse !== null) this.#checkSparse(names, variables);

    // From here on the state changes (#attachLoaded may still throw, before changing anything).
    this.#version++;
    // Variables re-created with another shape: their old state goes. (Never with state pending
    // from setWeights: that cleared #vars, and #attachLoaded checks the shapes it binds.)
    const reshaped = new Map<string, number[]>();
    variables.forEach((variable, i) => {
      const entry = this.#vars.get(names[i]!);
      if (entry !== undefined && !sameShape(entry.shape, variable.shape)) reshaped.set(names[i]!, variable.shape);
    });
    if (reshaped.size > 0) this.#rebuild(reshaped);
    // State to (re)write through loadStateDict: loaded weights, and Adam's shared products.
    const patch: Patch = new Map();
    if (this.#loaded !== null) this.#attachLoaded(names, variables, patch);
    this.#addVariables(variables.filter((v) => !this.#vars.has(v.name)).map((v) => ({ name: v.name, shape: v.shape })));
    this.beforeStep();
    const shared = this.sharedAux();
    if (shared !== null) {
      names.forEach((name, i) => {
        const entry = this.#vars.get(name)!;
        if (grads[i] === null || grads[i] === undefined || entry.synced === this.iterations) return;
        patch.set(entry.index, { ...this.#patchStep(), ...patch.get(entry.index), aux: shared });
      });
    }
    if (patch.size > 0) this.#rewriteState(patch);

    const core = this.#core;
    const handles = core.params;
    const gradArrays: (Float32Array | SparseGrad | null)[] = new Array(handles.length).fill(null);
    const stepped: { variable: tf.Variable; entry: Variable }[] = [];
    // The gradients' values (views, not copies, where the backend allows), clipped if asked:
    // clipping makes new arrays, so the gradient tensors keep their values.
    let values = grads.map((grad) => (grad === null || grad === undefined ? null : readValues(grad)));
    if (this.#clipping !== null) values = clipGradients(this.#clipping, values);
    names.forEach((name, i) => {
      const grad = values[i];
      if (grad === null || grad === undefined) return;
      const entry = this.#vars.get(name)!;
      const variable = variables[i]!;
      const data = handles[entry.index]!.data;
      // Copy the values in unless they are still those we wrote (assign, setWeights, … give
      // the variable a new dataId).
      if (variable.dataId !== entry.written) data.set(readValues(variable));
      if (entry.rows === 0) {
        gradArrays[entry.index] = grad;
        stepped.push({ variable, entry });
        return;
      }
      const sparse = touchedRows(grad, data, entry.rows);
      gradArrays[entry.index] = sparse;
      if (sparse.indices.length > 0) {
        stepped.push({ variable, entry });
      } else {
        // No row stepped: the variable keeps its tensor, whose values our memory now holds.
        entry.written = variable.dataId;
        entry.synced = this.iterations + 1;
      }
    });
    core.step(gradArrays);
    tf.tidy(() => {
      for (const { variable, entry } of stepped) {
        writeValues(variable, handles[entry.index]!.data);
        entry.written = variable.dataId;
        entry.synced = this.iterations + 1;
      }
    });
    this.afterStep();
    this.incrementIterations();
  }

  /**
   * Checks settings.sparseVariables before anything changes: each name listed must be a
   * registered variable of two dimensions; a test may select only two-dimensional variables.
   */
  #checkSparse(names: readonly string[], variables: readonly tf.Variable[]): void {
    const owner = `${this.getClassName()}.applyGradients: settings.sparseVariables`;
    const sparse = this.#sparse!;
    const notTwoD = (name: string, shape: readonly number[]): RangeError =>
      new RangeError(
        `${owner} selects variable ${JSON.stringify(name)} of shape [${shape}]; ` +
          'only two-dimensional variables ([rows, width], e.g. an embedding table) can take the row-sparse path',
      );
    if (typeof sparse === 'function') {
      const decisions = new Map<string, boolean>();
      variables.forEach((variable, i) => {
        const chosen = sparse(names[i]!, [...variable.shape]) === true;
        if (chosen && variable.shape.length !== 2) throw notTwoD(names[i]!, variable.shape);
        decisions.set(names[i]!, chosen);
      });
      this.#decisions = decisions;
      return;
    }
    const registry = tf.engine().registeredVariables;
    for (const name of sparse) {
      const variable = registry[name];
      if (variable === undefined)
        throw new Error(`${owner} names ${JSON.stringify(name)}, but no variable of that name is registered`);
      if (variable.shape.length !== 2) throw notTwoD(name, variable.shape);
    }
  }

  /** The rows a variable's wasm-optim parameter is declared with: shape[0] if it is sparse, else 0. */
  #rowsOf(name: string, shape: readonly number[]): number {
    const sparse = this.#sparse;
    // An empty table (a zero dimension) has nothing to step: it stays dense.
    if (sparse === null || shape.length !== 2 || shape[0] === 0 || shape[1] === 0) return 0;
    const chosen =
      typeof sparse === 'function'
        ? (this.#decisions.get(name) ?? sparse(name, [...shape]) === true)
        : sparse.has(name);
    return chosen ? shape[0]! : 0;
  }

  /**
   * The wasm-optim `step` a rewritten parameter gets: TF.js's iteration count, at least 1 (at
   * step 1 wasm-optim's Adam would start its products afresh instead of using the given ones).
   */
  #patchStep(): { step: number } {
    return { step: Math.max(1, this.iterations) };
  }

  /** Binds setWeights' state to this call's variables: by name if any name matches, else by position. */
  #attachLoaded(names: readonly string[], variables: readonly tf.Variable[], patch: Patch): void {
    const owner = this.getClassName();
    const loaded = this.#loaded!;
    const position = new Map(names.map((name, i) => [name, i]));
    const byName = loaded.some((entry) => position.has(entry.name));
    const targets: { name: string; shape: number[]; entry: LoadedVariable }[] = [];
    const taken = new Set<string>();
    loaded.forEach((entry, k) => {
      const name = byName ? entry.name : (names[k] ?? entry.name);
      if (taken.has(name)) return; // a name saved twice: the first one wins
      taken.add(name);
      const i = position.get(name);
      if (i !== undefined && variables[i]!.size !== sizeOf(entry.shape)) {
        throw new RangeError(
          `${owner}.applyGradients: the state loaded by setWeights for ${JSON.stringify(entry.name)} ` +
            `(shape [${entry.shape}]) ` +
            `does not fit variable ${JSON.stringify(name)} (shape [${variables[i]!.shape}])`,
        );
      }
      targets.push({ name, shape: i === undefined ? entry.shape : variables[i]!.shape, entry });
    });
    this.#loaded = null;
    const slots = this.stateSlots();
    this.#addVariables(targets).forEach((variable, k) => {
      const buffers = new Map<StateName, Float32Array>();
      slots.forEach((slot, s) => buffers.set(slot.state, targets[k]!.entry.buffers[s]!));
      patch.set(variable.index, { ...this.#patchStep(), buffers });
    });
  }

  /**
   * Sets the wasm-optim step, and the buffers and aux numbers given, of some parameters through
   * a stateDict/loadStateDict round trip; the other parameters keep theirs.
   */
  #rewriteState(patch: Patch): void {
    const dict = this.#core.stateDict();
    const slots = this.stateSlots();
    const byIndex = new Map<number, Variable>();
    for (const entry of this.#vars.values()) byIndex.set(entry.index, entry);
    for (const [index, change] of patch) {
      const variable = byIndex.get(index)!;
      const entry: ParamState = dict.state[index] ?? {};
      entry.step = change.step;
      for (const slot of slots) {
        const given = change.buffers?.get(slot.state);
        if (given !== undefined) entry[slot.state] = given;
        else if (entry[slot.state] === undefined)
          entry[slot.state] = new Float32Array(variable.size).fill(this.initialValue(slot.state));
      }
      if (change.aux !== undefined) {
        Object.assign(entry, change.aux);
        variable.synced = this.iterations;
      }
      dict.state[index] = entry;
    }
    this.#core.loadStateDict(dict);
  }

  /**
   * Replaces the wasm-optim optimizer by one holding the same variables in the same order (so
   * getWeights' order, which position binding relies on, is kept), with each variable's state
   * carried over bit for bit, except the `reshaped` ones: they get the new shape and fresh
   * state, as a variable new to the optimizer. A fresh optimizer rather than extra parameters in
   * the old one, so that memory does not grow each time a model is rebuilt.
   */
  #rebuild(reshaped: ReadonlyMap<string, number[]>): void {
    const { state: oldState } = this.#core.stateDict();
    const entries: Variable[] = [];
    const state: Record<number, ParamState> = {};
    [...this.#vars.values()].forEach((old, k) => {
      const shape = reshaped.get(old.name);
      const index = 1 + k; // after the zero-length placeholder
      // written: null, as the new memory holds zeros: the next step copies the values in.
      entries.push(
        shape === undefined
          ? { ...old, index, written: null }
          : {
              name: old.name,
              index,
              size: sizeOf(shape),
              shape: [...shape],
              rows: this.#rowsOf(old.name, shape),
              synced: -1,
              written: null,
            },
      );
      const carried = shape === undefined ? oldState[old.index] : undefined;
      if (carried !== undefined) state[index] = carried;
    });
    // Build the new optimizer completely before switching to it: if that fails (the memory
    // cannot hold it), nothing has changed and its memory is released.
    const core = this.#newCore();
    try {
      core.addParamGroup({ params: entries.map((v) => paramInit(v.size, v.rows)), ...this.#options });
      core.loadStateDict({ state, param_groups: core.stateDict().param_groups });
    } catch (error) {
      disposeCore(core);
      throw error;
    }
    this.#vars.clear();
    for (const entry of entries) this.#vars.set(entry.name, entry);
    this.#replaceCore(core);
  }

  /** Disposes the snapshots of states other than the current one. */
  #releaseStale(): void {
    const iterations = this.iterations;
    this.#snapshots = this.#snapshots.filter((snapshot) => {
      if (snapshot.version === this.#version && snapshot.iterations === iterations) return true;
      tf.dispose(snapshot.weights.map((w) => w.tensor));
      return false;
    });
  }

  #releaseAll(): void {
    for (const snapshot of this.#snapshots) tf.dispose(snapshot.weights.map((w) => w.tensor));
    this.#snapshots = [];
  }

  /** The weights getWeights() shows, as copies of this moment's state. */
  #copyState(): StateCopy {
    const entries: { name: string; shape: number[]; values: Float32Array }[] = [];
    const slots = this.stateSlots();
    if (this.#loaded !== null) {
      slots.forEach((slot, s) => {
        for (const entry of this.#loaded!) {
          entries.push({
            name: `${entry.name}/${slot.suffix}`,
            shape: [...entry.shape],
            values: entry.buffers[s]!.slice(),
          });
        }
      });
    } else if (slots.length > 0 && this.#vars.size > 0) {
      const { state } = this.#core.stateDict(); // its buffers are copies
      for (const slot of slots) {
        for (const v of this.#vars.values()) {
          const values = state[v.index]?.[slot.state] ?? new Float32Array(v.size).fill(this.initialValue(slot.state));
          entries.push({ name: `${v.name}/${slot.suffix}`, shape: [...v.shape], values });
        }
      }
    }
    return { version: this.#version, iterations: this.iterations, entries };
  }

  /**
   * Tensors of `copy`: the snapshot of the same state if one is still intact, else new ones.
   * Each caller gets its own array and objects (replacing `tensor` in them changes nothing here).
   */
  #deliver(copy: StateCopy): NamedTensor[] {
    let snapshot = this.#snapshots.find((s) => s.version === copy.version && s.iterations === copy.iterations);
    if (snapshot !== undefined && snapshot.weights.some((w) => w.tensor.isDisposed)) {
      // A caller disposed some of them (they are ours, but still): start over for this state.
      tf.dispose(snapshot.weights.map((w) => w.tensor));
      this.#snapshots = this.#snapshots.filter((s) => s !== snapshot);
      snapshot = undefined;
    }
    if (snapshot === undefined) {
      const weights: NamedTensor[] = [{ name: 'iter', tensor: tf.scalar(copy.iterations, 'int32') }];
      for (const entry of copy.entries)
        weights.push({ name: entry.name, tensor: tf.tensor(entry.values, entry.shape, 'float32') });
      snapshot = { version: copy.version, iterations: copy.iterations, weights };
      this.#snapshots.push(snapshot);
    }
    return snapshot.weights.map((w) => ({ name: w.name, tensor: w.tensor }));
  }

  /**
   * The optimizer's state as TF.js names and orders it: `iter` first, then for each kind of
   * state (e.g. Adam's `m`, then `v`) one tensor per variable, named `${variable}/${kind}`.
   *
   * The state is taken when the call is made: steps taken while it is pending do not show, so
   * calls in flight together, or beside `minimize`/`applyGradients`, each get a consistent
   * snapshot (`iter` and the state of one moment). The tensors belong to the optimizer (do not
   * dispose them; calls at the same state share them): they stay valid until a getWeights()
   * call made after the state has changed (a step, setWeights, a hyperparameter change), or
   * until dispose(); clone them to keep them longer. If the optimizer is disposed before the
   * call resolves, it rejects and no tensors are left behind.
   */
  override async getWeights(): Promise<NamedTensor[]> {
    this.#checkAlive('getWeights');
    const copy = this.#copyState();
    this.#releaseStale();
    // Resolve in a later microtask, creating the tensors only then: a dispose() made right
    // after this call (before the caller can see the result) is seen here and rejects the call,
    // instead of handing out tensors it has already released.
    await null;
    if (this.#disposed) {
      throw new Error(
        `${this.getClassName()}.getWeights: the optimizer was disposed before this call resolved; no weights were kept`,
      );
    }
    return this.#deliver(copy);
  }

  /**
   * Restores state from getWeights() of this class or of the matching `tf.train.*` optimizer
   * (`iter` first, then each kind of state in turn), replacing all current state. The values
   * are copied. They attach to variables at the next applyGradients: by name when any saved
   * variable name is among that call's variables, otherwise by position in the call (TF.js's
   * rule; e.g. a model loaded beside the one that saved it has its variables renamed `…_1`).
   */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    this.#checkAlive('setWeights');
    const owner = this.getClassName();
    if (!Array.isArray(weightValues) || weightValues.length === 0) {
      throw new TypeError(`${owner}.setWeights: expected an array starting with the 'iter' weight`);
    }
    weightValues.forEach((weight, i) => {
      if (
        weight === null ||
        typeof weight !== 'object' ||
        typeof weight.name !== 'string' ||
        !(weight.tensor instanceof tf.Tensor)
      ) {
        throw new TypeError(`${owner}.setWeights: item ${i} is not a { name, tensor }`);
      }
      if (weight.tensor.isDisposed)
        throw new Error(`${owner}.setWeights: the tensor of ${JSON.stringify(weight.name)} has been disposed`);
    });
    if (weightValues[0]!.tensor.size !== 1) {
      throw new RangeError(
        `${owner}.setWeights: the first weight must be the 'iter' scalar, ` +
          `got ${JSON.stringify(weightValues[0]!.name)} ` +
          `of shape [${weightValues[0]!.tensor.shape}]`,
      );
    }
    const slots = this.stateSlots();
    const rest = weightValues.slice(1);
    if (slots.length === 0 ? rest.length !== 0 : rest.length % slots.length !== 0) {
      const perVariable = slots.map((s) => s.suffix).join(', ');
      const expected = slots.length === 0 ? 'none' : `a multiple of ${slots.length} (${perVariable} per variable)`;
      throw new RangeError(
        `${owner}.setWeights: got ${rest.length} state tensors besides 'iter'; expected ${expected}`,
      );
    }
    const count = slots.length === 0 ? 0 : rest.length / slots.length;
    const loaded: LoadedVariable[] = [];
    for (let j = 0; j < count; j++) {
      const first = rest[j]!;
      loaded.push({ name: stripSuffix(first.name, slots[0]!.suffix), shape: [...first.tensor.shape], buffers: [] });
    }
    for (let s = 0; s < slots.length; s++) {
      for (let j = 0; j < count; j++) {
        const weight = rest[s * count + j]!;
        if (weight.tensor.size !== sizeOf(loaded[j]!.shape)) {
          throw new RangeError(
            `${owner}.setWeights: ${JSON.stringify(weight.name)} has shape [${weight.tensor.shape}], ` +
              `but ${JSON.stringify(rest[j]!.name)} has [${loaded[j]!.shape}]`,
          );
        }
      }
    }
    // Start every read now, before the first await: the tensors may be released meanwhile
    // (e.g. our own getWeights() snapshot, by a getWeights() call after a step), and a read
    // started before that still completes.
    const reads = weightValues.map((weight) => weight.tensor.data());
    const data = await Promise.all(reads);
    if (this.#disposed) {
      throw new Error(`${owner}.setWeights: the optimizer was disposed before this call finished; nothing was loaded`);
    }
    const iterations = Number(data[0]![0]);
    if (!Number.isInteger(iterations) || iterations < 0) {
      throw new RangeError(`${owner}.setWeights: 'iter' must be a whole number ≥ 0, got ${iterations}`);
    }
    for (let s = 0; s < slots.length; s++) {
      for (let j = 0; j < count; j++)
        loaded[j]!.buffers.push(Float32Array.from(data[1 + s * count + j]! as ArrayLike<number>));
    }
    // Everything read: replace the state (the new optimizer first: if it cannot be made,
    // nothing changes). Snapshots handed out stay valid (see getWeights).
    const core = this.#newCore();
    this.iterations_ = iterations;
    this.afterSetWeights();
    this.#vars.clear();
    this.#replaceCore(core);
    this.#loaded = loaded;
    this.#version++;
  }

  /**
   * Releases the optimizer's memory: the wasm-optim optimizer's and the tensors getWeights()
   * handed out. Every later call throws (see the class); a second dispose() does nothing.
   */
  override dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    super.dispose();
    this.#releaseAll();
    this.#vars.clear();
    this.#loaded = null;
    disposeCore(this.#core);
  }
}

// The brand on instances too (the class has it as a static), for schedulers given an optimizer.
Object.defineProperty(WasmOptimizer.prototype, SCHEDULABLE, { value: true });

// Let `x instanceof WasmOptimAdam` be a real prototype check: tf.Optimizer's own
// Symbol.hasInstance duck-types, which its subclasses would inherit.
Object.defineProperty(WasmOptimizer, Symbol.hasInstance, {
  value(this: unknown, instance: unknown): boolean {
    return Function.prototype[Symbol.hasInstance].call(this, instance);
  },
});

/**
 * Releases a wasm-optim optimizer's WebAssembly memory, through its dispose() where it has one
 * (checked at run time so that this compiles against cores with and without it).
 */
function disposeCore(core: AnyCore): void {
  const dispose = (core as { dispose?: unknown }).dispose;
  if (typeof dispose === 'function') dispose.call(core);
}

/** A wasm-optim parameter of `size` elements, declared with `rows` when it is row-sparse (rows > 0). */
function paramInit(size: number, rows: number): ParamInit {
  return rows === 0 ? size : { data: size, rows };
}

/** settings.sparseVariables, checked and read once (names copied into a set); null when absent. */
function readSparseVariables(
  owner: string,
  settings: WasmOptimSettings | undefined,
  offered: boolean,
): ReadonlySet<string> | ((name: string, shape: readonly number[]) => boolean) | null {
  const given = (settings as { sparseVariables?: unknown } | undefined)?.sparseVariables;
  if (given === undefined) return null;
  if (!offered) {
    throw new TypeError(
      `${owner}: settings.sparseVariables is offered by adagrad() (WasmOptimAdagrad) only; ` +
        'tf.train has no row-sparse variant of this optimizer',
    );
  }
  if (typeof given === 'function') return given as (name: string, shape: readonly number[]) => boolean;
  if (Array.isArray(given) && given.every((name) => typeof name === 'string')) return new Set(given as string[]);
  throw new TypeError(
    `${owner}: settings.sparseVariables must be an array of variable names or a function (name, shape) => boolean`,
  );
}

/**
 * The rows of `grad` (a dense gradient of `rows` × width) to step, as a row-sparse gradient: a row is
 * skipped when every element is ±0, except an element −0 where the variable (`param`) holds −0 (TF.js
 * would turn that −0 into +0: −0 + +0). NaN, ±Inf and subnormals count as nonzero. Each row listed once.
 */
function touchedRows(grad: Float32Array, param: Float32Array, rows: number): SparseGrad {
  const width = grad.length / rows;
  // As int32: +0 is 0, −0 is −2^31; any other pattern is a nonzero number or a NaN.
  const g = new Int32Array(grad.buffer, grad.byteOffset, grad.length);
  const p = new Int32Array(param.buffer, param.byteOffset, param.length);
  const found: number[] = [];
  for (let row = 0, at = 0; row < rows; row++, at += width) {
    const end = at + width;
    // One branch-free pass over the row (the whole table is scanned, so this loop is the cost).
    let any = 0;
    for (let j = at; j < end; j++) any |= g[j]!;
    if (any === 0) continue; // all +0
    if ((any & 0x7fffffff) !== 0) {
      found.push(row);
      continue;
    }
    // All ±0 with some −0: stepped only if a −0 meets a −0 value.
    for (let j = at; j < end; j++) {
      if (g[j] !== 0 && p[j] === -0x80000000) {
        found.push(row);
        break;
      }
    }
  }
  const indices = Int32Array.from(found);
  const values = new Float32Array(indices.length * width);
  for (let k = 0; k < indices.length; k++) {
    const at = indices[k]! * width;
    values.set(grad.subarray(at, at + width), k * width);
  }
  return { indices, values };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

function stripSuffix(name: string, suffix: string): string {
  const tail = `/${suffix}`;
  return name.endsWith(tail) ? name.slice(0, -tail.length) : name;
}
