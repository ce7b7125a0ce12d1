// Reading a case from JSON with its shape checked: every array where one is expected, a
// gradient per tensor of the right length, group and law indices that exist. A file that is
// not a case then fails here, naming the field, instead of running and being reported as a
// mismatch (`wasm-optim fuzz --replay` tells the two apart; tools/fuzz/replay.ts).
import { BACKEND_NAMES } from '#lib/backend/index.js';
import type { BadOp, BigSpec, FuzzCase, Grad, GroupSpec, Law, Op, Options, TensorSpec } from './case.js';
import { CASE_FORMAT, isSparse } from './case.js';
import { decodeAny, decodeF32Array, type F32ArrayJson } from './f32.js';

function fail(message: string): never {
  throw new TypeError(`not a ${CASE_FORMAT} case: ${message}`);
}

const isObject = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);
const isCount = (x: unknown): x is number => Number.isInteger(x) && (x as number) >= 0;

function array(x: unknown, where: string): unknown[] {
  if (!Array.isArray(x)) fail(`${where} must be an array, got ${JSON.stringify(x) ?? String(x)}`);
  return x;
}

function floats(x: unknown, where: string): Float32Array {
  try {
    return decodeF32Array(x as F32ArrayJson);
  } catch {
    return fail(`${where} must be a list of float32 values or {"fill", "length"}`);
  }
}

function options(x: unknown, where: string): Options {
  if (x === undefined) return {};
  if (!isObject(x)) fail(`${where} must be an object`);
  try {
    return decodeAny(x) as Options;
  } catch (error) {
    return fail(`${where}: ${(error as Error).message}`);
  }
}

function tensor(x: unknown, where: string): TensorSpec {
  if (!isObject(x)) fail(`${where} must be an object { init, source }`);
  const init = floats(x['init'], `${where}.init`);
  const source = x['source'] !== false;
  if (x['rows'] === undefined) return { init, source };
  const rows = x['rows'];
  if (!Number.isInteger(rows) || (rows as number) < 1 || init.length % (rows as number) !== 0)
    fail(`${where}.rows must be a whole number ≥ 1 that divides the length ${init.length}`);
  return { init, source, rows: rows as number };
}

/** A gradient: null, float32 values, or a row-sparse { indices, unsigned?, values }. */
function grad(g: unknown, where: string): Grad {
  if (g === null) return null;
  if (!isObject(g) || !('indices' in g)) return floats(g, where);
  const indices = array(g['indices'], `${where}.indices`);
  if (!indices.every(isCount)) fail(`${where}.indices must be whole numbers ≥ 0`);
  return {
    indices: indices as number[],
    unsigned: g['unsigned'] === true,
    values: floats(g['values'], `${where}.values`),
  };
}

function op(o: unknown, i: number): Op {
  const where = `ops[${i}]`;
  if (!isObject(o)) fail(`${where} must be an object`);
  switch (o['op']) {
    case 'step': {
      if (o['mode'] !== 'dropin' && o['mode'] !== 'zerocopy') fail(`${where}.mode must be "dropin" or "zerocopy"`);
      const grads = array(o['grads'], `${where}.grads`).map((g, j) => grad(g, `${where}.grads[${j}]`));
      return { op: 'step', mode: o['mode'], grads };
    }
    case 'set':
      if (!isCount(o['group'])) fail(`${where}.group must be a whole number ≥ 0`);
      if (typeof o['key'] !== 'string') fail(`${where}.key must be a string`);
      return { op: 'set', group: o['group'], key: o['key'], value: decodeAny(o['value']) };
    case 'addGroup': {
      const tensors = array(o['tensors'], `${where}.tensors`).map((t, j) => tensor(t, `${where}.tensors[${j}]`));
      if (tensors.length === 0) fail(`${where}.tensors is empty`);
      return { op: 'addGroup', tensors, options: options(o['options'], `${where}.options`) };
    }
    case 'checkpoint':
      return { op: 'checkpoint' };
    case 'bad':
      if (
        !isObject(o['bad']) ||
        !['construct', 'set', 'step', 'load', 'addGroup', 'sparse'].includes(o['bad']['kind'] as string)
      ) {
        fail(`${where}.bad must be an object whose "kind" is construct, set, step, load, addGroup or sparse`);
      }
      return { op: 'bad', bad: o['bad'] as unknown as BadOp };
    default:
      return fail(`${where}.op is ${JSON.stringify(o['op'])}`);
  }
}

function law(x: unknown, i: number): Law {
  const where = `laws[${i}]`;
  if (!isObject(x) || !['maximize', 'resume', 'split', 'permute', 'twin'].includes(x['law'] as string)) {
    fail(`${where} must be a law (maximize, resume, split, permute or twin)`);
  }
  if (!(BACKEND_NAMES as readonly unknown[]).includes(x['backend']))
    fail(`${where}.backend must be one of ${BACKEND_NAMES.join(', ')}`);
  return x as unknown as Law;
}

function big(x: unknown): BigSpec | undefined {
  if (x === undefined) return undefined;
  if (!isObject(x) || !isCount(x['tensor']) || !isCount(x['length'])) fail('big must be { tensor, length, sample }');
  const length = x['length'];
  const sample = array(x['sample'], 'big.sample');
  if (!sample.every((j, k) => isCount(j) && j < length && (k === 0 || j > (sample[k - 1] as number)))) {
    fail('big.sample must list increasing indices below big.length');
  }
  return { tensor: x['tensor'], length, sample: sample as number[] };
}

/** Parses and checks a case (the inverse of caseToJson). */
export function parseCase(json: unknown): FuzzCase {
  if (!isObject(json)) fail('not an object');
  const j = json;
  if (j['format'] !== CASE_FORMAT) fail(`format is ${JSON.stringify(j['format'])}, expected "${CASE_FORMAT}"`);
  if (typeof j['algorithm'] !== 'string') fail('algorithm must be a string');
  if (j['flavor'] !== 'torch' && j['flavor'] !== 'tfjs') fail('flavor must be "torch" or "tfjs"');
  const tensors = array(j['tensors'], 'tensors').map((t, i) => tensor(t, `tensors[${i}]`));
  const groups: GroupSpec[] = array(j['groups'], 'groups').map((g, i) => {
    if (!isObject(g) || !Number.isInteger(g['size']) || (g['size'] as number) < 1)
      fail(`groups[${i}].size must be a whole number ≥ 1`);
    return { size: g['size'] as number, options: options(g['options'], `groups[${i}].options`) };
  });
  if (groups.length === 0) fail('groups is empty (an optimizer needs a parameter)');
  if (groups.reduce((n, g) => n + g.size, 0) !== tensors.length)
    fail('group sizes do not add up to the number of tensors');
  const c: FuzzCase = {
    algorithm: j['algorithm'],
    flavor: j['flavor'],
    options: options(j['options'], 'options'),
    tensors,
    groups,
    ops: array(j['ops'], 'ops').map(op),
    laws: j['laws'] === undefined ? [] : array(j['laws'], 'laws').map(law),
    ...(j['big'] === undefined ? {} : { big: big(j['big']) }),
    ...(typeof j['origin'] === 'string' ? { origin: j['origin'] } : {}),
    ...(typeof j['note'] === 'string' ? { note: j['note'] } : {}),
  };
  checkReferences(c);
  return c;
}

/** What the parts say about each other: gradients per tensor, group indices, law indices. */
function checkReferences(c: FuzzCase): void {
  const lengths = c.tensors.map((t) => t.init.length);
  const rows = c.tensors.map((t) => t.rows);
  const b = c.big;
  if (b !== undefined) {
    if (b.tensor >= lengths.length) fail(`big.tensor is ${b.tensor}; the case has ${lengths.length} initial tensors`);
    if (c.tensors[b.tensor]!.source || lengths[b.tensor] !== 0)
      fail('the big tensor must be created from its length: source false, init []');
    if (c.laws.length > 0) fail('a big case has no laws');
    lengths[b.tensor] = b.sample.length; // its gradients give the sampled elements only
  }
  let groups = c.groups.length;
  c.ops.forEach((o, k) => {
    const where = `ops[${k}]`;
    if (b !== undefined && (o.op === 'checkpoint' || o.op === 'bad'))
      fail(`${where}: a big case has no ${o.op} operations`);
    if (o.op === 'step') {
      if (o.grads.length !== lengths.length)
        fail(`${where}.grads has ${o.grads.length} gradient(s), expected one per tensor: ${lengths.length}`);
      o.grads.forEach((g, i) => {
        if (isSparse(g)) {
          const r = rows[i];
          if (r === undefined) fail(`${where}.grads[${i}] is row-sparse; tensor ${i} has no rows`);
          if (g.indices.some((x) => x >= r))
            fail(`${where}.grads[${i}] lists a row past tensor ${i}'s last (${r - 1})`);
          if (g.values.length !== g.indices.length * (lengths[i]! / r))
            fail(`${where}.grads[${i}].values has length ${g.values.length}, not indices × width`);
        } else if (g !== null && g.length !== lengths[i])
          fail(`${where}.grads[${i}] has length ${g.length}, tensor ${i} has ${lengths[i]}`);
      });
      if (b !== undefined && o.mode === 'dropin' && o.grads[b.tensor] !== null)
        fail(`${where}: the big tensor's gradient in a drop-in step must be null`);
    } else if (o.op === 'set') {
      if (o.group >= groups) fail(`${where}.group is ${o.group}; there are ${groups} groups then`);
    } else if (o.op === 'addGroup') {
      lengths.push(...o.tensors.map((t) => t.init.length));
      rows.push(...o.tensors.map((t) => t.rows));
      groups++;
    }
  });
  for (const [i, l] of c.laws.entries()) {
    if (l.law === 'split') {
      const size = c.groups[l.group]?.size ?? 0;
      if (!isCount(l.group) || size < 2 || !Number.isInteger(l.at) || l.at < 1 || l.at >= size) {
        fail(`laws[${i}]: split needs an initial group of 2 or more tensors and 1 ≤ at < its size`);
      }
    } else if (l.law === 'permute') {
      const n = c.tensors.length;
      const perm = Array.isArray(l.perm) ? l.perm : [];
      if (perm.length !== n || [...perm].sort((x, y) => x - y).some((x, m) => x !== m))
        fail(`laws[${i}].perm must be a permutation of 0…${n - 1}`);
    }
  }
}
