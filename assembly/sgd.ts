// SGD, with momentum, dampening and Nesterov.
//
// torch flavor (torch.optim.SGD 1.13, CPU float32, fused multiply-adds as in ATen's AVX2):
//   g = maximize ? −grad : grad
//   g = fma(param, weightDecay, g)                                   only when weightDecay ≠ 0
//   momentum ≠ 0: buf = first ? g : fma(g, oneMinusDampening, fl(buf · momentum))
//                 d   = nesterov ? fma(buf, momentum, g) : buf
//   else          d   = g
//   param = fma(d, negLr, param)
//
// tfjs flavor (tf.train.sgd / tf.train.momentum, tfjs-core 4.22 cpu backend; every op rounds):
//   sgd:      param = fl(fl(negLr · g) + param)
//   momentum: buf = fl(fl(momentum · buf) + g)                        (no dampening; starts at 0)
//             param = nesterov ? fl(fl(negLr · fl(g + fl(buf · momentum))) + param)
//                              : fl(fl(negLr · buf) + param)
//
// Record: the scalars, state buffers and flags named in `kernels` (src/optimizers/sgd.ts),
// read by name through contract.generated.ts (scripts/gen-contract.mjs).
//
// maximize negates every gradient (one XOR per vector); folding the sign into the scalars
// would be exact except for the sign of zero results (see assembly/adagrad.ts). Plain SGD is the
// exception: param = fma(−grad, negLr, param) = fma(grad, −negLr, param), the same exact product.

import { RECORD_BYTES, flipSign, recCount, recF32, recFlags, recGrad, recParam, recPtr } from './record';
import { SgdStep, SgdStepTfjs } from './contract.generated';
import {
  HARDWARE_FMA, anySuspect, fmaBy, fmaByFast4, fmaBySuspect4, fmaFast4, fmaHalvesFast, fmaHalvesSuspect, fmaSuspect4,
  fmaf, hiAt, isPowerOfTwo, loAt,
} from './fma';
import { putBits, putF32, putF64, slot } from './invariants';

// Slots of the invariants table (see assembly/invariants.ts).
const NEG_LR: usize = 0, MOMENTUM: usize = 1, ONE_MINUS_DAMPENING: usize = 2, WEIGHT_DECAY: usize = 3;
const SIGN: usize = 4;

/**
 * The specialisations, chosen from the record's flags in this one place: for Lane = v128 the f32x4
 * loops (returning how many elements they stepped), for Lane = f32 elements [from, to) one at a time.
 * A type, not a bool: the element loop is also the vector loop's redo, and AssemblyScript does not
 * inline a function into itself; the two instances are two functions.
 */
@inline function sgdTorch<Lane>(rec: usize, from: usize, to: usize): usize {
  const flags = recFlags(rec);
  const wd = (flags & SgdStep.FLAG_WEIGHT_DECAY) != 0;
  if ((flags & SgdStep.FLAG_MOMENTUM) == 0) {
    if (wd) return sgdTorchLoop<Lane>(rec, from, to, true, false, false, false);
    return sgdTorchLoop<Lane>(rec, from, to, false, false, false, false);
  }
  const nesterov = (flags & SgdStep.FLAG_NESTEROV) != 0;
  // Once per buffer: one loop for every option combination keeps the code small.
  if ((flags & SgdStep.FLAG_FIRST_MOMENTUM) != 0) return sgdTorchLoop<Lane>(rec, from, to, wd, true, nesterov, true);
  if (wd) {
    if (nesterov) return sgdTorchLoop<Lane>(rec, from, to, true, true, true, false);
    return sgdTorchLoop<Lane>(rec, from, to, true, true, false, false);
  }
  if (nesterov) return sgdTorchLoop<Lane>(rec, from, to, false, true, true, false);
  return sgdTorchLoop<Lane>(rec, from, to, false, true, false, false);
}

@inline function sgdTorchLoop<Lane>(
  rec: usize, from: usize, to: usize, hasWeightDecay: bool, hasMomentum: bool, nesterov: bool,
  first: bool,
): usize {
  if (isVector<Lane>()) return sgdTorchVectors(rec, hasWeightDecay, hasMomentum, nesterov, first);
  sgdTorchScalar(rec, from, to, hasWeightDecay, hasMomentum, nesterov, first);
  return to;
}

/** Elements [from, to) one at a time: the scalar build's loop, the SIMD build's tail and its
 * exact redo of any block whose fast FMA was suspect. */
function sgdTorchElements(rec: usize, from: usize, to: usize): void {
  sgdTorch<f32>(rec, from, to);
}

@inline function sgdTorchScalar(
  rec: usize, from: usize, to: usize, hasWeightDecay: bool, hasMomentum: bool, nesterov: bool, first: bool,
): void {
  const param = recParam(rec), grad = recGrad(rec), buf = recPtr(rec, SgdStep.momentumBuffer);
  const signMask: u32 = (recFlags(rec) & SgdStep.FLAG_MAXIMIZE) != 0 ? 0x80000000 : 0;
  const negLr = recF32(rec, SgdStep.negLr);
  const momentum = recF32(rec, SgdStep.momentum);
  const oneMinusDampening = recF32(rec, SgdStep.oneMinusDampening);
  const weightDecay = recF32(rec, SgdStep.weightDecay);
  for (let i = from; i < to; i++) {
    const at = i << 2;
    const p = load<f32>(param + at);
    let g = flipSign(load<f32>(grad + at), signMask);
    if (hasWeightDecay) g = fmaf(p, weightDecay, g);
    let d = g;
    if (hasMomentum) {
      const b = first ? g : fmaBy(g, oneMinusDampening, load<f32>(buf + at) * momentum);
      store<f32>(buf + at, b);
      d = nesterov ? fmaBy(b, momentum, g) : b;
    }
    store<f32>(param + at, fmaBy(d, negLr, p));
  }
}

/** The f32x4 loops over one tensor; returns how many elements they stepped. */
@inline function sgdTorchVectors(
  rec: usize, hasWeightDecay: bool, hasMomentum: bool, nesterov: bool, first: bool,
): usize {
  const param = recParam(rec), grad = recGrad(rec), buf = recPtr(rec, SgdStep.momentumBuffer), n = recCount(rec);
  const signMask: u32 = (recFlags(rec) & SgdStep.FLAG_MAXIMIZE) != 0 ? 0x80000000 : 0;
  const negLr = recF32(rec, SgdStep.negLr);
  const momentum = recF32(rec, SgdStep.momentum);
  const oneMinusDampening = recF32(rec, SgdStep.oneMinusDampening);
  let i: usize = 0;
  if (!hasWeightDecay && !hasMomentum && !isPowerOfTwo(negLr) && !HARDWARE_FMA) {
    // The default configuration, emulated FMA: eight lanes per suspect test, grad and param
    // promoted straight from memory, negLr (maximize's sign folded in) promoted once.
    putF64(NEG_LR, flipSign(negLr, signMask));
    for (; i + 8 <= n; i += 8) {
      const at = i << 2;
      const gLo1 = loAt(grad + at), gHi1 = hiAt(grad + at);
      const gLo2 = loAt(grad + at + 16), gHi2 = hiAt(grad + at + 16);
      const pLo1 = loAt(param + at), pHi1 = hiAt(param + at);
      const pLo2 = loAt(param + at + 16), pHi2 = hiAt(param + at + 16);
      const r1 = fmaHalvesFast(gLo1, gHi1, slot(NEG_LR), slot(NEG_LR), pLo1, pHi1);
      const r2 = fmaHalvesFast(gLo2, gHi2, slot(NEG_LR), slot(NEG_LR), pLo2, pHi2);
      if (anySuspect(v128.or(
        fmaHalvesSuspect(gLo1, gHi1, slot(NEG_LR), slot(NEG_LR), pLo1, pHi1, r1),
        fmaHalvesSuspect(gLo2, gHi2, slot(NEG_LR), slot(NEG_LR), pLo2, pHi2, r2)))) {
        sgdTorchElements(rec, i, i + 8);
        continue;
      }
      v128.store(param + at, r1);
      v128.store(param + at + 16, r2);
    }
    return i;
  }
  // Plain SGD folds maximize's sign into negLr here too; the other configurations XOR it.
  const folded = !hasWeightDecay && !hasMomentum;
  const lr = folded ? flipSign(negLr, signMask) : negLr;
  putF32(NEG_LR, lr);
  putF32(MOMENTUM, momentum);
  putF32(ONE_MINUS_DAMPENING, oneMinusDampening);
  putF32(WEIGHT_DECAY, recF32(rec, SgdStep.weightDecay));
  putBits(SIGN, signMask);
  for (; i + 4 <= n; i += 4) {
    const at = i << 2;
    const p = v128.load(param + at);
    const grad4 = folded ? v128.load(grad + at) : v128.xor(v128.load(grad + at), slot(SIGN));
    const g = hasWeightDecay ? fmaFast4(p, slot(WEIGHT_DECAY), grad4) : grad4;
    let suspect = hasWeightDecay ? fmaSuspect4(p, slot(WEIGHT_DECAY), grad4, g) : i32x4.splat(0);
    let b = g;
    if (hasMomentum && !first) {
      const c = f32x4.mul(v128.load(buf + at), slot(MOMENTUM));
      b = fmaByFast4(g, oneMinusDampening, slot(ONE_MINUS_DAMPENING), c);
      suspect = v128.or(suspect, fmaBySuspect4(g, oneMinusDampening, slot(ONE_MINUS_DAMPENING), c, b));
    }
    let d = b;
    if (hasMomentum && nesterov) {
      d = fmaByFast4(b, momentum, slot(MOMENTUM), g);
      suspect = v128.or(suspect, fmaBySuspect4(b, momentum, slot(MOMENTUM), g, d));
    }
    const updated = fmaByFast4(d, lr, slot(NEG_LR), p);
    suspect = v128.or(suspect, fmaBySuspect4(d, lr, slot(NEG_LR), p, updated));
    if (anySuspect(suspect)) {
      sgdTorchElements(rec, i, i + 4);
      continue;
    }
    if (hasMomentum) v128.store(buf + at, b);
    v128.store(param + at, updated);
  }
  return i;
}

/** One torch-flavor SGD step over `count` tensor records at `table`. */
export function sgdStep(table: usize, count: u32): void {
  for (let k: u32 = 0; k < count; k++) {
    const rec = table + <usize>k * RECORD_BYTES;
    let i: usize = 0;
    if (ASC_FEATURE_SIMD) i = sgdTorch<v128>(rec, 0, 0);
    sgdTorchElements(rec, i, recCount(rec));
  }
}

@inline function sgdTfjsTensor(rec: usize, hasMomentum: bool, nesterov: bool): void {
  const param = recParam(rec), grad = recGrad(rec), buf = recPtr(rec, SgdStepTfjs.momentumBuffer), n = recCount(rec);
  const negLr = recF32(rec, SgdStepTfjs.negLr), momentum = recF32(rec, SgdStepTfjs.momentum);
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const vNegLr = f32x4.splat(negLr), vMomentum = f32x4.splat(momentum);
    for (; i + 4 <= n; i += 4) {
      const at = i << 2;
      const g = v128.load(grad + at);
      let d = g;
      if (hasMomentum) {
        const b = f32x4.add(f32x4.mul(vMomentum, v128.load(buf + at)), g);
        v128.store(buf + at, b);
        d = nesterov ? f32x4.add(g, f32x4.mul(b, vMomentum)) : b;
      }
      v128.store(param + at, f32x4.add(f32x4.mul(vNegLr, d), v128.load(param + at)));
    }
  }
  for (; i < n; i++) {
    const at = i << 2;
    const g = load<f32>(grad + at);
    let d = g;
    if (hasMomentum) {
      const b = momentum * load<f32>(buf + at) + g;
      store<f32>(buf + at, b);
      d = nesterov ? g + b * momentum : b;
    }
    store<f32>(param + at, negLr * d + load<f32>(param + at));
  }
}

/** One tfjs-flavor SGD (tf.train.sgd) or momentum (tf.train.momentum) step. */
export function sgdStepTfjs(table: usize, count: u32): void {
  for (let k: u32 = 0; k < count; k++) {
    const rec = table + <usize>k * RECORD_BYTES;
    const flags = recFlags(rec);
    if ((flags & SgdStepTfjs.FLAG_MOMENTUM) == 0) sgdTfjsTensor(rec, false, false);
    else if ((flags & SgdStepTfjs.FLAG_NESTEROV) != 0) sgdTfjsTensor(rec, true, true);
    else sgdTfjsTensor(rec, true, false);
  }
}
