// RMSprop: Adagrad with exponential forgetting, so the step size does not vanish.
//
// torch flavor (torch.optim.RMSprop 1.13, CPU float32, fused multiply-adds as in ATen's AVX2):
//   g          = maximize ? −grad : grad
//   g          = fma(param, weightDecay, g)                       only when weightDecay ≠ 0
//   squareAvg  = fma(fl(oneMinusAlpha · g), g, fl(squareAvg · alpha))
//   centered:  gradAvg = fma(g, oneMinusAlpha, fl(gradAvg · alpha))
//              avg     = fl(sqrt(fma(−gradAvg, gradAvg, squareAvg)))
//   else       avg     = fl(sqrt(squareAvg))
//   avg        = fl(avg + eps)
//   momentum > 0: buf = fl(fl(buf · momentum) + fl(g / avg));  param = fma(buf, negLr, param)
//   else          param = fl(param + fl(fl(negLr · g) / avg))
//
// tfjs flavor (tf.train.rmsprop, tfjs-core 4.22 cpu backend; every op rounds to float32;
// alpha is tfjs's `decay`; the momentum slot holds lr × PyTorch's buffer and always exists):
//   squareAvg = fl(fl(squareAvg · alpha) + fl(fl(g · g) · oneMinusAlpha))
//   centered:  gradAvg = fl(fl(gradAvg · alpha) + fl(g · oneMinusAlpha))
//              den     = fl(sqrt(fl(squareAvg − fl(fl(gradAvg · gradAvg) + eps))))   (eps subtracted)
//   else       den     = fl(sqrt(fl(squareAvg + eps)))
//   buf   = fl(fl(buf · momentum) + fl(fl(g · lr) / den))
//   param = fl(param − buf)
//
// Record: the scalars, state buffers and flags named in `kernels` (src/optimizers/rmsprop.ts),
// read by name through contract.generated.ts (scripts/gen-contract.mjs).

import { RECORD_BYTES, flipSign, recCount, recF32, recFlags, recGrad, recParam, recPtr } from './record';
import { RmspropStep, RmspropStepTfjs } from './contract.generated';
import {
  HARDWARE_FMA, anySuspect, fmaBy, fmaByFast4, fmaBySuspect4, fmaFast4, fmaHalvesFast, fmaHalvesSuspect, fmaSuspect4,
  fmaf, hi, hiAt, lo, loAt,
} from './fma';
import { putBits, putF32, slot } from './invariants';

// Slots of the invariants table (see assembly/invariants.ts).
const ALPHA: usize = 0, ONE_MINUS_ALPHA: usize = 1, EPS: usize = 2, WEIGHT_DECAY: usize = 3;
const MOMENTUM: usize = 4, NEG_LR: usize = 5, SIGN: usize = 6;

// maximize negates every gradient. In the default loop g enters only through fl(oneMinusAlpha·g)·g
// and negLr·g, so the sign folds exactly into negLr; elsewhere (weight decay, grad_avg, the
// momentum buffer) one XOR per vector keeps the signs of zeros right (see assembly/adagrad.ts).

/**
 * The specialisations, chosen from the record's flags in this one place: for Lane = v128 the f32x4
 * loops (returning how many elements they stepped), for Lane = f32 elements [from, to) one at a time.
 * A type, not a bool: the element loop is also the vector loop's redo, and AssemblyScript does not
 * inline a function into itself; the two instances are two functions.
 * Eight of each: every loop carries only the work its options ask for.
 */
@inline function rmspropTorch<Lane>(rec: usize, from: usize, to: usize): usize {
  const flags = recFlags(rec);
  const wd = (flags & RmspropStep.FLAG_WEIGHT_DECAY) != 0;
  const centered = (flags & RmspropStep.FLAG_CENTERED) != 0;
  const momentum = (flags & RmspropStep.FLAG_MOMENTUM) != 0;
  if (wd) {
    if (centered) {
      if (momentum) return rmspropTorchLoop<Lane>(rec, from, to, true, true, true);
      return rmspropTorchLoop<Lane>(rec, from, to, true, true, false);
    }
    if (momentum) return rmspropTorchLoop<Lane>(rec, from, to, true, false, true);
    return rmspropTorchLoop<Lane>(rec, from, to, true, false, false);
  }
  if (centered) {
    if (momentum) return rmspropTorchLoop<Lane>(rec, from, to, false, true, true);
    return rmspropTorchLoop<Lane>(rec, from, to, false, true, false);
  }
  if (momentum) return rmspropTorchLoop<Lane>(rec, from, to, false, false, true);
  return rmspropTorchLoop<Lane>(rec, from, to, false, false, false);
}

@inline function rmspropTorchLoop<Lane>(
  rec: usize, from: usize, to: usize, hasWeightDecay: bool, centered: bool, hasMomentum: bool,
): usize {
  if (isVector<Lane>()) return rmspropTorchVectors(rec, hasWeightDecay, centered, hasMomentum);
  rmspropTorchScalar(rec, from, to, hasWeightDecay, centered, hasMomentum);
  return to;
}

/** Elements [from, to) one at a time: the scalar build's loop, the SIMD build's tail and its
 * exact redo of any block whose fast FMA was suspect. */
function rmspropTorchElements(rec: usize, from: usize, to: usize): void {
  rmspropTorch<f32>(rec, from, to);
}

@inline function rmspropTorchScalar(
  rec: usize, from: usize, to: usize, hasWeightDecay: bool, centered: bool, hasMomentum: bool,
): void {
  const param = recParam(rec), grad = recGrad(rec);
  const squareAvg = recPtr(rec, RmspropStep.squareAvg);
  const buf = recPtr(rec, RmspropStep.momentumBuffer);
  const gradAvg = recPtr(rec, RmspropStep.gradAvg);
  const alpha = recF32(rec, RmspropStep.alpha);
  const oneMinusAlpha = recF32(rec, RmspropStep.oneMinusAlpha);
  const eps = recF32(rec, RmspropStep.eps);
  const weightDecay = recF32(rec, RmspropStep.weightDecay);
  const momentum = recF32(rec, RmspropStep.momentum);
  const negLr = recF32(rec, RmspropStep.negLr);
  const signMask: u32 = (recFlags(rec) & RmspropStep.FLAG_MAXIMIZE) != 0 ? 0x80000000 : 0;
  for (let i = from; i < to; i++) {
    const at = i << 2;
    let p = load<f32>(param + at);
    let g = flipSign(load<f32>(grad + at), signMask);
    if (hasWeightDecay) g = fmaf(p, weightDecay, g);
    const sq = fmaf(oneMinusAlpha * g, g, load<f32>(squareAvg + at) * alpha);
    store<f32>(squareAvg + at, sq);
    let avg: f32;
    if (centered) {
      const ga = fmaBy(g, oneMinusAlpha, load<f32>(gradAvg + at) * alpha);
      store<f32>(gradAvg + at, ga);
      avg = sqrt<f32>(fmaf(-ga, ga, sq));
    } else {
      avg = sqrt<f32>(sq);
    }
    avg = avg + eps;
    if (hasMomentum) {
      const b = load<f32>(buf + at) * momentum + g / avg;
      store<f32>(buf + at, b);
      p = fmaBy(b, negLr, p);
    } else {
      p = p + (negLr * g) / avg;
    }
    store<f32>(param + at, p);
  }
}

/** The f32x4 loops over one tensor; returns how many elements they stepped. */
@inline function rmspropTorchVectors(rec: usize, hasWeightDecay: bool, centered: bool, hasMomentum: bool): usize {
  const param = recParam(rec), grad = recGrad(rec), n = recCount(rec);
  const squareAvg = recPtr(rec, RmspropStep.squareAvg);
  const buf = recPtr(rec, RmspropStep.momentumBuffer);
  const gradAvg = recPtr(rec, RmspropStep.gradAvg);
  const oneMinusAlpha = recF32(rec, RmspropStep.oneMinusAlpha), negLr = recF32(rec, RmspropStep.negLr);
  const signMask: u32 = (recFlags(rec) & RmspropStep.FLAG_MAXIMIZE) != 0 ? 0x80000000 : 0;
  putF32(ALPHA, recF32(rec, RmspropStep.alpha));
  putF32(ONE_MINUS_ALPHA, oneMinusAlpha);
  putF32(EPS, recF32(rec, RmspropStep.eps));
  let i: usize = 0;
  if (!hasWeightDecay && !centered && !hasMomentum && !HARDWARE_FMA) {
    // The default configuration, emulated FMA: eight lanes per suspect test, maximize folded
    // into negLr, and g promoted straight from memory.
    putF32(NEG_LR, flipSign(negLr, signMask));
    for (; i + 8 <= n; i += 8) {
      const at = i << 2;
      const g1 = v128.load(grad + at), g2 = v128.load(grad + at + 16);
      const a1 = f32x4.mul(slot(ONE_MINUS_ALPHA), g1), a2 = f32x4.mul(slot(ONE_MINUS_ALPHA), g2);
      const c1 = f32x4.mul(v128.load(squareAvg + at), slot(ALPHA));
      const c2 = f32x4.mul(v128.load(squareAvg + at + 16), slot(ALPHA));
      const aLo1 = lo(a1), aHi1 = hi(a1), gLo1 = loAt(grad + at), gHi1 = hiAt(grad + at);
      const aLo2 = lo(a2), aHi2 = hi(a2), gLo2 = loAt(grad + at + 16), gHi2 = hiAt(grad + at + 16);
      const cLo1 = lo(c1), cHi1 = hi(c1), cLo2 = lo(c2), cHi2 = hi(c2);
      const sq1 = fmaHalvesFast(aLo1, aHi1, gLo1, gHi1, cLo1, cHi1);
      const sq2 = fmaHalvesFast(aLo2, aHi2, gLo2, gHi2, cLo2, cHi2);
      if (anySuspect(v128.or(
        fmaHalvesSuspect(aLo1, aHi1, gLo1, gHi1, cLo1, cHi1, sq1),
        fmaHalvesSuspect(aLo2, aHi2, gLo2, gHi2, cLo2, cHi2, sq2)))) {
        rmspropTorchElements(rec, i, i + 8);
        continue;
      }
      v128.store(squareAvg + at, sq1);
      v128.store(squareAvg + at + 16, sq2);
      const avg1 = f32x4.add(f32x4.sqrt(sq1), slot(EPS));
      const avg2 = f32x4.add(f32x4.sqrt(sq2), slot(EPS));
      v128.store(param + at, f32x4.add(v128.load(param + at), f32x4.div(f32x4.mul(slot(NEG_LR), g1), avg1)));
      v128.store(param + at + 16, f32x4.add(v128.load(param + at + 16), f32x4.div(f32x4.mul(slot(NEG_LR), g2), avg2)));
    }
    return i;
  }
  putF32(WEIGHT_DECAY, recF32(rec, RmspropStep.weightDecay));
  putF32(MOMENTUM, recF32(rec, RmspropStep.momentum));
  putF32(NEG_LR, negLr);
  putBits(SIGN, signMask);
  for (; i + 4 <= n; i += 4) {
    const at = i << 2;
    let p = v128.load(param + at);
    const grad4 = v128.xor(v128.load(grad + at), slot(SIGN));
    const g = hasWeightDecay ? fmaFast4(p, slot(WEIGHT_DECAY), grad4) : grad4;
    let suspect = hasWeightDecay ? fmaSuspect4(p, slot(WEIGHT_DECAY), grad4, g) : i32x4.splat(0);
    const a = f32x4.mul(slot(ONE_MINUS_ALPHA), g);
    const c = f32x4.mul(v128.load(squareAvg + at), slot(ALPHA));
    const sq = fmaFast4(a, g, c);
    suspect = v128.or(suspect, fmaSuspect4(a, g, c, sq));
    let avg: v128;
    let ga: v128 = sq;
    if (centered) {
      const cga = f32x4.mul(v128.load(gradAvg + at), slot(ALPHA));
      ga = fmaByFast4(g, oneMinusAlpha, slot(ONE_MINUS_ALPHA), cga);
      const negGa = f32x4.neg(ga);
      const variance = fmaFast4(negGa, ga, sq);
      suspect = v128.or(suspect, v128.or(
        fmaBySuspect4(g, oneMinusAlpha, slot(ONE_MINUS_ALPHA), cga, ga), fmaSuspect4(negGa, ga, sq, variance)));
      avg = f32x4.sqrt(variance);
    } else {
      avg = f32x4.sqrt(sq);
    }
    avg = f32x4.add(avg, slot(EPS));
    let b: v128 = sq;
    if (hasMomentum) {
      b = f32x4.add(f32x4.mul(v128.load(buf + at), slot(MOMENTUM)), f32x4.div(g, avg));
      const updated = fmaByFast4(b, negLr, slot(NEG_LR), p);
      suspect = v128.or(suspect, fmaBySuspect4(b, negLr, slot(NEG_LR), p, updated));
      p = updated;
    } else {
      p = f32x4.add(p, f32x4.div(f32x4.mul(slot(NEG_LR), g), avg));
    }
    if (anySuspect(suspect)) {
      rmspropTorchElements(rec, i, i + 4);
      continue;
    }
    v128.store(squareAvg + at, sq);
    if (centered) v128.store(gradAvg + at, ga);
    if (hasMomentum) v128.store(buf + at, b);
    v128.store(param + at, p);
  }
  return i;
}

/** One torch-flavor RMSprop step over `count` tensor records at `table`. */
export function rmspropStep(table: usize, count: u32): void {
  for (let k: u32 = 0; k < count; k++) {
    const rec = table + <usize>k * RECORD_BYTES;
    let i: usize = 0;
    if (ASC_FEATURE_SIMD) i = rmspropTorch<v128>(rec, 0, 0);
    rmspropTorchElements(rec, i, recCount(rec));
  }
}

@inline function rmspropTfjsTensor(rec: usize, centered: bool): void {
  const param = recParam(rec), grad = recGrad(rec), n = recCount(rec);
  const squareAvg = recPtr(rec, RmspropStepTfjs.squareAvg);
  const buf = recPtr(rec, RmspropStepTfjs.momentumBuffer);
  const gradAvg = recPtr(rec, RmspropStepTfjs.gradAvg);
  const alpha = recF32(rec, RmspropStepTfjs.alpha);
  const oneMinusAlpha = recF32(rec, RmspropStepTfjs.oneMinusAlpha);
  const eps = recF32(rec, RmspropStepTfjs.eps);
  const momentum = recF32(rec, RmspropStepTfjs.momentum), lr = recF32(rec, RmspropStepTfjs.lr);
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const vAlpha = f32x4.splat(alpha), vOneMinusAlpha = f32x4.splat(oneMinusAlpha);
    const vEps = f32x4.splat(eps), vMomentum = f32x4.splat(momentum), vLr = f32x4.splat(lr);
    for (; i + 4 <= n; i += 4) {
      const at = i << 2;
      const g = v128.load(grad + at);
      const sq = f32x4.add(
        f32x4.mul(v128.load(squareAvg + at), vAlpha), f32x4.mul(f32x4.mul(g, g), vOneMinusAlpha));
      v128.store(squareAvg + at, sq);
      let den: v128;
      if (centered) {
        const ga = f32x4.add(f32x4.mul(v128.load(gradAvg + at), vAlpha), f32x4.mul(g, vOneMinusAlpha));
        v128.store(gradAvg + at, ga);
        den = f32x4.sqrt(f32x4.sub(sq, f32x4.add(f32x4.mul(ga, ga), vEps)));
      } else {
        den = f32x4.sqrt(f32x4.add(sq, vEps));
      }
      const b = f32x4.add(
        f32x4.mul(v128.load(buf + at), vMomentum), f32x4.div(f32x4.mul(g, vLr), den));
      v128.store(buf + at, b);
      v128.store(param + at, f32x4.sub(v128.load(param + at), b));
    }
  }
  for (; i < n; i++) {
    const at = i << 2;
    const g = load<f32>(grad + at);
    const sq = load<f32>(squareAvg + at) * alpha + (g * g) * oneMinusAlpha;
    store<f32>(squareAvg + at, sq);
    let den: f32;
    if (centered) {
      const ga = load<f32>(gradAvg + at) * alpha + g * oneMinusAlpha;
      store<f32>(gradAvg + at, ga);
      den = sqrt<f32>(sq - (ga * ga + eps));
    } else {
      den = sqrt<f32>(sq + eps);
    }
    const b = load<f32>(buf + at) * momentum + (g * lr) / den;
    store<f32>(buf + at, b);
    store<f32>(param + at, load<f32>(param + at) - b);
  }
}

/** One tfjs-flavor RMSprop step over `count` tensor records at `table`. */
export function rmspropStepTfjs(table: usize, count: u32): void {
  for (let k: u32 = 0; k < count; k++) {
    const rec = table + <usize>k * RECORD_BYTES;
    if ((recFlags(rec) & RmspropStepTfjs.FLAG_CENTERED) != 0) rmspropTfjsTensor(rec, true);
    else rmspropTfjsTensor(rec, false);
  }
}
