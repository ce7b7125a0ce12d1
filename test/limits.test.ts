// The memory limit: an optimizer's parameters, gradients, state and tensor records live in one
// memory of at most 4 GiB (wasm32's address space; the JS backend keeps the same limit). A
// parameter of n elements takes 4 · (2 + buffers) · n bytes (data, gradient, state buffers), each
// buffer rounded up to 16 bytes, plus a 64-byte record, above the kernels' static data (the
// Wasm heap base). README "Limits" quotes the numbers these tests check.
//
// 1. In this process, cheap (nothing is touched: memory is mapped lazily): for every algorithm
//    and flavor with every state buffer on (FULL_CONFIGS), with its default options and with
//    some of its buffers (the README's table), the largest single parameter n, from the formula
//    above, fits on every backend and n + 1 throws a RangeError naming the class, the element
//    count, the bytes and "4 GiB"; every backend refuses the same n + 1. The same for a set of
//    tensors; at the limit, addParamGroup, an option and a state dict that need a new buffer
//    throw and change nothing (the other parameters step on bit-identically).
//
// 2. In child processes (test/limits/step-sampled.mjs on dist/, so that the gigabytes touched go
//    back to the system when each exits), one tensor just under the limit is stepped twice
//    (zero-copy) and a set of tensors whose memory passes 2 GiB is stepped twice, each checked at
//    a few hundred sampled indices (first and last, around element 2^27 and 2^28, where a
//    buffer's byte offset crosses 1, 2 or 3 GiB, random) against a small reference optimizer
//    holding only the sampled values, and at unsampled indices against the reference's zero
//    element.
//
// Cost and schedule. First-touch page faults dominate: the first step over a tensor just under
// the limit touches ~4 GiB, 16–30 s on the development VM (slow faults, 5–9 s per GiB; up to 45 s
// under load), the second step 0.2–3 s on Wasm and 3–17 s on the JS backend. Two children at once
// were slower in total than one after the other there (85 s vs 77 s for two: the faults do not
// overlap), so the children run one at a time. By default one near-limit tensor per
// bytes-per-element class, each class on another backend (the whole file: 107–114 s there):
//     8 B  SGD tfjs             js    (the slowest backend on the lightest kernel)
//    12 B  Adagrad torch        wasm
//    16 B  Adam tfjs            simd
//    20 B  Adam torch, amsgrad  simd  (the backend 'auto' picks, on the most state)
// plus the set of tensors (Adam torch with its default options, 16 B, ~2.1 GiB) on wasm.
// WASM_OPTIM_LIMITS=all steps every FULL_CONFIGS entry on every backend and the set on every
// backend (39 children, 19 min there); WASM_OPTIM_LIMITS=off skips the stepping.
//
// The stepping runs only where the machine has the memory: os.totalmem() ≥ 12 GiB and, before
// each child, os.freemem() ≥ 8 GiB (a child peaks at ~4.1 GiB resident; the rest is headroom
// for the test files running beside this one); and dist/index.js must exist (npm run build).
// Otherwise those tests are skipped with the reason printed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, type TestContext } from 'vitest';
import { availableBackends, type BackendName } from '../src/index.js';
import { OPTIMIZERS, type AnyOptimizer } from '../src/registry.js';
import { limitConfigs, untouchedOptions as quietOptions } from './helpers/algorithms.js';
import { FULL_CONFIGS, bytesPerElement, make, type FullConfig } from './helpers/full-options.js';
import { encode } from './helpers/snapshot.js';

const FOUR_GIB = 2 ** 32;
const TWO_GIB = 2 ** 31;
const GIB = 2 ** 30;
const RECORD_BYTES = 64;
/** The longest parameter the constructor accepts (checked before the memory). */
const MAX_ELEMENTS = 2 ** 30 - 1;

const backends = availableBackends();
const live: AnyOptimizer[] = [];
afterEach(() => {
  live.splice(0).forEach((opt) => opt.dispose());
});

const alignUp = (bytes: number): number => Math.ceil(bytes / 16) * 16;
const nameOf = (config: FullConfig): string => `${config.algorithm} ${config.flavor}`;
const className = (algorithm: string): string => OPTIMIZERS[algorithm]!.name;

/** Where a backend's first allocation starts: the kernels' static data end there. */
function heapBase(backend: BackendName): number {
  const probe = make('sgd', [4], { backend });
  const base = probe.params[0]!.dataOffset;
  probe.dispose();
  return base;
}

/** Bytes the constructor reserves for one group of parameters of `lengths`. */
function requestBytes(lengths: readonly number[], buffers: number): number {
  const tensors = lengths.reduce((sum, n) => sum + (2 + buffers) * alignUp(4 * n), 0);
  return tensors + alignUp(lengths.length * RECORD_BYTES);
}

/** The largest single parameter that fits above `base`: every buffer a multiple of 16 bytes. */
function largestParameter(base: number, buffers: number): number {
  return 4 * Math.floor((FOUR_GIB - base - RECORD_BYTES) / (16 * (2 + buffers)));
}

/**
 * Options for constructing at the limit without touching memory. Adagrad fills `sum` with
 * initialAccumulatorValue at construction (0.1 in the tfjs flavor): 1.3 GiB of page faults for
 * nothing but a fit check; the table's `untouched` options avoid that. The value does not change
 * what is allocated; the refused side of each check uses the configuration's own options.
 */
function untouchedOptions(config: FullConfig, backend: BackendName): Record<string, unknown> {
  const options = { ...config.options, flavor: config.flavor, backend };
  return { ...options, ...quietOptions(config.algorithm) };
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

function expectLimitError(error: unknown, algorithm: string, request: string, bytes: number): void {
  expect(error).toBeInstanceOf(RangeError);
  const message = (error as RangeError).message;
  expect(message.startsWith(`${className(algorithm)}: `), message).toBe(true);
  expect(message).toContain(request);
  expect(message).toContain(`(${bytes} bytes)`);
  expect(message).toContain('4 GiB');
}

/**
 * The configurations README "Limits" tabulates: every algorithm and flavor with all its state
 * buffers on, with its default options, and with some of its buffers (the table's `partial`).
 */
const LIMIT_CONFIGS: readonly FullConfig[] = limitConfigs();

const bases = new Map(backends.map((backend) => [backend, heapBase(backend)] as const));

describe('the memory limit (in this process; nothing is touched)', () => {
  describe.each(
    LIMIT_CONFIGS.map(
      (c) => [`${nameOf(c)} ${JSON.stringify(c.options)} (${bytesPerElement(c)} B/element)`, c] as const,
    ),
  )('%s', (_name, config) => {
    it.each(backends)('backend %s: the largest single parameter fits and one element more throws', (backend) => {
      const n = largestParameter(bases.get(backend)!, config.buffers);
      expect(n, 'the limit binds before the per-tensor maximum').toBeLessThan(MAX_ELEMENTS);
      const opt = make(config.algorithm, [n], untouchedOptions(config, backend));
      expect(opt.backend).toBe(backend);
      expect(opt.memoryBytes).toBeLessThanOrEqual(FOUR_GIB);
      expect(opt.memoryBytes).toBeGreaterThan(FOUR_GIB - 2 ** 17);
      opt.dispose();
      const error = thrown(() =>
        make(config.algorithm, [n + 1], { ...config.options, flavor: config.flavor, backend }),
      );
      expectLimitError(
        error,
        config.algorithm,
        `1 parameter of ${n + 1} elements`,
        requestBytes([n + 1], config.buffers),
      );
    });
  });

  it('every backend refuses the same parameters (the arena promises it)', () => {
    const accepted: string[] = [];
    for (const config of LIMIT_CONFIGS) {
      const smallest = Math.min(...backends.map((backend) => largestParameter(bases.get(backend)!, config.buffers)));
      for (const backend of backends) {
        const error = thrown(() => make(config.algorithm, [smallest + 1], untouchedOptions(config, backend)).dispose());
        if (!(error instanceof RangeError))
          accepted.push(`${nameOf(config)}: backend ${backend} accepts ${smallest + 1} elements`);
      }
    }
    expect(accepted, `refused elsewhere; heap bases ${JSON.stringify(Object.fromEntries(bases))}`).toEqual([]);
  });

  it.each(backends)('backend %s: a set of tensors reaches the same total, less a record per tensor', (backend) => {
    // Adam with its defaults, 16 bytes per element; lengths multiples of 4 (no padding).
    const count = 10;
    const total = 4 * Math.floor((FOUR_GIB - bases.get(backend)! - alignUp(count * RECORD_BYTES)) / 64);
    const lengths = Array.from({ length: count }, () => 4 * Math.floor(total / 4 / count));
    lengths[count - 1] = total - lengths.slice(0, -1).reduce((a, b) => a + b, 0);
    const opt = make('adam', lengths, { backend });
    expect(opt.params.length).toBe(count);
    expect(opt.memoryBytes).toBeGreaterThan(FOUR_GIB - 2 ** 17);
    opt.dispose();
    const more = [...lengths.slice(0, -1), lengths[count - 1]! + 1];
    const error = thrown(() => make('adam', more, { backend }));
    expectLimitError(error, 'adam', `${count} parameters of ${total + 1} elements in total`, requestBytes(more, 2));
  });

  it.each(backends)(
    'backend %s: at the limit, addParamGroup, an option and a state dict that need a buffer throw and change nothing',
    (backend) => {
      const small = Float32Array.from([0.5, -1.25, 3, 0.125, -2]);
      const options = { lr: 0.01, backend };
      // Adam (16 bytes per element) with a large parameter that leaves less than 64 bytes free.
      const big =
        4 * Math.floor((FOUR_GIB - bases.get(backend)! - 2 * RECORD_BYTES - 4 * alignUp(4 * small.length)) / 64);
      const mine = small.slice();
      const opt = make('adam', [big, mine], options);
      const alone = make('adam', [small.slice()], options);
      live.push(opt, alone);
      const memory = opt.memoryBytes;
      const grads = [1, 2, 3].map((t) => Float32Array.from(small, (x, k) => Math.fround(Math.sin(t * 7 + k) * x)));
      opt.step([null, grads[0]!]);
      alone.step([grads[0]!]);

      const added = thrown(() => opt.addParamGroup({ params: [1] }));
      // Its data, gradient and two state buffers, and a new record table for three parameters.
      expectLimitError(
        added,
        'adam',
        'addParamGroup: 1 parameter of 1 elements',
        4 * alignUp(4) + alignUp(3 * RECORD_BYTES),
      );
      const group = opt.paramGroups[0] as unknown as Record<string, unknown>;
      const switched = thrown(() => {
        group['amsgrad'] = true;
      });
      expect(switched).toBeInstanceOf(RangeError);
      expect((switched as Error).message).toContain('paramGroups[0].amsgrad = true');
      expect((switched as Error).message).toContain(`(${alignUp(4 * big) + alignUp(4 * small.length)} bytes)`);
      expect((switched as Error).message).toContain('4 GiB');
      // A dict switching amsgrad on: the large parameter (no state yet) needs its buffer too.
      const saved = opt.stateDict();
      (saved.param_groups[0] as Record<string, unknown>)['amsgrad'] = true;
      saved.state[1]!.max_exp_avg_sq = saved.state[1]!.exp_avg_sq!.slice();
      const loaded = thrown(() => opt.loadStateDict(saved));
      expect(loaded).toBeInstanceOf(RangeError);
      expect((loaded as Error).message).toContain('loadStateDict');
      expect((loaded as Error).message).toContain('4 GiB');
      expect(group['amsgrad']).toBe(false);
      expect(opt.params.length).toBe(2);
      expect(opt.paramGroups.length).toBe(1);
      expect(opt.memoryBytes).toBe(memory);

      for (const grad of grads.slice(1)) {
        opt.step([null, grad]);
        alone.step([grad]);
      }
      expect(encode(mine)).toEqual(encode(alone.params[0]!.data));
      expect(encode(opt.stateDict().state[1])).toEqual(encode(alone.stateDict().state[0]));
    },
  );

  it('a parameter longer than 2^30 − 1 elements is refused before the memory is asked', () => {
    for (const backend of backends) {
      const error = thrown(() => make('sgd', [MAX_ELEMENTS + 1], { backend }));
      expect(error).toBeInstanceOf(RangeError);
      expect((error as Error).message).toContain(`a whole number from 0 to ${MAX_ELEMENTS}`);
      const longest = thrown(() => make('sgd', [MAX_ELEMENTS], { backend, flavor: 'tfjs' }));
      expectLimitError(longest, 'sgd', `1 parameter of ${MAX_ELEMENTS} elements`, requestBytes([MAX_ELEMENTS], 0));
    }
  });
});

// ---------------------------------------------------------------- stepping, in child processes

const CHILD = fileURLToPath(new URL('./limits/step-sampled.mjs', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const MODE = (process.env['WASM_OPTIM_LIMITS'] ?? 'default').toLowerCase();
const NEED_TOTAL = 12 * GIB;
const NEED_FREE = 8 * GIB;
/** A child took 18–63 s here (85 s beside another); generous for a loaded CI runner. */
const CHILD_TIMEOUT_MS = 360_000;

function gib(bytes: number): string {
  return `${(bytes / GIB).toFixed(1)} GiB`;
}

const skipReason = ((): string | null => {
  if (MODE === 'off' || MODE === '0') return 'WASM_OPTIM_LIMITS=off';
  if (os.totalmem() < NEED_TOTAL)
    return `the machine has ${gib(os.totalmem())} of memory; stepping near the 4 GiB limit needs ${gib(NEED_TOTAL)}`;
  if (os.freemem() < NEED_FREE)
    return `${gib(os.freemem())} of memory is free; stepping near the 4 GiB limit needs ${gib(NEED_FREE)}`;
  if (!existsSync(DIST)) return `${DIST} is missing (npm run build): the children step the built package`;
  return null;
})();
if (skipReason !== null) {
  console.warn(`test/limits.test.ts: skipping the steps near the memory limit: ${skipReason}`);
}

interface Job {
  readonly config: FullConfig;
  readonly backend: BackendName;
  readonly lengths: readonly number[];
}

interface ChildResult {
  ok: boolean;
  error?: string;
  backend: string;
  memoryBytes: number;
  rssBytes: number;
  compared: number;
  crossings: { param: number; buffer: number; byte: number; index: number }[];
  mismatches: unknown[];
  mismatchCount: number;
  timesMs: Record<string, number>;
}

/** The FULL_CONFIGS entry of an algorithm and flavor (with `buffers` buffers, if given). */
function configNamed(name: string, buffers?: number): FullConfig {
  const config = FULL_CONFIGS.find((c) => nameOf(c) === name && (buffers === undefined || c.buffers === buffers));
  if (config === undefined) throw new Error(`no FULL_CONFIGS entry ${name}`);
  return config;
}

/** A backend of the schedule, or the fastest available one where this engine lacks it. */
function pick(backend: BackendName): BackendName {
  return backends.includes(backend) ? backend : backends[0]!;
}

/** Elements of the largest single parameter on a backend: one tensor just under the limit. */
function nearLimit(config: FullConfig, backend: BackendName): number {
  return largestParameter(bases.get(backend)!, config.buffers);
}

/**
 * Adam with its default options (16 bytes per element), tensors of several lengths mod 16 whose
 * memory passes 2 GiB.
 */
const SET_CONFIG: FullConfig = { algorithm: 'adam', flavor: 'torch', options: { lr: 0.01 }, buffers: 2 };
const SET_LENGTHS: readonly number[] = Array.from({ length: 9 }, (_, k) => 15_300_000 + 4_093 * k + k);

const DEFAULT_NEAR_LIMIT: readonly Job[] = [
  { config: configNamed('sgd tfjs', 0), backend: pick('js') },
  { config: configNamed('adagrad torch'), backend: pick('wasm') },
  { config: configNamed('adam tfjs'), backend: pick('simd') },
  { config: configNamed('adam torch'), backend: pick('simd') },
].map((job) => ({ ...job, lengths: [nearLimit(job.config, job.backend)] }));

const nearLimitJobs: readonly Job[] =
  MODE === 'all'
    ? FULL_CONFIGS.flatMap((config) =>
        backends.map((backend) => ({ config, backend, lengths: [nearLimit(config, backend)] })),
      )
    : DEFAULT_NEAR_LIMIT;
const setJobs: readonly Job[] = (MODE === 'all' ? backends : [pick('wasm')]).map((backend) => ({
  config: SET_CONFIG,
  backend,
  lengths: SET_LENGTHS,
}));

function runChild(
  job: Job,
  extra: Record<string, unknown> = {},
  timeout = CHILD_TIMEOUT_MS,
): { result: ChildResult; wallMs: number } {
  const input = {
    algorithm: job.config.algorithm,
    flavor: job.config.flavor,
    options: job.config.options,
    buffers: job.config.buffers,
    backend: job.backend,
    lengths: job.lengths,
    ...extra,
  };
  const started = performance.now();
  const child = spawnSync(process.execPath, [CHILD, JSON.stringify(input)], {
    encoding: 'utf8',
    timeout,
    maxBuffer: 2 ** 24,
  });
  const wallMs = Math.round(performance.now() - started);
  if (child.error !== undefined) throw new Error(`the child failed to run: ${child.error.message}`);
  const line = child.stdout.trim().split('\n').at(-1) ?? '';
  if (child.status !== 0 || line === '') {
    throw new Error(`the child exited with ${child.status ?? child.signal}: ${child.stderr.slice(-2000)} ${line}`);
  }
  return { result: JSON.parse(line) as ChildResult, wallMs };
}

function skipUnlessFree(ctx: TestContext): void {
  const free = os.freemem();
  if (free < NEED_FREE) {
    const reason = `only ${gib(free)} of memory is free now; a step near the limit needs ${gib(NEED_FREE)}`;
    console.warn(`test/limits.test.ts: skipping: ${reason}`);
    ctx.skip(reason);
  }
}

function report(job: Job, result: ChildResult, wallMs: number): void {
  const t = result.timesMs;
  console.log(
    `limits: ${nameOf(job.config)} on ${result.backend}: ${job.lengths.length} × ${job.lengths[0]}… elements, ` +
      `${gib(result.memoryBytes)} memory, ${gib(result.rssBytes)} resident, ${result.compared} elements compared; ` +
      `child ${(wallMs / 1000).toFixed(1)} s (step 1 ${(t['step1']! / 1000).toFixed(1)} s, step 2 ` +
      `${(t['step2']! / 1000).toFixed(1)} s)`,
  );
}

function expectMatches(result: ChildResult): void {
  expect(result.error).toBeUndefined();
  expect(result.mismatchCount, `mismatches: ${JSON.stringify(result.mismatches)}`).toBe(0);
  expect(result.ok).toBe(true);
  expect(
    result.crossings.filter((c) => c.byte === TWO_GIB).length,
    'some buffer crosses the 2 GiB byte offset',
  ).toBeGreaterThan(0);
}

describe.skipIf(!existsSync(DIST))('the child check (small, built package)', () => {
  it('matches the reference, and reports a mismatch when the reference differs', () => {
    const job: Job = { config: configNamed('rmsprop torch'), backend: backends[0]!, lengths: [1001, 37, 50_000] };
    const good = runChild(job, {}, 60_000).result;
    expect(good.ok, JSON.stringify(good.mismatches)).toBe(true);
    expect(good.compared).toBeGreaterThan(600);
    const bad = runChild(job, { referenceOptions: { lr: 0.02 } }, 60_000).result;
    expect(bad.ok).toBe(false);
    expect(bad.mismatchCount).toBeGreaterThan(500);
  }, 120_000);
});

describe.skipIf(skipReason !== null)(
  `stepping near the limit and past 2 GiB (child processes, ` +
    `${MODE === 'all' ? 'every configuration' : 'default schedule'})`,
  () => {
    it('the default schedule covers every bytes-per-element class', () => {
      const classes = (configs: readonly FullConfig[]): number[] =>
        [...new Set(configs.map(bytesPerElement))].sort((a, b) => a - b);
      expect(classes(DEFAULT_NEAR_LIMIT.map((job) => job.config))).toEqual(classes(FULL_CONFIGS));
    });

    for (const job of nearLimitJobs) {
      const n = job.lengths[0]!;
      it(`${nameOf(job.config)} on ${job.backend}: one tensor of ${n} elements (${bytesPerElement(job.config)} B ` +
        `each, just under 4 GiB), two steps, sampled`, {
        timeout: CHILD_TIMEOUT_MS + 30_000,
      }, (ctx) => {
        skipUnlessFree(ctx);
        const { result, wallMs } = runChild(job);
        report(job, result, wallMs);
        expect(result.backend).toBe(job.backend);
        expect(result.memoryBytes).toBeGreaterThan(FOUR_GIB - 2 ** 17);
        expectMatches(result);
      });
    }

    for (const job of setJobs) {
      const total = job.lengths.reduce((a, b) => a + b, 0);
      it(`adam torch on ${job.backend}: ${job.lengths.length} tensors, ${total} elements in total (memory past 2 ` +
        `GiB), two steps, sampled`, {
        timeout: CHILD_TIMEOUT_MS + 30_000,
      }, (ctx) => {
        skipUnlessFree(ctx);
        const { result, wallMs } = runChild(job);
        report(job, result, wallMs);
        expect(result.backend).toBe(job.backend);
        expect(result.memoryBytes).toBeGreaterThan(TWO_GIB);
        expectMatches(result);
      });
    }
  },
);
