// End to end: `npm run playground`'s server and page in Chromium, driven like a user. On the
// default narrow valley 0.1·w² + 10·b² (the seed notes' "different units" problem, made steeper)
// RMSprop and Adagrad reach the minimum's neighbourhood within the animation budget, while plain
// SGD at the same lr zig-zags across the valley, then creeps along it — read from the page's data
// (window.playground), not from pixels. test/playground.test.ts checks the defaults in Node.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumLaunchOptions } from './chromium.js';
import { outputDir, ROOT } from './output.js';

type Point = [number, number];
interface Run {
  id: string;
  backend: string | null;
  status: string;
  error: string | null;
  path: Point[];
  effective: number[][];
  /** The lr each step used. */
  lrs: number[];
}
interface PageData {
  surface: string;
  minimum: Point | null;
  start: Point;
  settings: Record<string, number>;
  flavor: string;
  backend: string;
  schedule: string;
  budget: number;
  iteration: number;
  done: boolean;
  runs: Run[];
}
declare global {
  interface Window {
    playground: {
      data: PageData;
      bench: Array<{ algorithm: string; backend: string; nsPerElement: number }> | null;
      toCanvas(x: number, y: number): Point;
    };
  }
}

/** The neighbourhood of the valley's minimum (0, 0): 0.25 in a 6 × 4 plot. */
const NEAR = 0.25;
const norm = ([x, y]: Point): number => Math.hypot(x, y);

let server: ChildProcess;
let url: string;
let browser: Browser;

beforeAll(async () => {
  server = spawn(process.execPath, ['playground/serve.mjs', '--port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  url = await new Promise<string>((resolve, reject) => {
    server.stdout!.on('data', (chunk: Buffer) => {
      const found = /http:\/\/\S+/.exec(String(chunk));
      if (found) resolve(found[0]);
    });
    server.on('exit', (code) => reject(new Error(`playground server exited with ${code}`)));
  });
  browser = await chromium.launch(chromiumLaunchOptions());
});

afterAll(async () => {
  await browser?.close();
  server?.kill();
});

/** A fresh page of the playground; collects page errors and any request off its own origin. */
async function open(path = ''): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1260, height: 860 } });
  const problems: string[] = [];
  const origin = new URL(url).origin;
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  page.on('request', (req) => {
    if (!req.url().startsWith(origin) && !req.url().startsWith('data:')) problems.push(`network: ${req.url()}`);
  });
  await page.goto(url + path);
  await page.waitForFunction(() => window.playground?.data.runs.length > 0);
  return { page, problems };
}

async function clickStart(page: Page, start: Point): Promise<PageData> {
  const [x, y] = await page.evaluate(([a, b]) => window.playground.toCanvas(a, b), start);
  await page.locator('#surface').click({ position: { x, y } });
  await page.waitForFunction(() => window.playground.data.done, null, { timeout: 60_000 });
  return page.evaluate(() => window.playground.data);
}

describe('the playground', () => {
  let page: Page;
  let problems: string[];
  let data: PageData;

  beforeAll(async () => {
    ({ page, problems } = await open());
    data = await clickStart(page, [-2, 1.5]);
  });

  afterAll(async () => {
    await page?.close();
  });

  it('starts every method at the clicked point on the narrow valley, on SIMD, without network or errors', () => {
    expect(data.surface).toBe('valley');
    expect(Math.abs(data.start[0] + 2)).toBeLessThan(0.02); // within a pixel or two
    expect(Math.abs(data.start[1] - 1.5)).toBeLessThan(0.02);
    expect(data.runs.map((r) => r.id)).toEqual(expect.arrayContaining(['sgd', 'momentum', 'adagrad', 'rmsprop']));
    for (const run of data.runs) {
      expect(run.error, run.id).toBeNull();
      expect(run.backend, run.id).toBe('simd');
      expect(run.path[0], run.id).toEqual(data.runs[0]!.path[0]);
    }
    expect(problems).toEqual([]);
  });

  it('RMSprop and Adagrad reach the minimum within the animation budget', () => {
    expect(data.iteration).toBe(data.budget);
    for (const id of ['rmsprop', 'adagrad']) {
      const { path } = data.runs.find((r) => r.id === id)!;
      expect(path).toHaveLength(data.budget + 1);
      expect(
        path.findIndex((p) => norm(p) < NEAR),
        `${id} enters the neighbourhood`,
      ).toBeGreaterThan(0);
      expect(norm(path.at(-1)!), `${id} ends near the minimum`).toBeLessThan(NEAR);
    }
  });

  it('plain SGD at the same lr zig-zags across the valley, dying down, then creeps along it', () => {
    const sgd = data.runs.find((r) => r.id === 'sgd');
    expect(sgd, 'SGD is in the playground once wasm-optim exports it').toBeDefined();
    expect(data.settings['lr']).toBe(0.0891); // lr·20 = 1.78: overshoots across, stable (< 2)
    const { path } = sgd!;
    // Zig-zag: b crosses the valley floor at each of the first 20 steps, each time closer.
    for (let t = 1; t <= 20; t++) {
      expect(Math.sign(path[t]![1]), `step ${t}`).toBe(-Math.sign(path[t - 1]![1]));
      expect(Math.abs(path[t]![1]), `step ${t}`).toBeLessThan(Math.abs(path[t - 1]![1]));
    }
    // Creep: 100 steps in, still outside the neighbourhood that the adaptive methods reach …
    expect(norm(path[100]!)).toBeGreaterThan(NEAR);
    // … yet it converges within the budget.
    expect(norm(path.at(-1)!)).toBeLessThan(0.01);
  });

  it("charts Adagrad's effective step shrinking for good while RMSprop's recovers", () => {
    const effective = (id: string, coord: number): number[] =>
      data.runs.find((r) => r.id === id)!.effective.map((e) => e[coord]!);
    for (const coord of [0, 1]) {
      const ada = effective('adagrad', coord);
      expect(ada).toHaveLength(data.budget);
      expect(
        ada.every((v, i) => i === 0 || v <= ada[i - 1]!),
        'Adagrad: never grows',
      ).toBe(true);
      const rms = effective('rmsprop', coord);
      expect(Math.max(...rms.slice(data.budget / 2)), 'RMSprop: grows back').toBeGreaterThan(
        Math.min(...rms.slice(0, data.budget / 2)),
      );
    }
  });

  it('benchmarks SIMD, scalar Wasm and JS in this browser', async () => {
    await page.locator('#bench').click();
    await page.waitForFunction(() => window.playground.bench !== null, null, { timeout: 90_000 });
    const rows = await page.evaluate(() => window.playground.bench!);
    expect(rows.map((r) => `${r.algorithm}/${r.backend}`).sort()).toEqual([
      'Adagrad/js',
      'Adagrad/simd',
      'Adagrad/wasm',
      'RMSprop/js',
      'RMSprop/simd',
      'RMSprop/wasm',
    ]);
    for (const row of rows) expect(row.nsPerElement).toBeGreaterThan(0);
    await page.screenshot({ path: join(outputDir(), 'playground-valley.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('steps at a cosine schedule’s lr and takes another path (the same on replay and on js)', async () => {
    expect(data.schedule).toBe('none');
    for (const run of data.runs) expect(new Set(run.lrs), run.id).toEqual(new Set([run.lrs[0]]));
    /** The finished race once the page shows this schedule and backend choice. */
    const settle = async (schedule: string, backend: string): Promise<PageData> => {
      await page.waitForFunction(
        ([s, b]) => {
          const d = window.playground.data;
          return d.schedule === s && d.backend === b && d.iteration > 0 && d.done;
        },
        [schedule, backend],
        { timeout: 60_000 },
      );
      return page.evaluate(() => window.playground.data);
    };
    await page.locator('#schedule').selectOption('cosine');
    const cos = await settle('cosine', 'auto');
    expect(cos.start).toEqual(data.start);
    const lr = cos.settings['lr']!;
    const byId = (d: PageData, id: string): Run => d.runs.find((r) => r.id === id)!;
    for (const run of cos.runs) {
      expect(run.error, run.id).toBeNull();
      const base = byId(data, run.id).lrs[0]!; // the slider's lr, Adadelta's own
      expect(run.lrs, run.id).toHaveLength(cos.budget);
      expect(run.lrs[0], run.id).toBe(base);
      expect(run.lrs.at(-1)!, `${run.id}: ends near etaMin = 0`).toBeLessThan(1e-4 * base);
      expect(
        run.lrs.every((v, i) => i === 0 || v <= run.lrs[i - 1]!),
        `${run.id}: never grows`,
      ).toBe(true);
      // PyTorch's recursive form, within rounding of the closed form (base/2)(1 + cos(πt/T))
      const off = run.lrs.map((v, t) => Math.abs(v - (base / 2) * (1 + Math.cos((Math.PI * t) / cos.budget))));
      expect(Math.max(...off), run.id).toBeLessThan(1e-12 * base);
    }
    const sgd = byId(cos, 'sgd');
    expect(sgd.lrs[0]).toBe(lr);
    expect(sgd.effective).toEqual(sgd.lrs.map((v) => [v, v]));
    // The schedule's effect: as the lr falls, SGD creeps along the valley more slowly still, and
    // RMSprop's hopping around the minimum (steps of about lr) dies down.
    expect(sgd.path).not.toEqual(byId(data, 'sgd').path);
    expect(norm(sgd.path.at(-1)!)).toBeGreaterThan(10 * norm(byId(data, 'sgd').path.at(-1)!));
    expect(norm(sgd.path.at(-1)!)).toBeLessThan(NEAR);
    expect(norm(byId(data, 'rmsprop').path.at(-1)!)).toBeGreaterThan(0.01);
    expect(norm(byId(cos, 'rmsprop').path.at(-1)!)).toBeLessThan(1e-6);

    const bits = (d: PageData): string[][] =>
      d.runs.map((r) => [...r.path.flat(), ...r.lrs].map((v) => (Object.is(v, -0) ? '-0' : String(v))));
    await page.locator('#replay').click();
    expect(bits(await settle('cosine', 'auto'))).toEqual(bits(cos));
    await page.locator('#backend').selectOption('js');
    const js = await settle('cosine', 'js');
    expect(js.runs.map((r) => r.backend)).toEqual(js.runs.map(() => 'js'));
    expect(bits(js)).toEqual(bits(cos));

    await page.locator('#backend').selectOption('auto');
    await page.locator('#schedule').selectOption('none');
    expect(bits(await settle('none', 'auto'))).toEqual(bits(data));
    expect(problems).toEqual([]);
  });

  it('draws every surface and finishes each race', async () => {
    for (const surface of ['bowl', 'rosenbrock', 'saddle', 'beale', 'valley']) {
      await page.locator(`#surfaces button[data-surface="${surface}"]`).click();
      await page.waitForFunction(() => window.playground.data.done, null, { timeout: 60_000 });
      const d = await page.evaluate(() => window.playground.data);
      expect(d.surface).toBe(surface);
      expect(d.runs.filter((r) => r.status === 'unavailable')).toEqual([]);
    }
    expect(problems).toEqual([]);
  });

  it('switches flavor to tfjs', async () => {
    await page.locator('input[name=flavor][value=tfjs]').check();
    await page.waitForFunction(() => window.playground.data.flavor === 'tfjs' && window.playground.data.done, null, {
      timeout: 60_000,
    });
    const d = await page.evaluate(() => window.playground.data);
    for (const id of ['adagrad', 'rmsprop']) expect(d.runs.find((r) => r.id === id)!.error).toBeNull();
    expect(problems).toEqual([]);
  });
});

it('under a CSP without wasm-unsafe-eval the page runs on the JS backend, with the same bits', async () => {
  const [{ page: blocked }, { page: normal }] = await Promise.all([open('?nowasm'), open()]);
  try {
    const [a, b] = await Promise.all([clickStart(blocked, [2.5, -1]), clickStart(normal, [2.5, -1])]);
    expect(await blocked.locator('#backend-badge').textContent()).toBe('backend: js');
    expect(await normal.locator('#backend-badge').textContent()).toBe('backend: simd');
    expect(a.runs.map((r) => r.id)).toEqual(b.runs.map((r) => r.id));
    a.runs.forEach((run, k) => {
      expect(run.backend).toBe('js');
      expect(run.path.flat().map((v) => (Object.is(v, -0) ? '-0' : String(v)))).toEqual(
        b.runs[k]!.path.flat().map((v) => (Object.is(v, -0) ? '-0' : String(v))),
      );
    });
  } finally {
    await blocked.close();
    await normal.close();
  }
});
