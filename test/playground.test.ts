// The playground's defaults (playground/index.html, surfaces.js), checked in Node with the same
// Race the page animates: on the default surface at the default lr, every method ends near the
// minimum, and each shows what the page's text says about it. The page itself is tested in
// Chromium by test/e2e/playground.test.ts.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as lib from '../src/index.js';

type Point = [number, number];
interface Runner {
  method: { id: string };
  status: string;
  error: string | null;
  path: Point[];
  effective: number[][];
}
interface Surface {
  id: string;
  f(x: number, y: number): number;
  start: Point;
  minimum: Point;
}

interface RaceLike {
  done: boolean;
  step(): void;
  runners: Runner[];
}
/** The playground's plain-JS modules (they carry JSDoc, not declarations), as this test uses them. */
const load = <T>(file: string): Promise<T> =>
  import(/* @vite-ignore */ new URL(`../playground/${file}`, import.meta.url).href);

const html = readFileSync(new URL('../playground/index.html', import.meta.url), 'utf8');
/** A slider's default, as main.js reads it (log sliders: 10^value to 3 significant digits). */
const slider = (id: string, log: boolean): number => {
  const value = Number(new RegExp(`<input id="${id}"[^>]* value="([^"]+)"`).exec(html)?.[1]);
  return log ? Number((10 ** value).toPrecision(3)) : value;
};

describe('the playground defaults: narrow valley 0.1·w² + 10·b², lr 0.0891, from (−2, 1.5)', () => {
  const settings = {
    lr: slider('lr', true),
    eps: slider('eps', true),
    alpha: slider('alpha', false),
    momentum: slider('momentum', false),
  };
  let surface: Surface;
  let runs: Map<string, Runner>;

  beforeAll(async () => {
    const { SURFACES } = await load<{ SURFACES: Surface[] }>('surfaces.js');
    const { availableMethods } = await load<{ availableMethods(l: typeof lib): unknown[] }>('methods.js');
    const { Race } = await load<{ Race: new (...args: unknown[]) => RaceLike }>('race.js');
    const { scheduleById } = await load<{ scheduleById(id: string): unknown }>('schedules.js');
    surface = SURFACES[0]!;
    const race = new Race(
      lib,
      availableMethods(lib),
      surface,
      surface.start,
      settings,
      {
        flavor: 'torch',
        backend: 'auto',
      },
      scheduleById('none'),
    );
    while (!race.done) race.step();
    runs = new Map(race.runners.map((r) => [r.method.id, r]));
  });

  const loss = (p: Point): number => surface.f(p[0], p[1]);

  it('is the narrow valley at an lr where SGD overshoots across it but is stable (1 < lr·20 < 2)', () => {
    expect(surface.id).toBe('valley');
    const main = readFileSync(new URL('../playground/main.js', import.meta.url), 'utf8');
    expect(main).toContain("selectSurface('valley');");
    expect(html).toContain('Why plain SGD zig-zags');
    expect(settings.lr).toBe(0.0891);
    expect(settings.lr * 20).toBeGreaterThan(1);
    expect(settings.lr * 20).toBeLessThan(2);
  });

  it('every method finishes the budget without diverging, far below the starting loss', () => {
    const start = loss(surface.start);
    expect(start).toBeCloseTo(22.9, 5);
    for (const [id, run] of runs) {
      expect(run.error, id).toBeNull();
      expect(run.status, id).toBe('finished');
      expect(loss(run.path.at(-1)!), id).toBeLessThan(start / 100);
    }
    expect([...runs.keys()]).toEqual(expect.arrayContaining(['sgd', 'momentum', 'adagrad', 'rmsprop', 'adam']));
  });

  it('SGD zig-zags across the valley, each bounce 0.78 times the last, then creeps along it and converges', () => {
    const { path } = runs.get('sgd')!;
    const factor = 1 - 20 * settings.lr; // −0.782
    for (let t = 1; t <= 20; t++) {
      expect(Math.sign(path[t]![1]), `step ${t} crosses the valley floor`).toBe(-Math.sign(path[t - 1]![1]));
      expect(path[t]![1] / path[t - 1]![1]).toBeCloseTo(factor, 5);
    }
    // Along the valley: 1.8 % of the way left per step, so 100 steps still leave 16 % of it.
    expect(path[100]![0] / path[0]![0]).toBeCloseTo((1 - 0.2 * settings.lr) ** 100, 4);
    expect(Math.hypot(...path[100]!)).toBeGreaterThan(0.25);
    expect(loss(path.at(-1)!)).toBeLessThan(1e-6);
  });

  it('Momentum overshoots the minimum along the valley, then settles', () => {
    const { path } = runs.get('momentum')!;
    const crossings = path.slice(1).filter(([w], i) => Math.sign(w) !== Math.sign(path[i]![0])).length;
    expect(crossings).toBeGreaterThan(3);
    expect(loss(path.at(-1)!)).toBeLessThan(1e-12);
  });

  it("adaptive methods start out diagonal; Adagrad's steps only shrink; RMSprop hops by ~lr/2; Adam settles", () => {
    for (const id of ['adagrad', 'rmsprop', 'adam']) {
      const [p0, p1] = runs.get(id)!.path as [Point, Point];
      expect(Math.abs(p1[0] - p0[0]) / Math.abs(p1[1] - p0[1]), id).toBeCloseTo(1, 2);
    }
    const ada = runs.get('adagrad')!;
    for (const c of [0, 1])
      expect(ada.effective.every((e, i) => i === 0 || e[c]! <= ada.effective[i - 1]![c]!)).toBe(true);
    expect(Math.hypot(...ada.path.at(-1)!)).toBeLessThan(0.1);
    const rms = runs.get('rmsprop')!.path.at(-1)!;
    for (const v of rms) expect(Math.abs(v)).toBeLessThan(settings.lr);
    expect(loss(runs.get('adam')!.path.at(-1)!)).toBeLessThan(1e-12);
  });
});
