// The machinery the TF.js-facing optimizers share: a tf.Optimizer subclass holding one
// wasm-optim optimizer (flavor 'tfjs') whose parameters are created lazily, one per TF.js
// variable name, plus getWeights/setWeights in TF.js's names and order.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendChoice, BackendName } from '../backend/index.js';
import type { Optimizer as CoreOptimizer, ParamState } from '../optimizer.js';
import type { AuxKey, StateName } from '../spec.js';
import { readValues, writeValues } from './tensors.js';

/** Settings of the wasm-optim side, given after TF.js's own arguments. */
export interface WasmOptimSettings {
  /** Which wasm-optim kernels run the step: `'auto'` (default), `'simd'`, `'wasm'` or `'js'`. */
  backend?: BackendChoice;
}

/** A tensor with a name, as in `applyGradients`, `getWeights` and `setWeights`. */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** One kind of per-variable state: TF.js's weight-name suffix and the wasm-optim buffer. */
export interface StateSlot {
  readonly suffix: string;
  readonly state: StateName;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCore = CoreOptimizer<any>;
type CoreOptions = Record<string, unknown>;

interface Variable {
  readonly name: string;
  /** Index in the wasm-optim optimizer (0 is a zero-length placeholder). */
  readonly index: number;
  readonly size: number;
  readonly shape: number[];
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
type Patch = Map<number, {
  step: number;
  buffers?: Map<StateName, Float32Array>;
  aux?: Partial<Record<AuxKey, number>>;
}>;

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
 */
export abstract class WasmOptimizer extends tf.Optimizer {
  #core: AnyCore;
  readonly #settings: WasmOptimSettings;
  readonly #options: CoreOptions;
  readonly #vars = new Map<string, Variable>();
  /** State from setWeights not yet attached to variables; null when there is none. */
  #loaded: LoadedVariable[] | null = null;
  /** Tensors handed out by the last getWeights(), disposed by the next one or by dispose(). */
  #snapshot: tf.Tensor[] = [];
  #disposed = false;

  protected constructor(options: CoreOptions, settings: WasmOptimSettings | undefined) {
    super();
    this.#options = { ...options };
    this.#settings = { ...settings };
    this.#core = this.#newCore();
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
    return this.#core.backend;
  }

  /** The current value of a wasm-optim option. */
  protected option<T>(key: string): T {
    return this.#options[key] as T;
  }

  /** Sets a wasm-optim option for every variable (validated: an invalid value throws, nothing changes). */
  protected setOption(key: string, value: unknown): void {
    const groups = this.#core.paramGroups as readonly Record<string, unknown>[];
    for (const group of groups) group[key] = value;
    this.#options[key] = value;
  }

  #newCore(): AnyCore {
    return this.makeCore([0], { ...this.#options, flavor: 'tfjs', backend: this.#settings.backend ?? 'auto' });
  }

  #checkAlive(where: string): void {
    if (this.#disposed) throw new Error(`${this.getClassName()}.${where}: the optimizer has been disposed`);
  }

  /** Creates wasm-optim parameters for these variables (in order), returning their entries. */
  #addVariables(list: readonly { name: string; shape: number[] }[]): Variable[] {
    if (list.length === 0) return [];
    const first = this.#core.params.length;
    const sizes = list.map((v) => sizeOf(v.shape));
    this.#core.addParamGroup({ params: sizes, ...this.#options });
    return list.map((v, k) => {
      const entry: Variable = { name: v.name, index: first + k, size: sizes[k]!, shape: [...v.shape], synced: -1, written: null };
      this.#vars.set(v.name, entry);
      return entry;
    });
  }

  /**
   * Updates the variables by the given gradients (one wasm-optim step over all of them). A
   * variable whose gradient is null or missing keeps its value, but is registered (its state
   * is created), as in TF.js.
   */
  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    this.#checkAlive('applyGradients');
    const owner = this.getClassName();
    let names: string[];
    let grads: (tf.Tensor | null)[];
    if (Array.isArray(variableGradients)) {
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
      if (variable === undefined) throw new Error(`${owner}.applyGradients: no variable named ${JSON.stringify(name)} is registered`);
      if (variable.dtype !== 'float32') throw new TypeError(`${owner}.applyGradients: variable ${JSON.stringify(name)} is ${variable.dtype}; only float32 variables can be optimized`);
      const grad = grads[i];
      if (grad !== null && grad !== undefined) {
        if (grad.dtype !== 'float32') throw new TypeError(`${owner}.applyGradients: the gradient of ${JSON.stringify(name)} is ${grad.dtype}, expected float32`);
        if (grad.size !== variable.size) throw new RangeError(`${owner}.applyGradients: the gradient of ${JSON.stringify(name)} has shape [${grad.shape}], the variable [${variable.shape}]`);
      }
      return variable;
    });

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
    const gradArrays: (Float32Array | null)[] = new Array<Float32Array | null>(handles.length).fill(null);
    const stepped: { variable: tf.Variable; entry: Variable }[] = [];
    names.forEach((name, i) => {
      const grad = grads[i];
      if (grad === null || grad === undefined) return;
      const entry = this.#vars.get(name)!;
      // Copy the values in unless they are still those we wrote (assign, setWeights, … give
      // the variable a new dataId).
      if (variables[i]!.dataId !== entry.written) handles[entry.index]!.data.set(readValues(variables[i]!));
      gradArrays[entry.index] = readValues(grad);
      stepped.push({ variable: variables[i]!, entry });
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
        throw new RangeError(`${owner}.applyGradients: the state loaded by setWeights for ${JSON.stringify(entry.name)} (shape [${entry.shape}]) does not fit variable ${JSON.stringify(name)} (shape [${variables[i]!.shape}])`);
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
        else if (entry[slot.state] === undefined) entry[slot.state] = new Float32Array(variable.size).fill(this.initialValue(slot.state));
      }
      if (change.aux !== undefined) {
        Object.assign(entry, change.aux);
        variable.synced = this.iterations;
      }
      dict.state[index] = entry;
    }
    this.#core.loadStateDict(dict);
  }

  #releaseSnapshot(): void {
    tf.dispose(this.#snapshot);
    this.#snapshot = [];
  }

  /**
   * The optimizer's state as TF.js names and orders it: `iter` first, then for each kind of
   * state (e.g. Adam's `m`, then `v`) one tensor per variable, named `${variable}/${kind}`.
   * The tensors belong to the optimizer: they stay valid until the next getWeights(),
   * setWeights() or dispose() (clone them to keep them longer).
   */
  override async getWeights(): Promise<NamedTensor[]> {
    this.#checkAlive('getWeights');
    this.#releaseSnapshot();
    const weights: NamedTensor[] = [await this.saveIterations()];
    const slots = this.stateSlots();
    if (this.#loaded !== null) {
      slots.forEach((slot, s) => {
        for (const entry of this.#loaded!) {
          weights.push({ name: `${entry.name}/${slot.suffix}`, tensor: tf.tensor(entry.buffers[s]!.slice(), entry.shape, 'float32') });
        }
      });
    } else if (slots.length > 0) {
      const { state } = this.#core.stateDict();
      for (const slot of slots) {
        for (const v of this.#vars.values()) {
          const buffer = state[v.index]?.[slot.state] ?? new Float32Array(v.size).fill(this.initialValue(slot.state));
          weights.push({ name: `${v.name}/${slot.suffix}`, tensor: tf.tensor(buffer, v.shape, 'float32') });
        }
      }
    }
    this.#snapshot = weights.map((w) => w.tensor);
    return weights;
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
    const slots = this.stateSlots();
    const rest = weightValues.slice(1);
    if (slots.length === 0 ? rest.length !== 0 : rest.length % slots.length !== 0) {
      throw new RangeError(`${owner}.setWeights: got ${rest.length} state tensors besides 'iter'; expected ${slots.length === 0 ? 'none' : `a multiple of ${slots.length} (${slots.map((s) => s.suffix).join(', ')} per variable)`}`);
    }
    const iterations = (await weightValues[0]!.tensor.data())[0]!;
    const count = slots.length === 0 ? 0 : rest.length / slots.length;
    const loaded: LoadedVariable[] = [];
    for (let j = 0; j < count; j++) {
      const first = rest[j]!;
      loaded.push({ name: stripSuffix(first.name, slots[0]!.suffix), shape: [...first.tensor.shape], buffers: [] });
    }
    for (let s = 0; s < slots.length; s++) {
      for (let j = 0; j < count; j++) {
        const weight = rest[s * count + j]!;
        const entry = loaded[j]!;
        if (weight.tensor.size !== sizeOf(entry.shape)) {
          throw new RangeError(`${owner}.setWeights: ${JSON.stringify(weight.name)} has shape [${weight.tensor.shape}], but ${JSON.stringify(rest[j]!.name)} has [${entry.shape}]`);
        }
        entry.buffers.push(Float32Array.from(await weight.tensor.data()));
      }
    }
    // Everything read: replace the state.
    this.#releaseSnapshot();
    this.iterations_ = iterations;
    this.afterSetWeights();
    this.#vars.clear();
    this.#core = this.#newCore();
    this.#loaded = loaded;
  }

  /** Releases the optimizer's memory; it cannot be used afterwards. */
  override dispose(): void {
    super.dispose();
    this.#releaseSnapshot();
    this.#vars.clear();
    this.#loaded = null;
    this.#disposed = true;
  }
}

// Let `x instanceof WasmOptimAdam` be a real prototype check: tf.Optimizer's own
// Symbol.hasInstance duck-types, which its subclasses would inherit.
Object.defineProperty(WasmOptimizer, Symbol.hasInstance, {
  value(this: unknown, instance: unknown): boolean {
    return Function.prototype[Symbol.hasInstance].call(this, instance);
  },
});

function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

function stripSuffix(name: string, suffix: string): string {
  const tail = `/${suffix}`;
  return name.endsWith(tail) ? name.slice(0, -tail.length) : name;
}
