// One race: every method starts from the same point on one surface and steps through the
// library's optimizers, one iteration at a time, each with its own lr scheduler when a schedule
// is chosen (stepped after each opt.step()). Records each method's path, the lr of each step, and
// the per-coordinate effective step size. No drawing here.
import { makeScheduler } from './schedules.js';

/** Iterations per race: the animation budget. */
export const BUDGET = 500;

/** A point this far outside the drawn region (in region widths) has left for good. */
const ESCAPE = 50;

/**
 * @typedef {import('./methods.js').Method} Method
 * @typedef {import('./methods.js').Settings} Settings
 * @typedef {import('./surfaces.js').Surface} Surface
 * @typedef {import('./schedules.js').Schedule} Schedule
 * @typedef {object} Runner
 * @property {Method} method
 * @property {'running' | 'finished' | 'diverged' | 'escaped' | 'unavailable'} status
 * @property {string | null} error
 * @property {string | null} backend  the optimizer's backend (opt.backend)
 * @property {[number, number][]} path  the start, then the point after each step
 * @property {number[][]} effective  per step, the effective step size of each coordinate
 * @property {number[]} lrs  per step, the lr it used (its param group's, as scheduled)
 * @property {any} opt
 * @property {any} scheduler  the optimizer's lr scheduler, or null
 */

export class Race {
  /**
   * @param {Record<string, any>} lib  the wasm-optim module
   * @param {Method[]} methods
   * @param {Surface} surface
   * @param {[number, number]} start
   * @param {Settings} settings
   * @param {{ flavor: 'torch' | 'tfjs', backend: string }} config
   * @param {Schedule} schedule
   */
  constructor(lib, methods, surface, start, settings, config, schedule) {
    this.surface = surface;
    this.start = start;
    this.settings = settings;
    this.config = config;
    this.schedule = schedule;
    this.iteration = 0;
    /** @type {Runner[]} */
    this.runners = methods.map((method) => {
      /** @type {Runner} */
      const runner = {
        method,
        status: 'running',
        error: null,
        backend: null,
        path: [[start[0], start[1]]],
        effective: [],
        lrs: [],
        opt: null,
        scheduler: null,
      };
      try {
        runner.opt = new lib[method.className]([Float32Array.from(start)], { ...method.options(settings), ...config });
        runner.backend = runner.opt.backend;
        runner.path[0] = [...runner.opt.params[0].data]; // the start point in float32
        runner.scheduler = makeScheduler(lib, schedule, runner.opt, BUDGET);
      } catch (error) {
        runner.status = 'unavailable';
        runner.error = error instanceof Error ? error.message : String(error);
      }
      return runner;
    });
  }

  get done() {
    return this.runners.every((r) => r.status !== 'running');
  }

  /** One iteration of every running method; at the budget they are 'finished'. */
  step() {
    if (this.done) return;
    this.iteration++;
    for (const runner of this.runners) {
      if (runner.status === 'running') this.#advance(runner);
      if (runner.status === 'running' && this.iteration >= BUDGET) runner.status = 'finished';
    }
  }

  /** @param {Runner} runner */
  #advance(runner) {
    const { opt, method } = runner;
    const param = opt.params[0];
    const [x, y] = param.data;
    const [gx, gy] = this.surface.grad(x, y);
    param.grad[0] = gx; // zero-copy: write where the kernel reads (rounded to float32)
    param.grad[1] = gy;
    const g = [...param.grad];
    runner.lrs.push(opt.paramGroups[0].lr);
    opt.step();
    const next = /** @type {[number, number]} */ ([...param.data]);
    runner.path.push(next);
    runner.effective.push(
      method.effective
        ? method.effective(opt.stateDict().state[0] ?? {}, opt.paramGroups[0], this.config.flavor, this.iteration)
        : next.map((v, i) => (Math.abs(g[i]) > 1e-30 ? Math.abs(v - [x, y][i]) / Math.abs(g[i]) : NaN)),
    );
    try {
      runner.scheduler?.step(); // after the effective step: that is the lr this step used
    } catch (error) {
      runner.status = 'diverged';
      runner.error = error instanceof Error ? error.message : String(error);
      return;
    }
    const {
      x: [x0, x1],
      y: [y0, y1],
    } = this.surface.domain;
    if (!next.every(Number.isFinite)) runner.status = 'diverged';
    else if (
      Math.abs(next[0] - (x0 + x1) / 2) > ESCAPE * (x1 - x0) ||
      Math.abs(next[1] - (y0 + y1) / 2) > ESCAPE * (y1 - y0)
    ) {
      runner.status = 'escaped';
    }
  }
}
