// A greedy shrinker for failing cases (the CLI's; the test suite also has fast-check's own
// shrinking of knobs). It tries simplifications in order — drop operations, laws, tensors and
// groups; shorten tensors; reset options; simplify modes and values — keeping each one that
// still fails the same way (the same mismatch kind and check), until nothing helps or the
// budget is spent. The result is usually a handful of values: a readable regression case.
import type { AddGroupBadOp, FuzzCase, GroupSpec, Law, Op, SparseGradSpec, TensorSpec } from './case.js';
import { countSteps, gradValues, isSparse } from './case.js';

export interface ShrinkBudget {
  /** Most predicate evaluations (default 2000). */
  evaluations?: number;
  /** Most milliseconds (default 20 000). */
  ms?: number;
}

export interface ShrinkResult {
  readonly case: FuzzCase;
  readonly evaluations: number;
  readonly accepted: number;
}

/** Size measure: what the shrinker minimises (values first, then operations). */
export function caseSize(c: FuzzCase): { values: number; ops: number; tensors: number } {
  let values = 0;
  let tensors = c.tensors.length;
  for (const t of c.tensors) values += t.init.length;
  for (const op of c.ops) {
    if (op.op === 'step') for (const g of op.grads) values += gradValues(g)?.length ?? 0;
    if (op.op === 'addGroup') {
      tensors += op.tensors.length;
      for (const t of op.tensors) values += t.init.length;
    }
  }
  return { values, ops: c.ops.length, tensors };
}

// ---------------------------------------------------------------- structural edits

/** Case tensor indices added by each addGroup op, and the group index it creates. */
function layout(c: FuzzCase): { addTensors: Map<number, number[]>; addGroup: Map<number, number> } {
  const addTensors = new Map<number, number[]>();
  const addGroup = new Map<number, number>();
  let n = c.tensors.length;
  let g = c.groups.length;
  c.ops.forEach((op, k) => {
    if (op.op === 'addGroup') {
      addTensors.set(
        k,
        op.tensors.map((_, j) => n + j),
      );
      addGroup.set(k, g++);
      n += op.tensors.length;
    }
  });
  return { addTensors, addGroup };
}

/** Renumbers set-op groups after group `removed` disappeared (ops on it are dropped). */
function dropGroup(ops: Op[], removed: number): Op[] {
  const out: Op[] = [];
  for (const op of ops) {
    if (op.op === 'set') {
      if (op.group === removed) continue;
      out.push(op.group > removed ? { ...op, group: op.group - 1 } : op);
    } else if (op.op === 'bad' && op.bad.kind === 'set' && op.bad.group >= removed) {
      out.push({ op: 'bad', bad: { ...op.bad, group: Math.max(0, op.bad.group - 1) } });
    } else {
      out.push(op);
    }
  }
  return out;
}

/** Laws still meaningful after tensor `removed` (an initial one) disappeared. */
function lawsWithout(c: FuzzCase, groups: GroupSpec[], removed: number, removedGroup: number | null): Law[] {
  const out: Law[] = [];
  for (const law of c.laws) {
    if (law.law === 'permute') {
      const perm = law.perm.filter((i) => i !== removed).map((i) => (i > removed ? i - 1 : i));
      if (perm.length >= 2) out.push({ ...law, perm });
    } else if (law.law === 'split') {
      if (removedGroup === law.group) continue;
      const group = removedGroup !== null && law.group > removedGroup ? law.group - 1 : law.group;
      const size = groups[group]?.size ?? 0;
      if (size >= 2) out.push({ ...law, group, at: Math.min(law.at, size - 1) });
    } else {
      out.push(law);
    }
  }
  return out;
}

/** The case without tensor i (initial or added); its group goes too if it empties. */
export function removeTensor(c: FuzzCase, i: number): FuzzCase | null {
  const { addTensors, addGroup } = layout(c);
  const total = c.tensors.length + [...addTensors.values()].reduce((n, t) => n + t.length, 0);
  if (total <= 1) return null;
  let ops: Op[] = c.ops.map((op) => (op.op === 'step' ? { ...op, grads: op.grads.filter((_, j) => j !== i) } : op));
  if (i < c.tensors.length) {
    if (c.tensors.length <= 1) return null;
    const groups: GroupSpec[] = [];
    let start = 0;
    let removedGroup: number | null = null;
    c.groups.forEach((g, gi) => {
      const inside = i >= start && i < start + g.size;
      start += g.size;
      if (!inside) groups.push(g);
      else if (g.size > 1) groups.push({ ...g, size: g.size - 1 });
      else removedGroup = gi;
    });
    if (removedGroup !== null) ops = dropGroup(ops, removedGroup);
    return {
      ...c,
      tensors: c.tensors.filter((_, j) => j !== i),
      groups,
      ops,
      laws: lawsWithout(c, groups, i, removedGroup),
    };
  }
  for (const [k, members] of addTensors) {
    const j = members.indexOf(i);
    if (j < 0) continue;
    const op = c.ops[k] as Extract<Op, { op: 'addGroup' }>;
    if (op.tensors.length > 1) {
      ops[k] = { ...op, tensors: op.tensors.filter((_, m) => m !== j) };
    } else {
      ops = dropGroup(
        ops.filter((_, m) => m !== k),
        addGroup.get(k)!,
      );
    }
    return { ...c, ops };
  }
  return null;
}

/** The case without op k (an addGroup takes its tensors with it). */
export function removeOp(c: FuzzCase, k: number): FuzzCase | null {
  const op = c.ops[k]!;
  if (op.op === 'addGroup') {
    const { addTensors, addGroup } = layout(c);
    const members = addTensors.get(k)!;
    let ops: Op[] = c.ops
      .filter((_, m) => m !== k)
      .map((o) => (o.op === 'step' ? { ...o, grads: o.grads.filter((_, j) => !members.includes(j)) } : o));
    ops = dropGroup(ops, addGroup.get(k)!);
    return { ...c, ops };
  }
  if (c.ops.length <= 1) return null;
  return { ...c, ops: c.ops.filter((_, m) => m !== k) };
}

/** Applies `f` to tensor i's values everywhere (init and every gradient). */
function mapTensor(c: FuzzCase, i: number, f: (a: Float32Array) => Float32Array): FuzzCase {
  const { addTensors } = layout(c);
  const ops = c.ops.map((op, k) => {
    // (Never called for a row-shaped tensor: its sparse gradients' values follow its width.)
    if (op.op === 'step')
      return { ...op, grads: op.grads.map((g, j) => (j === i && g !== null && !isSparse(g) ? f(g) : g)) };
    if (op.op === 'addGroup') {
      const j = addTensors.get(k)!.indexOf(i);
      if (j >= 0) return { ...op, tensors: op.tensors.map((t, m) => (m === j ? { ...t, init: f(t.init) } : t)) };
    }
    return op;
  });
  const tensors = c.tensors.map((t, j) => (j === i ? { ...t, init: f(t.init) } : t));
  return { ...c, tensors, ops };
}

function tensorSpec(c: FuzzCase, i: number): TensorSpec | undefined {
  if (i < c.tensors.length) return c.tensors[i]!;
  const { addTensors } = layout(c);
  for (const [k, members] of addTensors) {
    const j = members.indexOf(i);
    if (j >= 0) return (c.ops[k] as Extract<Op, { op: 'addGroup' }>).tensors[j]!;
  }
  return undefined;
}

/** Tensor i's length; 0 for a row-shaped tensor (its length is not shrunk: rows × width stay). */
function tensorLength(c: FuzzCase, i: number): number {
  const t = tensorSpec(c, i);
  return t === undefined || t.rows !== undefined ? 0 : t.init.length;
}

function tensorCount(c: FuzzCase): number {
  return caseSize(c).tensors;
}

/** Every value array of the case, with a way to replace it. */
function arrays(c: FuzzCase): { get: Float32Array; set: (a: Float32Array) => FuzzCase }[] {
  const out: { get: Float32Array; set: (a: Float32Array) => FuzzCase }[] = [];
  c.tensors.forEach((t, i) =>
    out.push({
      get: t.init,
      set: (a) => ({ ...c, tensors: c.tensors.map((x, j) => (j === i ? { ...x, init: a } : x)) }),
    }),
  );
  c.ops.forEach((op, k) => {
    const replace = (o: Op): FuzzCase => ({ ...c, ops: c.ops.map((x, m) => (m === k ? o : x)) });
    if (op.op === 'step') {
      op.grads.forEach((g, j) => {
        if (g === null) return;
        const set = (a: Float32Array): FuzzCase =>
          replace({ ...op, grads: op.grads.map((x, m) => (m === j ? (isSparse(g) ? { ...g, values: a } : a) : x)) });
        out.push({ get: gradValues(g)!, set });
      });
    }
    if (op.op === 'addGroup') {
      op.tensors.forEach((t, j) =>
        out.push({
          get: t.init,
          set: (a) =>
            replace({ ...op, tensors: op.tensors.map((x, m) => (m === j ? { ...x, init: a } : x)) as TensorSpec[] }),
        }),
      );
    }
  });
  return out;
}

type StepOp = Extract<Op, { op: 'step' }>;

/** Op k's gradient of tensor i, when it is row-sparse. */
function sparseAt(c: FuzzCase, k: number, i: number): SparseGradSpec | undefined {
  const op = c.ops[k];
  const g = op?.op === 'step' ? op.grads[i] : undefined;
  return isSparse(g) ? g : undefined;
}

/** The case with op k's gradient of tensor i replaced. */
function withGrad(c: FuzzCase, k: number, i: number, g: SparseGradSpec): FuzzCase {
  const op = c.ops[k] as StepOp;
  const step: StepOp = { ...op, grads: op.grads.map((x, j) => (j === i ? g : x)) };
  return { ...c, ops: c.ops.map((o, m) => (m === k ? step : o)) };
}

/** Simpler versions of a failing addParamGroup call, most reduced first. */
function simplerAdds(bad: AddGroupBadOp): AddGroupBadOp[] {
  const out: AddGroupBadOp[] = [];
  const { before, after, options, ...core } = bad;
  if (before?.length || after?.length || options !== undefined) out.push(core);
  if (options !== undefined) out.push({ ...bad, options: undefined });
  if (after?.length) out.push({ ...bad, after: after.slice(1) });
  if (before?.length) out.push({ ...bad, before: before.slice(1) }, { ...bad, before: before.slice(0, -1) });
  return out.map((b) => JSON.parse(JSON.stringify(b)) as AddGroupBadOp); // drops the undefined fields
}

// ---------------------------------------------------------------- the search

/**
 * Shrinks `c` while `fails` stays true. `fails` must be deterministic; it is never called on
 * `c` itself (the caller knows it fails).
 */
export function shrinkCase(
  c: FuzzCase,
  fails: (c: FuzzCase) => boolean,
  budget: ShrinkBudget = {},
  failingOp?: number,
): ShrinkResult {
  const maxEvaluations = budget.evaluations ?? 2000;
  const deadline = Date.now() + (budget.ms ?? 20_000);
  let evaluations = 0;
  let accepted = 0;
  let best = c;
  const out = (): boolean => evaluations >= maxEvaluations || Date.now() > deadline;
  const attempt = (candidate: FuzzCase | null): boolean => {
    if (candidate === null || out()) return false;
    evaluations++;
    let ok = false;
    try {
      ok = fails(candidate);
    } catch {
      ok = false;
    }
    if (ok) {
      best = candidate;
      accepted++;
    }
    return ok;
  };

  // Nothing after the failing operation matters.
  if (failingOp !== undefined && failingOp + 1 < best.ops.length)
    attempt({ ...best, ops: best.ops.slice(0, failingOp + 1) });
  // A memory case past 2 GiB takes seconds per try and its large tensor is already sampled:
  // that cut is all.
  if (best.big !== undefined) return { case: best, evaluations, accepted };
  // Laws: none, or only the one that fails.
  if (best.laws.length > 0) {
    if (!attempt({ ...best, laws: [] })) {
      for (const law of best.laws) if (best.laws.length > 1 && attempt({ ...best, laws: [law] })) break;
    }
  }

  let progress = true;
  while (progress && !out()) {
    progress = false;
    // Chunks of operations, then single ones, from the end.
    for (let size = Math.max(1, best.ops.length >> 1); size >= 1 && !out(); size >>= 1) {
      for (let k = best.ops.length - size; k >= 0 && !out(); k -= size) {
        if (size === 1) {
          if (attempt(removeOp(best, k))) progress = true;
        } else if (best.ops.slice(k, k + size).every((op) => op.op !== 'addGroup') && best.ops.length > size) {
          if (attempt({ ...best, ops: [...best.ops.slice(0, k), ...best.ops.slice(k + size)] })) progress = true;
        }
      }
    }
    if (countSteps(best) === 0 && best.ops.every((op) => op.op !== 'bad')) break;
    // Tensors.
    for (let i = tensorCount(best) - 1; i >= 0 && !out(); i--) if (attempt(removeTensor(best, i))) progress = true;
    // Groups: merge neighbours (the later one's overrides are dropped).
    for (let g = best.groups.length - 1; g >= 1 && !out(); g--) {
      const groups = [...best.groups];
      groups[g - 1] = { ...groups[g - 1]!, size: groups[g - 1]!.size + groups[g]!.size };
      groups.splice(g, 1);
      if (
        attempt({
          ...best,
          groups,
          ops: dropGroup([...best.ops], g),
          laws: best.laws.filter((l) => l.law !== 'split' && l.law !== 'permute'),
        })
      )
        progress = true;
    }
    // Lengths: halves; leading blocks of 16 (which keeps every element's SIMD lane and tail
    // position); then one element less at either end.
    for (let i = tensorCount(best) - 1; i >= 0 && !out(); i--) {
      let n = tensorLength(best, i);
      while (n > 0 && !out()) {
        const half = n >> 1;
        const block = 16 * Math.max(1, Math.floor(n / 32));
        const before = n;
        if (attempt(mapTensor(best, i, (a) => a.slice(0, half)))) n = half;
        else if (attempt(mapTensor(best, i, (a) => a.slice(a.length - half)))) n = half;
        else if (n > block && attempt(mapTensor(best, i, (a) => a.slice(block)))) n -= block;
        else if (n > 16 && attempt(mapTensor(best, i, (a) => a.slice(16)))) n -= 16;
        else if (attempt(mapTensor(best, i, (a) => a.slice(0, a.length - 1)))) n--;
        else if (attempt(mapTensor(best, i, (a) => a.slice(1)))) n--;
        if (n === before) break;
        progress = true;
      }
    }
    // Options back to their defaults; group overrides dropped.
    for (const key of Object.keys(best.options)) {
      if (out()) break;
      const options = { ...best.options };
      delete options[key];
      if (attempt({ ...best, options })) progress = true;
    }
    best.groups.forEach((g, gi) => {
      for (const key of Object.keys(g.options)) {
        const options = { ...g.options };
        delete options[key];
        if (attempt({ ...best, groups: best.groups.map((x, j) => (j === gi ? { ...x, options } : x)) }))
          progress = true;
      }
    });
    // Failing additions: fewer valid tensors around the bad part, no options along.
    best.ops.forEach((op, k) => {
      if (op.op !== 'bad' || op.bad.kind !== 'addGroup') return;
      for (const simpler of simplerAdds(op.bad)) {
        if (attempt({ ...best, ops: best.ops.map((o, m) => (m === k ? { op: 'bad', bad: simpler } : o)) })) {
          progress = true;
          break;
        }
      }
    });
    // Row-sparse gradients: one listed index fewer (its row of values with it), Int32 indices.
    for (let k = 0; k < best.ops.length && !out(); k++) {
      const grads = (best.ops[k]!.op === 'step' ? (best.ops[k] as StepOp).grads : []).length;
      for (let i = 0; i < grads && !out(); i++) {
        for (let m = sparseAt(best, k, i)?.indices.length ?? 0; m-- > 0 && !out(); ) {
          const g = sparseAt(best, k, i);
          if (g === undefined || m >= g.indices.length) continue;
          const width = g.values.length / g.indices.length;
          const values = new Float32Array(g.values.length - width);
          values.set(g.values.subarray(0, m * width));
          values.set(g.values.subarray((m + 1) * width), m * width);
          if (attempt(withGrad(best, k, i, { ...g, indices: g.indices.filter((_, x) => x !== m), values })))
            progress = true;
        }
        const g = sparseAt(best, k, i);
        if (g?.unsigned && attempt(withGrad(best, k, i, { ...g, unsigned: false }))) progress = true;
      }
    }
    // Simpler forms: drop-in steps, caller's arrays, no null gradients.
    best.ops.forEach((op, k) => {
      if (op.op === 'step' && op.mode === 'zerocopy') {
        if (attempt({ ...best, ops: best.ops.map((o, m) => (m === k ? { ...op, mode: 'dropin' } : o)) }))
          progress = true;
      }
    });
    best.tensors.forEach((t, i) => {
      if (
        !t.source &&
        attempt({ ...best, tensors: best.tensors.map((x, j) => (j === i ? { ...x, source: true } : x)) })
      )
        progress = true;
    });
    // Values: whole arrays to zero, then elements to 0, 1, −1 (short arrays only).
    for (const { get, set } of arrays(best)) {
      if (out()) break;
      if (get.length > 0 && get.some((x) => !Object.is(x, 0)) && attempt(set(new Float32Array(get.length))))
        progress = true;
    }
    for (const simple of [0, 1, -1, 0.5, 2]) {
      const list = arrays(best);
      for (let a = 0; a < list.length && !out(); a++) {
        const values = list[a]!.get;
        if (values.length > 64) continue;
        for (let j = 0; j < values.length && !out(); j++) {
          const current = arrays(best)[a]!;
          const x = current.get[j]!;
          if (Object.is(x, simple) || (simple !== 0 && Math.abs(x) <= Math.abs(simple) && x === Math.round(x)))
            continue;
          const next = current.get.slice();
          next[j] = simple;
          if (attempt(current.set(next))) progress = true;
        }
      }
    }
  }
  return { case: best, evaluations, accepted };
}
