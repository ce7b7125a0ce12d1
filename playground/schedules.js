// The lr schedules the race can apply: one of the library's PyTorch schedulers per optimizer, its
// options derived from the race budget and the optimizer's own (base) lr — the lr slider's value
// for every method but Adadelta, which keeps its defaults. Momentum (or Adam's beta1) is cycled
// by OneCycleLR, and momentum by CyclicLR, only where the optimizer has it (SGD's momentum 0,
// like RMSprop's, stays 0: cycling it would turn them into other methods).

/**
 * @typedef {object} Schedule
 * @property {string} id
 * @property {string} label
 * @property {string | null} className  the wasm-optim export; null: no scheduler
 * @property {(lr: number, budget: number, group: Record<string, any>) => Record<string, unknown>} options
 */

/** The optimizer group has a momentum to cycle (a nonzero `momentum`, or `betas` when betas count). */
const hasMomentum = (/** @type {Record<string, any>} */ group, betas = true) =>
  group.momentum > 0 || (betas && Array.isArray(group.betas));

/** Cycles of CyclicLR over the budget. */
const CYCLES = 4;

/** @type {Schedule[]} */
export const SCHEDULES = [
  { id: 'none', label: 'none', className: null, options: () => ({}) },
  {
    id: 'step',
    label: 'StepLR',
    className: 'StepLR',
    options: (_lr, budget) => ({ stepSize: Math.round(budget / 5), gamma: 0.5 }),
  },
  {
    id: 'exponential',
    label: 'ExponentialLR',
    className: 'ExponentialLR',
    // lr·gamma^budget = lr/100
    options: (_lr, budget) => ({ gamma: 0.01 ** (1 / budget) }),
  },
  {
    id: 'cosine',
    label: 'CosineAnnealingLR',
    className: 'CosineAnnealingLR',
    options: (_lr, budget) => ({ tMax: budget }),
  },
  {
    id: 'onecycle',
    label: 'OneCycleLR',
    className: 'OneCycleLR',
    options: (lr, budget, group) => ({ maxLr: lr, totalSteps: budget, cycleMomentum: hasMomentum(group) }),
  },
  {
    id: 'cyclic',
    label: 'CyclicLR',
    className: 'CyclicLR',
    // PyTorch's CyclicLR cycles `momentum` only, not Adam's beta1.
    options: (lr, budget, group) => ({
      baseLr: lr / 10,
      maxLr: lr,
      stepSizeUp: budget / CYCLES / 2,
      cycleMomentum: hasMomentum(group, false),
    }),
  },
];

/** @param {string} id */
export function scheduleById(id) {
  return SCHEDULES.find((s) => s.id === id) ?? SCHEDULES[0];
}

/**
 * The scheduler of `schedule` on `opt` (null for none), built from the optimizer's current lr.
 * @param {Record<string, any>} lib  the wasm-optim module
 * @param {Schedule} schedule
 * @param {any} opt
 * @param {number} budget
 */
export function makeScheduler(lib, schedule, opt, budget) {
  if (schedule.className === null) return null;
  const group = opt.paramGroups[0];
  return new lib[schedule.className](opt, schedule.options(group.lr, budget, group));
}
