// A learning-rate schedule as a model.fit callback. tfjs-layers wraps any plain object in
// `callbacks` into a CustomCallback that calls its onEpochBegin/onEpochEnd/onBatchBegin/onBatchEnd,
// so no tfjs-layers import is needed (this entry depends on tfjs-core only). The object also has
// BaseCallback's setParams/setModel, because tfjs-layers does not wrap the items of a callbacks
// array whose first item is a BaseCallback (e.g. `[tf.callbacks.earlyStopping(), schedule]`).
import { describe } from '../errors.js';
import { WasmOptimizer } from './optimizer.js';

/** Keras's schedule function: the learning rate for epoch (or step) `index`, given the current one. */
export type ScheduleFunction = (index: number, currentLr: number) => number;

/** A wasm-optim LR scheduler (e.g. from `wasm-optim`'s schedulers) built over the optimizer's paramGroups. */
export interface LrScheduler {
  /** Advances the schedule and sets the optimizer's learning rate. */
  step(): void;
  /** The learning rates the last step set, one per param group. */
  getLastLr(): readonly number[];
}

/** Options of learningRateSchedule. */
export interface LearningRateScheduleOptions {
  /** Whether the schedule advances once per epoch (default, as Keras) or once per batch (training step). */
  per?: 'epoch' | 'batch';
}

/**
 * The callback learningRateSchedule returns: pass it in `model.fit(x, y, { callbacks: [it] })`. A
 * plain object with tfjs-layers' callback hooks (CustomCallbackArgs) and BaseCallback's
 * setParams/setModel (no-ops), so it works wrapped or not; its methods do not use `this`.
 */
export interface LearningRateScheduleCallback {
  /** Whether the schedule advances once per epoch or once per batch. */
  readonly per: 'epoch' | 'batch';
  /** `per: 'epoch'` with a function: sets the rate of the epoch that begins. */
  onEpochBegin(epoch: number, logs?: unknown): Promise<void>;
  /** `per: 'epoch'` with a scheduler: advances it (`scheduler.step()`). */
  onEpochEnd(epoch: number, logs?: unknown): Promise<void>;
  /** `per: 'batch'` with a function: sets the rate of the batch that begins. */
  onBatchBegin(batch: number, logs?: unknown): Promise<void>;
  /** `per: 'batch'` with a scheduler: advances it. */
  onBatchEnd(batch: number, logs?: unknown): Promise<void>;
  /** tfjs-layers hook (no-op). */
  onTrainBegin(logs?: unknown): Promise<void>;
  /** tfjs-layers hook (no-op). */
  onTrainEnd(logs?: unknown): Promise<void>;
  /** BaseCallback's (no-op). */
  setParams(params: unknown): void;
  /** BaseCallback's (no-op). */
  setModel(model: unknown): void;
}

const OWNER = 'learningRateSchedule';

/**
 * A `model.fit` callback that sets `optimizer`'s learning rate by `schedule`, once per epoch or
 * once per batch:
 *
 * - a function `(index, currentLr) => newLr`, as Keras's `LearningRateScheduler(schedule)`: called
 *   at the start of each epoch with the epoch index (counted as fit counts it, from
 *   `initialEpoch`), or with `per: 'batch'` at the start of each batch with the optimizer's
 *   `iterations` (the steps it has taken: a global step, continuing across fit calls), and the
 *   returned rate is used for that epoch or batch. It must return a number the optimizer accepts
 *   (finite, ≥ 0): otherwise fit stops with an error naming the index, and the rate is unchanged.
 * - a wasm-optim LR scheduler (`step()`, `getLastLr()`) made over this optimizer: as in PyTorch,
 *   it has set the first rate when made, and its `step()` is called at the end of each epoch (or
 *   batch) to set the next.
 *
 * ```ts
 * const opt = sgd(0.1);
 * model.compile({ optimizer: opt, loss: 'meanSquaredError' });
 * const decay = learningRateSchedule(opt, (epoch, lr) => (epoch < 5 ? lr : lr * 0.9));
 * await model.fit(xs, ys, { epochs: 10, callbacks: [decay] });
 * ```
 *
 * Throws a TypeError naming the argument when `optimizer` is not a `wasm-optim/tfjs` optimizer,
 * `schedule` is neither a function nor a scheduler (or a scheduler over another optimizer), or
 * `per` is not `'epoch'` or `'batch'`.
 */
export function learningRateSchedule(
  optimizer: WasmOptimizer,
  schedule: ScheduleFunction | LrScheduler,
  options: LearningRateScheduleOptions = {},
): LearningRateScheduleCallback {
  if (!(optimizer instanceof WasmOptimizer)) {
    throw new TypeError(
      `${OWNER}: optimizer must be a wasm-optim/tfjs optimizer (such as sgd(0.1) of wasm-optim/tfjs), ` +
        `got ${describe(optimizer)}`,
    );
  }
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${OWNER}: options must be an object such as { per: 'epoch' }, got ${describe(options)}`);
  }
  const per = options.per ?? 'epoch';
  if (per !== 'epoch' && per !== 'batch') {
    throw new TypeError(`${OWNER}: options.per must be 'epoch' or 'batch', got ${describe(per)}`);
  }
  const setLr = (lr: number): void => {
    (optimizer as unknown as { learningRate: number }).learningRate = lr;
  };
  const getLr = (): number => (optimizer as unknown as { learningRate: number }).learningRate;
  /** Sets the rate for `index` from the function (at the start of an epoch or batch). */
  let begin: (index: number) => void = () => {};
  /** Advances the scheduler (at the end of an epoch or batch). */
  let end: () => void = () => {};
  if (typeof schedule === 'function') {
    const fn = schedule;
    begin = (index) => {
      const lr = fn(index, getLr());
      if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
        throw new RangeError(
          `${OWNER}: the schedule returned ${describe(lr)} for ${per} ${index}; ` +
            'it must return a finite learning rate ≥ 0 (the rate was left unchanged)',
        );
      }
      setLr(lr);
    };
  } else if (isScheduler(schedule)) {
    const owner = (schedule as { optimizer?: unknown }).optimizer;
    if (owner !== undefined && owner !== optimizer) {
      throw new TypeError(`${OWNER}: the scheduler drives another optimizer than the one given`);
    }
    const scheduler = schedule;
    end = () => scheduler.step();
  } else {
    throw new TypeError(
      `${OWNER}: schedule must be a function (index, currentLr) => newLr or a wasm-optim LR scheduler ` +
        `(an object with step() and getLastLr()), got ${describe(schedule)}`,
    );
  }
  const perEpoch = per === 'epoch';
  return {
    per,
    async onEpochBegin(epoch: number): Promise<void> {
      if (perEpoch) begin(epoch);
    },
    async onEpochEnd(): Promise<void> {
      if (perEpoch) end();
    },
    async onBatchBegin(): Promise<void> {
      if (!perEpoch) begin(optimizer.iterations);
    },
    async onBatchEnd(): Promise<void> {
      if (!perEpoch) end();
    },
    async onTrainBegin(): Promise<void> {},
    async onTrainEnd(): Promise<void> {},
    setParams(): void {},
    setModel(): void {},
  };
}

function isScheduler(value: unknown): value is LrScheduler {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as LrScheduler).step === 'function' &&
    typeof (value as LrScheduler).getLastLr === 'function'
  );
}
