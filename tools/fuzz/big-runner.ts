// Runs a memory case past 2 GiB (big.ts). The ordinary runner keeps every backend's optimizer
// alive in lockstep and copies whole tensors; here each backend runs the whole history alone —
// one memory past 2 GiB at a time — and records, after every operation, the small tensors in
// full and the large one at its sampled indices (parameters after every operation; the state
// where needed, see runBigCase). The reference backend's record goes through the float64 oracle
// as it is made (the sampled elements form a short tensor the oracle checks in full); every
// other backend's must equal it bit for bit.
import { availableBackends, type BackendName } from '#lib/backend/index.js';
import type { AnyOptimizer } from '#lib/registry.js';
import type { BigSpec, FuzzCase, Op } from './case.js';
import { firstBitDifference } from './f32.js';
import { algorithmInfo, type AlgorithmInfo } from './info.js';
import { OracleModel, type Snapshot } from './oracle.js';
import { emptyCaseResult, type CaseResult, type Mismatch, type MismatchKind, type RunConfig } from './runner.js';

type Entry = Record<string, Float32Array | number>;

/** The values of one lane after one operation, by case tensor (the large one sampled). */
interface LaneRecord {
  params: Float32Array[];
  /** The state, or null where not read. */
  state: (Entry | undefined)[] | null;
  /** Whether `state` was read after this operation (not carried over from the one before). */
  fresh: boolean;
}

interface LaneRun {
  records: LaneRecord[];
  /** memoryBytes at the end. */
  memoryBytes: number;
  failure: Mismatch | null;
}

function gather(values: Float32Array, i: number, big: BigSpec): Float32Array {
  return i === big.tensor ? Float32Array.from(big.sample, (j) => values[j]!) : values.slice();
}

function recordOf(opt: AnyOptimizer, big: BigSpec, withState: boolean): LaneRecord {
  const params = opt.params.map((h, i) => gather(h.data, i, big));
  if (!withState) return { params, state: null, fresh: false };
  const state = opt.stateDict().state as Record<number, Record<string, unknown> | undefined>;
  return {
    params,
    fresh: true,
    state: opt.params.map((_, i) => {
      const entry = state[i];
      if (entry === undefined) return undefined;
      const out: Entry = {};
      for (const [name, v] of Object.entries(entry))
        out[name] = v instanceof Float32Array ? gather(v, i, big) : (v as number);
      return out;
    }),
  };
}

function sameF32(a: Float32Array, b: Float32Array): boolean {
  return firstBitDifference(a, b) < 0;
}

/**
 * Runs the case's history on one backend; `check` sees each operation's before and after.
 * `readState(k)`: whether to read the state after op k (−1: at the start); where it is not
 * read, the record carries the one before.
 */
function runLane(
  c: FuzzCase,
  info: AlgorithmInfo,
  backend: BackendName,
  readState: (k: number) => boolean,
  check: (k: number, op: Op, before: LaneRecord, after: LaneRecord) => Mismatch | null,
): LaneRun {
  const big = c.big!;
  const user: (Float32Array | null)[] = c.tensors.map((t) => (t.source ? t.init.slice() : null));
  const lengths = c.tensors.map((t, i) => (i === big.tensor ? big.length : t.init.length));
  const records: LaneRecord[] = [];
  let opt: AnyOptimizer | null = null;
  const fail = (kind: MismatchKind, check: string, op: number, where: string, message: string): LaneRun => ({
    records,
    memoryBytes: opt?.memoryBytes ?? 0,
    failure: { kind, check, op, where: `${backend}: ${where}`, message },
  });
  let k = -1;
  try {
    let start = 0;
    const groups = c.groups.map((g) => {
      const members = Array.from({ length: g.size }, (_, j) => start + j);
      start += g.size;
      return { params: members.map((i) => user[i] ?? lengths[i]!), ...g.options };
    });
    opt = new info.Class(groups, { ...c.options, flavor: c.flavor, backend });
    c.tensors.forEach((t, i) => {
      if (!t.source && i !== big.tensor) opt!.params[i]!.data.set(t.init);
    });
    records.push(recordOf(opt, big, readState(-1)));
    for (k = 0; k < c.ops.length; k++) {
      const op = c.ops[k]!;
      switch (op.op) {
        case 'step':
          if (op.mode === 'dropin') {
            opt.step(op.grads.map((g) => g));
          } else {
            opt.params.forEach((h, i) => {
              const g = op.grads[i];
              if (g === null || g === undefined) return;
              if (i !== big.tensor) h.grad.set(g);
              else {
                const view = h.grad;
                big.sample.forEach((j, s) => {
                  view[j] = g[s]!;
                });
              }
            });
            opt.step();
          }
          break;
        case 'addGroup': {
          const params = op.tensors.map((t) => {
            user.push(t.source ? t.init.slice() : null);
            lengths.push(t.init.length);
            return user[user.length - 1] ?? t.init.length;
          });
          const first = opt.params.length;
          opt.addParamGroup({ params, ...op.options });
          op.tensors.forEach((t, j) => {
            if (!t.source) opt!.params[first + j]!.data.set(t.init);
          });
          break;
        }
        case 'set':
          (opt.paramGroups[op.group] as unknown as Record<string, unknown>)[op.key] = op.value;
          break;
        default:
          return fail('crash', op.op, k, 'case', `a big case cannot hold a ${op.op} operation`);
      }
      // The API's contract: after a drop-in step the caller's arrays equal the memory.
      if (op.op === 'step' && op.mode === 'dropin') {
        for (let i = 0; i < user.length; i++) {
          const u = user[i];
          if (u && !sameF32(u, opt.params[i]!.data))
            return fail(
              'contract',
              'drop-in',
              k,
              `caller's array ${i}`,
              "after a drop-in step the caller's array differs from the optimizer's memory",
            );
        }
      }
      const before = records[records.length - 1]!;
      const after = recordOf(opt, big, readState(k));
      if (after.state === null) after.state = before.state;
      records.push(after);
      const failure = check(k, op, before, after);
      if (failure) return { records, memoryBytes: opt.memoryBytes, failure };
    }
    return { records, memoryBytes: opt.memoryBytes, failure: null };
  } catch (error) {
    return fail(
      'crash',
      k < 0 ? 'construct' : c.ops[k]!.op,
      k,
      'optimizer',
      `a valid ${k < 0 ? 'constructor' : c.ops[k]!.op} threw: ${(error as Error).stack ?? String(error)}`,
    );
  } finally {
    // One memory past 2 GiB at a time: give this one back before the next lane.
    (opt as { dispose?: () => void } | null)?.dispose?.();
  }
}

/** The first difference between two records (same operation, two backends), in case indices. */
function difference(
  a: LaneRecord,
  b: LaneRecord,
  big: BigSpec,
  count: { n: number },
): { where: string; message: string } | null {
  const at = (i: number, j: number): number => (i === big.tensor ? big.sample[j]! : j);
  for (let i = 0; i < a.params.length; i++) {
    const x = a.params[i]!,
      y = b.params[i]!;
    count.n += x.length;
    const j = firstBitDifference(x, y);
    if (j >= 0) return { where: `params[${i}][${at(i, j)}]`, message: `${x[j]} vs ${y[j]}` };
  }
  if (!a.fresh || !b.fresh || a.state === null || b.state === null) return null;
  for (let i = 0; i < a.state.length; i++) {
    const x = a.state[i],
      y = b.state[i];
    if ((x === undefined) !== (y === undefined))
      return {
        where: `state[${i}]`,
        message: `entry ${x === undefined ? 'missing' : 'present'} vs ${y === undefined ? 'missing' : 'present'}`,
      };
    if (x === undefined || y === undefined) continue;
    const keys = Object.keys(x);
    if (keys.join() !== Object.keys(y).join())
      return { where: `state[${i}]`, message: `keys [${keys.join(', ')}] vs [${Object.keys(y).join(', ')}]` };
    for (const key of keys) {
      const u = x[key]!,
        v = y[key]!;
      if (typeof u === 'number' || typeof v === 'number') {
        if (!Object.is(u, v)) return { where: `state[${i}].${key}`, message: `${String(u)} vs ${String(v)}` };
        continue;
      }
      count.n += u.length;
      const j = firstBitDifference(u, v);
      if (j >= 0) return { where: `state[${i}].${key}[${at(i, j)}]`, message: `${u[j]} vs ${v[j]}` };
    }
  }
  return null;
}

/** Runs a big case (runner.ts sends every case with `big` here). */
export function runBigCase(c: FuzzCase, config: RunConfig = {}): CaseResult {
  const info = algorithmInfo(c.algorithm);
  const big = c.big!;
  const available = availableBackends();
  const backends = (config.backends ?? available).filter((b) => available.includes(b));
  const reference = backends.includes('js') ? 'js' : backends[0]!;
  const steps = c.ops.filter((op) => op.op === 'step').length;
  const result = emptyCaseResult(steps);

  // The oracle sees the large tensor as the short tensor of its sampled elements.
  const rule = (config.oracle ?? true) ? info.oracle(c.flavor) : undefined;
  let oracle: OracleModel | null = null;
  if (rule !== undefined) {
    oracle = new OracleModel(
      rule,
      info.description?.strictStateNames ?? false,
      Math.max(64, big.sample.length),
      `${c.algorithm}/${c.flavor}`,
    );
    const base = { ...info.flavors[c.flavor]!.defaults, ...c.options };
    let start = 0;
    for (const g of c.groups) {
      oracle.addGroup(
        { ...base, ...g.options },
        c.tensors
          .slice(start, start + g.size)
          .map((t, j) => (start + j === big.tensor ? big.sample.length : t.init.length)),
      );
      start += g.size;
    }
  }
  const snapshot = (r: LaneRecord): Snapshot => ({ params: r.params, state: r.state ?? [] });
  // The oracle needs the state around every step; a new group may bring state at once
  // (Adagrad's); an option change brings none here. The other backends' state is compared at
  // the end (until then a difference shows in the parameters): a state dict copies the large
  // tensor's state, seconds for gigabytes.
  const last = c.ops.length - 1;
  const ref = runLane(
    c,
    info,
    reference,
    (k) => k < 0 || c.ops[k]!.op !== 'set' || k === last,
    (k, op, before, after) => {
      if (oracle === null) return null;
      if (op.op === 'set') oracle.setOption(op.group, op.key, op.value);
      if (op.op === 'addGroup')
        oracle.addGroup(
          { ...info.flavors[c.flavor]!.defaults, ...c.options, ...op.options },
          op.tensors.map((t) => t.init.length),
        );
      if (op.op !== 'step') return null;
      const failure = oracle.step(snapshot(before), snapshot(after), op.grads, k);
      return failure
        ? { kind: 'oracle', check: `${c.algorithm}/${c.flavor}`, op: k, where: failure.where, message: failure.message }
        : null;
    },
  );
  result.oracle = oracle?.stats ?? null;
  result.optimizerSteps += ref.records.length > 0 ? steps : 0;
  result.bigMemory = ref.memoryBytes > 2 ** 31 ? 1 : 0;
  if (ref.failure) {
    result.mismatches.push(ref.failure);
    if (config.stopAtFirst ?? true) return result;
  }
  const count = { n: 0 };
  for (const backend of backends) {
    if (backend === reference) continue;
    const lane = runLane(
      c,
      info,
      backend,
      (k) => k === last,
      (k, _op, _before, after) => {
        const want = ref.records[k + 1];
        const d = want === undefined ? null : difference(after, want, big, count);
        return d
          ? {
              kind: 'backend',
              check: backend,
              op: k,
              where: d.where,
              message: `${backend} vs ${reference} after op ${k} (${c.ops[k]!.op}): ${d.message}`,
            }
          : null;
      },
    );
    result.optimizerSteps += steps;
    if (lane.failure) {
      result.mismatches.push(lane.failure);
      if (config.stopAtFirst ?? true) break;
    }
  }
  result.valuesCompared = count.n;
  return result;
}
