// The machinery every optimizer shares: parameter groups in linear memory, validation before
// any mutation, one kernel call per step, and a PyTorch-layout state dict. The algorithms
// themselves are described by an AlgorithmSpec (src/optimizers/*.ts) and a kernel.
import { createBackend, type Backend, type BackendChoice, type BackendName, BACKEND_NAMES, type FmaKind } from './backend/index.js';
import {
  RECORD_BYTES, REC_COUNT, REC_GRAD, REC_PARAM, REC_STATE0,
} from './backend/record.js';
import { describe, rangeError, typeError } from './errors.js';
import { checkKnownKeys, checkOptions, optionLabel, storedOption, type OptionPlace } from './options.js';
import { ParamHandle } from './param.js';
import { AUX_LENGTH, FLAVORS, type AlgorithmSpec, type Aux, type AuxKey, type Flavor, type FlavorSpec, type LoadableState, type StateName } from './spec.js';

/** A parameter given to an optimizer: your array (drop-in), or a length for a zeroed one. */
export type ParamInit = Float32Array | number;

/** A PyTorch-style parameter group: its parameters plus options overriding the defaults. */
export type ParamGroupInit<O> = { params: readonly ParamInit[] } & Partial<O>;

/** Options of the constructor: the algorithm's hyperparameters plus flavor and backend. */
export type OptimizerOptions<O> = Partial<O> & {
  /** Whose arithmetic to reproduce: `'torch'` (default) or `'tfjs'`. Also picks the defaults. */
  flavor?: Flavor;
  /** `'auto'` (default): SIMD Wasm if the engine validates it, else scalar Wasm, else JS. */
  backend?: BackendChoice;
};

/**
 * A live parameter group: change its options (e.g. `lr`) between steps. Each assignment is
 * validated on the spot (an invalid value throws and changes nothing); switching on an option
 * that needs a new state buffer (e.g. `momentum`) allocates it, which may grow the memory.
 */
export type ParamGroup<O> = O & { readonly params: readonly ParamHandle[] };

/**
 * One parameter's optimizer state, PyTorch's names (`step`, `sum`, `square_avg`, …). `step` is
 * absent where PyTorch keeps none (SGD).
 */
export type ParamState = { step?: number } & Partial<Record<StateName, Float32Array>>
  & Partial<Record<AuxKey, number>>;

/** The state dict, PyTorch's layout: state by parameter index, groups listing indices. */
export interface StateDict<O> {
  state: Record<number, ParamState>;
  param_groups: Array<O & { params: number[] }>;
}

/** The state dict accepted by loadStateDict: buffers may be any array of numbers. */
export interface StateDictInput<O> {
  state: Record<number, { step?: number } & Partial<Record<StateName, ArrayLike<number>>>
    & Partial<Record<AuxKey, number>>>;
  param_groups: ReadonlyArray<Partial<O> & { params: readonly number[] }>;
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
}

const SETTING_KEYS = ['flavor', 'backend'] as const;
const OPTION: OptionPlace = { prefix: 'option ', index: -1 };

export abstract class Optimizer<O extends object> {
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
    return this.#paramGroups;
  }
  /** The defaults for groups added later: the flavor's defaults overridden by the constructor's. */
  readonly defaults: Readonly<O>;

  readonly #spec: AlgorithmSpec<O>;
  readonly #optionKeys: readonly (keyof O & string)[];
  /** The algorithm's buffer names in PyTorch's state order. */
  readonly #stateOrder: readonly StateName[];
  readonly #flavorSpec: FlavorSpec<O>;
  readonly #impl: Backend;
  readonly #slots: Slot[] = [];
  #paramGroups: readonly ParamGroup<O>[] = Object.freeze([]);
  /** The handles of #slots, frozen; replaced (not mutated) when a group is added. */
  #handles: readonly ParamHandle[] = Object.freeze([]);
  /** The option values of each slot's group (the store behind its accessors), parallel to #slots. */
  readonly #slotOptions: O[] = [];
  /** The option values behind each of paramGroups, parallel to it. */
  readonly #groupOptions: O[] = [];
  #table = 0;
  #tableCapacity = 0;
  /** True after a zero-copy step: memory holds newer values than the users' arrays. */
  #memoryAhead = false;

  protected constructor(
    spec: AlgorithmSpec<O>,
    params: readonly ParamInit[] | readonly ParamGroupInit<O>[],
    options: OptimizerOptions<O> = {},
  ) {
    this.#spec = spec;
    this.#optionKeys = Object.keys(spec.rules) as (keyof O & string)[];
    this.#stateOrder = Object.keys(spec.slots) as StateName[];
    const owner = spec.name;
    if (options === null || typeof options !== 'object') {
      throw typeError(owner, `options must be an object, got ${describe(options)}`);
    }
    checkKnownKeys(owner, spec.rules, options, SETTING_KEYS, '');
    const flavor = options.flavor === undefined ? 'torch' : options.flavor;
    if (!FLAVORS.includes(flavor)) {
      throw rangeError(owner, `unknown flavor ${describe(flavor)} (expected one of ${FLAVORS.map((f) => `'${f}'`).join(', ')})`);
    }
    const backendChoice = options.backend === undefined ? 'auto' : options.backend;
    if (backendChoice !== 'auto' && !BACKEND_NAMES.includes(backendChoice)) {
      throw rangeError(owner, `unknown backend ${describe(backendChoice)} (expected 'auto', 'simd', 'wasm' or 'js')`);
    }
    this.flavor = flavor;
    const flavorSpec = spec.flavors[flavor];
    if (flavorSpec === undefined) {
      throw rangeError(owner, `flavor '${flavor}' is not available: the framework has no ${owner} (available: ${Object.keys(spec.flavors).map((f) => `'${f}'`).join(', ')})`);
    }
    this.#flavorSpec = flavorSpec;
    const defaults = { ...this.#flavorSpec.defaults } as O;
    for (const key of Object.keys(spec.rules) as (keyof O & string)[]) {
      if (options[key] !== undefined) defaults[key] = options[key] as O[typeof key];
    }
    this.#checkGroupOptions(defaults, OPTION);
    this.#storeOptions(defaults);
    this.defaults = Object.freeze(defaults);

    const groups = normalizeGroups(owner, params);
    groups.forEach((group, i) => this.#checkGroupInit(group, `param group ${i}: `, i === 0 ? [] : groups.slice(0, i)));

    try {
      this.#impl = createBackend(backendChoice);
    } catch (error) {
      throw new Error(`${owner}: ${(error as Error).message}`);
    }
    this.backend = this.#impl.name;
    this.fma = this.#impl.fma;
    for (const group of groups) this.#addGroup(group);
  }

  /** Size of this optimizer's linear memory in bytes (params, grads, state; grows as needed). */
  get memoryBytes(): number {
    return this.#impl.arena.memory.buffer.byteLength;
  }

  /** All parameters, in order: their `data`/`grad` views are the zero-copy interface. */
  get params(): readonly ParamHandle[] {
    return this.#handles;
  }

  /**
   * Adds a parameter group (PyTorch's `add_param_group`). Options it omits come from the
   * optimizer's `defaults`. May grow the memory: re-read `data`/`grad` of earlier handles.
   */
  addParamGroup(group: ParamGroupInit<O>): void {
    const owner = this.#spec.name;
    if (!isGroupObject(group)) {
      throw typeError(owner, `addParamGroup: the group must be an object { params, ...options }, got ${describe(group)}`);
    }
    const [normalized] = normalizeGroups(owner, [group], 'addParamGroup: ');
    this.#checkGroupInit(normalized!, 'addParamGroup: ', []);
    this.#addGroup(normalized!);
  }

  /**
   * Performs one optimization step on every parameter.
   *
   * - `step(grads)`, drop-in: `grads[i]` is the gradient of parameter i (a Float32Array of its
   *   length, or null to skip it as PyTorch skips a parameter whose grad is None). Your
   *   parameter arrays are read before and written after the step.
   * - `step()`, zero-copy: reads each `params[i].grad` in place and updates `params[i].data`;
   *   nothing is copied. Your own arrays are brought up to date by the next drop-in step.
   *
   * Throws (leaving parameters and state untouched) on invalid gradients. Allocates nothing.
   */
  step(grads?: readonly (Float32Array | null | undefined)[]): void {
    const slots = this.#slots;
    // Options were validated when set (see #makeGroup), so only the gradients remain to check.
    if (grads !== undefined) this.#checkGrads(grads);

    const arena = this.#impl.arena;
    const f32 = arena.f32;
    const u32 = arena.u32;
    const flavorSpec = this.#flavorSpec;
    let count = 0;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      const handle = slot.handle;
      if (grads !== undefined) {
        const grad = grads[i];
        if (grad === null || grad === undefined) continue;
        if (slot.source !== null && !this.#memoryAhead) f32.set(slot.source, handle.dataOffset >> 2);
        f32.set(grad, handle.gradOffset >> 2);
      }
      slot.step += 1;
      slot.hasState = true;
      const word = (this.#table + count * RECORD_BYTES) >> 2;
      u32[word + REC_PARAM] = handle.dataOffset;
      u32[word + REC_GRAD] = handle.gradOffset;
      u32[word + REC_STATE0] = slot.stateOffsets[0];
      u32[word + REC_STATE0 + 1] = slot.stateOffsets[1];
      u32[word + REC_STATE0 + 2] = slot.stateOffsets[2];
      u32[word + REC_COUNT] = handle.length;
      flavorSpec.writeRecord(f32, u32, word, this.#slotOptions[i]!, slot.step, slot.aux);
      count++;
    }
    this.#impl.kernels[flavorSpec.kernel](this.#table, count);

    if (grads !== undefined) {
      for (let i = 0; i < slots.length; i++) {
        const slot = slots[i]!;
        if (slot.source === null) continue;
        if (grads[i] === null || grads[i] === undefined) {
          if (!this.#memoryAhead) continue;
        }
        slot.source.set(slot.handle.data);
      }
      this.#memoryAhead = false;
    } else {
      this.#memoryAhead = true;
    }
  }

  /**
   * The optimizer state in PyTorch's layout: `{ state: { 0: { step, sum }, … },
   * param_groups: [{ lr, …, params: [0, 1] }] }`. Buffers are copies.
   */
  stateDict(): StateDict<O> {
    const state: Record<number, ParamState> = {};
    this.#slots.forEach((slot, i) => {
      if (!slot.hasState && !this.#spec.stateAtConstruction) return;
      const entry: ParamState = (this.#flavorSpec.stepInState ?? true) ? { step: slot.step } : {};
      const options = this.#slotOptions[i]!;
      this.#flavorSpec.auxKeys?.forEach((key, k) => { entry[key] = slot.aux[k]!; });
      for (const name of this.#shown(slot, options)) {
        const offset = slot.stateOffsets[this.#slotOf(name)];
        entry[name] = offset === 0
          ? new Float32Array(slot.handle.length).fill(this.#flavorSpec.initialValue(name, options))
          : this.#impl.arena.f32.slice(offset >> 2, (offset >> 2) + slot.handle.length);
      }
      state[i] = entry;
    });
    const param_groups = this.paramGroups.map((group) => {
      const copy: Record<string, unknown> = {};
      for (const key of Object.keys(this.#spec.rules)) copy[key] = (group as Record<string, unknown>)[key];
      copy['params'] = group.params.map((handle) => handle.index);
      return copy as O & { params: number[] };
    });
    return { state, param_groups };
  }

  /**
   * Restores a state dict made by `stateDict()` (or a JSON copy of one, buffers as number
   * arrays). Everything is validated first; on error nothing changes. A resumed run
   * continues bit-identically.
   */
  loadStateDict(dict: StateDictInput<O>): void {
    const owner = this.#spec.name;
    const where = 'loadStateDict';
    if (dict === null || typeof dict !== 'object') {
      throw typeError(owner, `${where}: the state dict must be an object, got ${describe(dict)}`);
    }
    const { state, param_groups: groups } = dict;
    if (!Array.isArray(groups)) {
      throw typeError(owner, `${where}: param_groups must be an array, got ${describe(groups)}`);
    }
    if (state === null || typeof state !== 'object' || Array.isArray(state)) {
      throw typeError(owner, `${where}: state must be an object keyed by parameter index, got ${describe(state)}`);
    }
    if (groups.length !== this.paramGroups.length) {
      throw rangeError(owner, `${where}: the state dict has ${groups.length} param groups, the optimizer ${this.paramGroups.length}`);
    }
    const newOptions: O[] = [];
    groups.forEach((group, g) => {
      const label = `${where}: param_groups[${g}]`;
      if (group === null || typeof group !== 'object') {
        throw typeError(owner, `${label} must be an object, got ${describe(group)}`);
      }
      checkKnownKeys(owner, this.#spec.rules, group, ['params'], `${where}: `, `param_groups[${g}].`);
      const ours = this.paramGroups[g]!;
      const ids = group.params;
      if (!Array.isArray(ids) || ids.length !== ours.params.length ||
          ids.some((id, k) => id !== ours.params[k]!.index)) {
        throw rangeError(owner, `${label}.params is ${describe(ids)}; expected [${ours.params.map((h) => h.index).join(', ')}]`);
      }
      const options = { ...this.defaults } as O;
      for (const key of Object.keys(this.#spec.rules) as (keyof O & string)[]) {
        const value = (group as Partial<O>)[key];
        if (value === undefined) {
          throw rangeError(owner, `${label} lacks option ${key}`);
        }
        options[key] = value as O[typeof key];
      }
      this.#checkGroupOptions(options, { prefix: 'param_groups[#].', index: g });
      this.#storeOptions(options);
      newOptions.push(options);
    });
    for (const key of Object.keys(state)) {
      const index = Number(key);
      if (!Number.isInteger(index) || String(index) !== key || index < 0 || index >= this.#slots.length) {
        throw rangeError(owner, `${where}: state has an entry for parameter ${describe(key)}; the optimizer has parameters 0 to ${this.#slots.length - 1}`);
      }
    }
    const groupOfSlot = this.#slotOptions.map((options) => this.#groupOptions.indexOf(options));
    this.#slots.forEach((slot, i) => {
      const entry = (state as Record<number, unknown>)[i];
      if (entry === undefined) return;
      const label = `${where}: state[${i}]`;
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry) || ArrayBuffer.isView(entry)) {
        throw typeError(owner, `${label} must be an object, got ${describe(entry)}`);
      }
      const record = entry as Record<string, unknown>;
      const auxKeys: readonly string[] = this.#flavorSpec.auxKeys ?? [];
      for (const key of auxKeys) {
        const value = record[key];
        if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
          throw typeError(owner, `${label}.${key} must be a finite number, got ${describe(value)}`);
        }
      }
      const step = record['step'];
      if (step !== undefined || (this.#flavorSpec.stepInState ?? true)) {
        if (typeof step !== 'number') {
          throw typeError(owner, `${label}.step must be a number, got ${describe(step)}`);
        }
        if (!Number.isInteger(step) || step < 0) {
          throw rangeError(owner, `${label}.step must be a whole number ≥ 0, got ${describe(step)}`);
        }
      }
      const { required, optional } = this.#loadable(newOptions[groupOfSlot[i]!]!);
      for (const name of Object.keys(record)) {
        if (name !== 'step' && !auxKeys.includes(name) && !required.includes(name as StateName) && !optional.includes(name as StateName)) {
          const allowed = [...((this.#flavorSpec.stepInState ?? true) ? ['step'] : []), ...required, ...optional, ...auxKeys];
          throw rangeError(owner, `${label} has an unexpected buffer ${describe(name)} (expected ${allowed.join(', ') || 'none'})`);
        }
      }
      for (const name of [...required, ...optional]) {
        const buffer = record[name];
        if (buffer === undefined && optional.includes(name)) continue;
        if (!isNumberArray(buffer)) {
          throw typeError(owner, `${label}.${name} must be a Float32Array or an array of numbers, got ${describe(buffer)}`);
        }
        if (buffer.length !== slot.handle.length) {
          throw rangeError(owner, `${label}.${name} has length ${buffer.length}, expected ${slot.handle.length} (the length of parameter ${i})`);
        }
      }
    });

    // Everything checked: apply. Whole option sets at once, not key by key through the
    // setters: each set was validated as a whole.
    this.#groupOptions.forEach((options, g) => Object.assign(options, newOptions[g]));
    const entries = this.#slots.map((_, i) =>
      (state as Record<number, Record<string, ArrayLike<number> | number | undefined>>)[i]);
    const arena = this.#impl.arena;
    this.#slots.forEach((slot, i) => {
      const entry = entries[i];
      const options = this.#slotOptions[i]!;
      slot.hasState = entry !== undefined;
      slot.step = entry === undefined ? 0 : ((entry['step'] as number | undefined) ?? 0);
      slot.aux.fill(0);
      const auxKeys = this.#flavorSpec.auxKeys;
      if (entry !== undefined && auxKeys !== undefined && auxKeys.every((key) => entry[key] !== undefined)) {
        auxKeys.forEach((key, k) => { slot.aux[k] = entry[key] as number; });
      } else if (entry !== undefined) {
        this.#flavorSpec.restoreAux?.(slot.aux, options, slot.step, (name) => entry[name] !== undefined);
      }
      // Live are exactly the buffers the entry brings (allocated here if new).
      for (const name of this.#stateOrder) {
        const s = this.#slotOf(name);
        slot.live[s] = entry?.[name] !== undefined;
        if (slot.live[s] && slot.stateOffsets[s] === 0) slot.stateOffsets[s] = arena.alloc(slot.handle.length * 4);
      }
    });
    this.#ensureState(); // buffers the options need but the dict lacked start afresh
    const f32 = arena.f32;
    this.#slots.forEach((slot, i) => {
      const entry = entries[i];
      if (entry === undefined) return;
      for (const name of this.#stateOrder) {
        const loaded = entry[name] as ArrayLike<number> | undefined;
        if (loaded !== undefined) f32.set(loaded, slot.stateOffsets[this.#slotOf(name)] >> 2);
      }
    });
  }

  // ---------------------------------------------------------------- internals

  #checkGroupOptions(options: O, place: OptionPlace): void {
    const owner = this.#spec.name;
    checkOptions(owner, this.#spec.rules, this.#optionKeys, options, place);
    const defaults = this.#flavorSpec.defaults;
    const unsupported = this.#flavorSpec.unsupported;
    for (let k = 0; k < unsupported.length; k++) {
      const key = unsupported[k]!;
      if (options[key] !== defaults[key]) {
        throw rangeError(owner, `${optionLabel(place, key)} = ${describe(options[key])} is not supported by flavor '${this.flavor}' (the framework has no such option; leave it at ${describe(defaults[key])})`);
      }
    }
    const problem = this.#flavorSpec.crossCheck?.(options);
    if (problem) throw rangeError(owner, `${place.prefix.replace('#', String(place.index))}${problem}`);
  }

  #checkGroupInit(group: ParamGroupInit<O>, where: string, earlier: readonly ParamGroupInit<O>[]): void {
    const owner = this.#spec.name;
    checkKnownKeys(owner, this.#spec.rules, group, ['params'], where);
    const merged = { ...this.defaults, ...definedOnly(group) } as O;
    delete (merged as { params?: unknown }).params;
    this.#checkGroupOptions(merged, { prefix: where, index: -1 });
    group.params.forEach((param, k) => {
      if (typeof param === 'number') {
        if (!Number.isInteger(param) || param < 0 || param > 0x3fffffff) {
          throw rangeError(owner, `${where}params[${k}] is ${describe(param)}; a parameter is a Float32Array or a whole number ≥ 0 (its length)`);
        }
      } else if (!(param instanceof Float32Array)) {
        throw typeError(owner, `${where}params[${k}] must be a Float32Array (or a length), got ${describe(param)}`);
      }
    });
    const seen = new Set<Float32Array>();
    const known = [...this.#slots.map((slot) => slot.source), ...earlier.flatMap((g) => g.params)];
    for (const param of group.params) {
      if (typeof param === 'number') continue;
      if (seen.has(param) || known.includes(param)) {
        throw rangeError(owner, `${where}the same Float32Array appears twice among the parameters`);
      }
      seen.add(param);
    }
  }

  #addGroup(init: ParamGroupInit<O>): void {
    const arena = this.#impl.arena;
    const options = { ...this.defaults, ...definedOnly(init) } as O & { params?: unknown };
    delete options.params;
    this.#storeOptions(options);
    const handles: ParamHandle[] = [];
    for (const param of init.params) {
      const length = typeof param === 'number' ? param : param.length;
      const bytes = length * 4;
      const index = this.#slots.length;
      const handle = new ParamHandle(arena, index, length, arena.alloc(bytes), arena.alloc(bytes));
      if (typeof param !== 'number') arena.f32.set(param, handle.dataOffset >> 2);
      handles.push(handle);
      this.#slots.push({
        handle,
        source: typeof param === 'number' ? null : param,
        stateOffsets: [0, 0, 0],
        step: 0,
        aux: new Float64Array(AUX_LENGTH),
        live: [false, false, false],
        hasState: false,
      });
      this.#slotOptions.push(options);
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
   * buffer the new options need, so step() neither re-validates nor allocates.
   */
  #makeGroup(options: O, params: readonly ParamHandle[], g: number): ParamGroup<O> {
    const group = {} as ParamGroup<O>;
    const place: OptionPlace = { prefix: 'paramGroups[#].', index: g };
    for (const key of this.#optionKeys) {
      Object.defineProperty(group, key, {
        enumerable: true,
        get: () => options[key],
        set: (value: O[typeof key]) => {
          this.#checkGroupOptions({ ...options, [key]: value }, place);
          options[key] = storedOption(this.#spec.rules[key], value) as O[typeof key];
          this.#ensureState();
        },
      });
    }
    Object.defineProperty(group, 'params', { value: params, enumerable: true });
    return Object.seal(group);
  }

  /** The buffers the state dict shows for a parameter: its live ones, or the flavor's say. */
  #shown(slot: Slot, options: O): readonly StateName[] {
    return this.#flavorSpec.shownState?.(options, slot.aux)
      ?? this.#stateOrder.filter((name) => slot.live[this.#slotOf(name)]);
  }

  /** What a loaded entry must and may hold: the options' buffers, and any other of the algorithm's. */
  #loadable(options: O): LoadableState {
    const custom = this.#flavorSpec.loadable?.(options);
    if (custom !== undefined) return custom;
    const required = this.#flavorSpec.buffers(options);
    return { required, optional: this.#stateOrder.filter((name) => !required.includes(name)) };
  }

  /** The record slot of one of this algorithm's buffers. */
  #slotOf(name: StateName): 0 | 1 | 2 {
    const slot = this.#spec.slots[name];
    if (slot === undefined) throw new Error(`${this.#spec.name}: no record slot for state ${name}`);
    return slot;
  }

  /** Stores a validated option set as the optimizer keeps it (pairs as frozen copies). */
  #storeOptions(options: O): void {
    for (const key of this.#optionKeys) {
      options[key] = storedOption(this.#spec.rules[key], options[key]) as O[typeof key];
    }
  }

  /** Allocates state buffers the current options need (e.g. after momentum was switched on). */
  #ensureState(): void {
    const arena = this.#impl.arena;
    for (let i = 0; i < this.#slots.length; i++) {
      const slot = this.#slots[i]!;
      const options = this.#slotOptions[i]!;
      const names = this.#flavorSpec.buffers(options);
      for (let k = 0; k < names.length; k++) {
        const name = names[k]!;
        const s = this.#slotOf(name);
        if (slot.live[s]) continue;
        // A buffer the options now need starts at its initial value (reusing old memory if any).
        if (slot.stateOffsets[s] === 0) slot.stateOffsets[s] = arena.alloc(slot.handle.length * 4);
        const at = slot.stateOffsets[s] >> 2;
        arena.f32.fill(this.#flavorSpec.initialValue(name, options), at, at + slot.handle.length);
        slot.live[s] = true;
      }
    }
  }

  #checkGrads(grads: readonly (Float32Array | null | undefined)[]): void {
    const owner = this.#spec.name;
    if (!Array.isArray(grads)) {
      throw typeError(owner, `step(grads): grads must be an array of Float32Array, got ${describe(grads)}`);
    }
    if (grads.length !== this.#slots.length) {
      throw rangeError(owner, `step(grads): got ${grads.length} gradients for ${this.#slots.length} parameters`);
    }
    for (let i = 0; i < grads.length; i++) {
      const grad = grads[i];
      if (grad === null || grad === undefined) continue;
      if (!(grad instanceof Float32Array)) {
        throw typeError(owner, `step(grads): grads[${i}] must be a Float32Array (or null to skip), got ${describe(grad)}`);
      }
      const length = this.#slots[i]!.handle.length;
      if (grad.length !== length) {
        throw rangeError(owner, `step(grads): grads[${i}] has length ${grad.length}, expected ${length} (the length of parameter ${i})`);
      }
    }
  }
}

/** `context` names the groups in messages: undefined for the constructor ("param group i: "). */
function normalizeGroups<O>(owner: string, params: unknown, context?: string): ParamGroupInit<O>[] {
  if (!Array.isArray(params)) {
    throw typeError(owner, `params must be an array of Float32Array or of param groups, got ${describe(params)}`);
  }
  if (params.length === 0) throw rangeError(owner, 'params is an empty list (an optimizer needs at least one parameter)');
  if (params.every(isGroupObject)) {
    return params.map((group: ParamGroupInit<O>, i) => {
      const where = context ?? `param group ${i}: `;
      if (!Array.isArray(group.params)) {
        throw typeError(owner, `${where}params must be an array, got ${describe(group.params)}`);
      }
      if (group.params.length === 0) throw rangeError(owner, `${where}params is an empty list`);
      return group;
    });
  }
  if (params.some(isGroupObject)) {
    throw typeError(owner, 'params mixes param groups and bare parameters; give either a list of Float32Array or a list of groups');
  }
  return [{ params } as unknown as ParamGroupInit<O>];
}

function isGroupObject(p: unknown): boolean {
  return p !== null && typeof p === 'object' && !ArrayBuffer.isView(p) && !Array.isArray(p);
}

function definedOnly<T extends object>(object: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(object) as (keyof T)[]) {
    if (object[key] !== undefined) out[key] = object[key];
  }
  return out;
}

function isNumberArray(value: unknown): value is ArrayLike<number> {
  if (value instanceof Float32Array || value instanceof Float64Array) return true;
  return Array.isArray(value) && value.every((x) => typeof x === 'number');
}

