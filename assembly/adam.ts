// Adam and AdamW (with AMSGrad): bias-corrected first and second moment estimates.
//
// torch flavor (torch.optim.Adam / AdamW 1.13, CPU float32, fused multiply-adds as in ATen):
//   g = maximize ? −grad : grad
//   AdamW: param = fl(param · decay)          decay = fl(1 − lr·weightDecay), float64 first
//   Adam:  g = fma(param, weightDecay, g)     only when weightDecay ≠ 0
//   m = fma(g, oneMinusBeta1, fl(m · beta1))
//   v = fma(fl(oneMinusBeta2 · g), g, fl(v · beta2))
//   amsgrad: vmax = max(vmax, v), used for v below
//   denom = fl(fl(fl(sqrt(v)) / bc2Sqrt) + eps)          bc2Sqrt = fl(√(1 − β2^t)), float64 first
//   param = fl(param + fl(fl(negStepSize · m) / denom))  negStepSize = fl(−lr / (1 − β1^t))
//
// tfjs flavor (tf.train.adam, tfjs-core 4.22 cpu backend; every op rounds to float32):
//   m = fl(fl(m · beta1) + fl(g · oneMinusBeta1))
//   v = fl(fl(v · beta2) + fl(fl(g · g) · oneMinusBeta2))
//   param = fl(fl(fl(fl(m / a1) / fl(fl(sqrt(fl(v / a2))) + eps)) · negLr) + param)
//   a1 = fl(1 − accBeta1), a2 = fl(1 − accBeta2): float32 running products kept by the facade
//
// Record: the scalars, state buffers and flags named in `kernels` (src/optimizers/adam.ts),
// read by name through contract.generated.ts (scripts/gen-contract.mjs).

import { RECORD_BYTES, flipSign, recCount, recF32, recFlags, recGrad, recParam, recPtr } from './record';
import { AdamStep, AdamStepTfjs } from './contract.generated';
import {
  HARDWARE_FMA, anySuspect, fmaBy, fmaByFast4, fmaBySuspect4, fmaFast4, fmaHalvesFast, fmaHalvesSuspect, fmaSuspect4,
  fmaf, hi, hiAt, isPowerOfTwo, lo, loAt,
} from './fma';
import { putBits, putF32, putF64, slot } from './invariants';

// Slots of the invariants table (see assembly/invariants.ts).
const NEG_STEP_SIZE: usize = 0, BC2_SQRT: usize = 1, EPS: usize = 2, BETA1: usize = 3;
const ONE_MINUS_BETA1: usize = 4, BETA2: usize = 5, ONE_MINUS_BETA2: usize = 6, DECAY_OR_WD: usize = 7;
const SIGN: usize = 8;

// maximize negates every gradient (one XOR per vector). In the default loop it folds exactly
// into oneMinusBeta1 instead: m = fma(−grad, 1 − β1, ·) = fma(grad, −(1 − β1), ·), and v does
// not see the sign at all: fl((1 − β2)·(−grad))·(−grad) = fl((1 − β2)·grad)·grad.

/**
 * The specialisations, chosen from the record's flags in this one place: for Lane = v128 the f32x4
 * loops (returning how many elements they stepped), for Lane = f32 elements [from, to) one at a time.
 * A type, not a bool: the element loop is also the vector loop's redo, and AssemblyScript does not
 * inline a function into itself; the two instances are two functions.
 * AdamW (decoupled) never takes Adam's weight decay into g: six of each.
 */
@inline function adamTorch<Lane>(rec: usize, from: usize, to: usize): usize {
  const flags = recFlags(rec);
  const amsgrad = (flags & AdamStep.FLAG_AMSGRAD) != 0;
  if ((flags & AdamStep.FLAG_DECOUPLED) != 0) {
    if (amsgrad) return adamTorchLoop<Lane>(rec, from, to, false, true, true);
    return adamTorchLoop<Lane>(rec, from, to, false, true, false);
  }
  if ((flags & AdamStep.FLAG_WEIGHT_DECAY) != 0) {
    if (amsgrad) return adamTorchLoop<Lane>(rec, from, to, true, false, true);
    return adamTorchLoop<Lane>(rec, from, to, true, false, false);
  }
  if (amsgrad) return adamTorchLoop<Lane>(rec, from, to, false, false, true);
  return adamTorchLoop<Lane>(rec, from, to, false, false, false);
}

@inline function adamTorchLoop<Lane>(
  rec: usize, from: usize, to: usize, hasWeightDecay: bool, decoupled: bool, amsgrad: bool,
): usize {
  if (isVector<Lane>()) return adamTorchVectors(rec, hasWeightDecay, decoupled, amsgrad);
  adamTorchScalar(rec, from, to, hasWeightDecay, decoupled, amsgrad);
  return to;
}

/** Elements [from, to) one at a time: the scalar build's loop, the SIMD build's tail and its
 * exact redo of any block whose fast FMA was suspect. */
function adamTorchElements(rec: usize, from: usize, to: usize): void {
  adamTorch<f32>(rec, from, to);
}

@inline function adamTorchScalar(
  rec: usize, from: usize, to: usize, hasWeightDecay: bool, decoupled: bool, amsgrad: bool,
): void {
  const param = recParam(rec), grad = recGrad(rec);
  const expAvg = recPtr(rec, AdamStep.expAvg);
  const expAvgSq = recPtr(rec, AdamStep.expAvgSq);
  const maxExpAvgSq = recPtr(rec, AdamStep.maxExpAvgSq);
  const signMask: u32 = (recFlags(rec) & AdamStep.FLAG_MAXIMIZE) != 0 ? 0x80000000 : 0;
  const negStepSize = recF32(rec, AdamStep.negStepSize);
  const bc2Sqrt = recF32(rec, AdamStep.bc2Sqrt);
  const eps = recF32(rec, AdamStep.eps);
  const beta1 = recF32(rec, AdamStep.beta1), oneMinusBeta1 = recF32(rec, AdamStep.oneMinusBeta1);
  const beta2 = recF32(rec, AdamStep.beta2);
  const oneMinusBeta2 = recF32(rec, AdamStep.oneMinusBeta2);
  const decayOrWeightDecay = recF32(rec, AdamStep.decayOrWeightDecay);
  for (let i = from; i < to; i++) {
    const at = i << 2;
    let p = load<f32>(param + at);
    let g = flipSign(load<f32>(grad + at), signMask);
    if (decoupled) p = p * decayOrWeightDecay;
    else if (hasWeightDecay) g = fmaf(p, decayOrWeightDecay, g);
    const m = fmaBy(g, oneMinusBeta1, load<f32>(expAvg + at) * beta1);
    store<f32>(expAvg + at, m);
    let v = fmaf(oneMinusBeta2 * g, g, load<f32>(expAvgSq + at) * beta2);
    store<f32>(expAvgSq + at, v);
    if (amsgrad) {
      v = max<f32>(load<f32>(maxExpAvgSq + at), v);
      store<f32>(maxExpAvgSq + at, v);
    }
    const denom = sqrt<f32>(v) / bc2Sqrt + eps;
    store<f32>(param + at, p + (negStepSize * m) / denom);
  }
}

/** The f32x4 loops over one tensor; returns how many elements they stepped. */
@inline function adamTorchVectors(rec: usize, hasWeightDecay: bool, decoupled: bool, amsgrad: bool): usize {
  const param = recParam(rec), grad = recGrad(rec), n = recCount(rec);
  const expAvg = recPtr(rec, AdamStep.expAvg);
  const expAvgSq = recPtr(rec, AdamStep.expAvgSq);
  const maxExpAvgSq = recPtr(rec, AdamStep.maxExpAvgSq);
  const signMask: u32 = (recFlags(rec) & AdamStep.FLAG_MAXIMIZE) != 0 ? 0x80000000 : 0;
  const oneMinusBeta1 = recF32(rec, AdamStep.oneMinusBeta1);
  putF32(NEG_STEP_SIZE, recF32(rec, AdamStep.negStepSize));
  putF32(BC2_SQRT, recF32(rec, AdamStep.bc2Sqrt));
  putF32(EPS, recF32(rec, AdamStep.eps));
  putF32(BETA1, recF32(rec, AdamStep.beta1));
  putF32(BETA2, recF32(rec, AdamStep.beta2));
  putF32(ONE_MINUS_BETA2, recF32(rec, AdamStep.oneMinusBeta2));
  let i: usize = 0;
  if (!hasWeightDecay && !decoupled && !amsgrad && !isPowerOfTwo(oneMinusBeta1) && !HARDWARE_FMA) {
    // The default configuration, emulated FMA: both moments of eight lanes under one suspect
    // test, grad promoted straight from memory, 1 − β1 (maximize's sign folded in) promoted once.
    putF64(ONE_MINUS_BETA1, flipSign(oneMinusBeta1, signMask));
    for (; i + 8 <= n; i += 8) {
      const at = i << 2;
      const g1 = v128.load(grad + at), g2 = v128.load(grad + at + 16);
      const gLo1 = loAt(grad + at), gHi1 = hiAt(grad + at);
      const gLo2 = loAt(grad + at + 16), gHi2 = hiAt(grad + at + 16);
      const cm1 = f32x4.mul(v128.load(expAvg + at), slot(BETA1));
      const cm2 = f32x4.mul(v128.load(expAvg + at + 16), slot(BETA1));
      const cmLo1 = lo(cm1), cmHi1 = hi(cm1), cmLo2 = lo(cm2), cmHi2 = hi(cm2);
      const m1 = fmaHalvesFast(gLo1, gHi1, slot(ONE_MINUS_BETA1), slot(ONE_MINUS_BETA1), cmLo1, cmHi1);
      const m2 = fmaHalvesFast(gLo2, gHi2, slot(ONE_MINUS_BETA1), slot(ONE_MINUS_BETA1), cmLo2, cmHi2);
      const a1 = f32x4.mul(slot(ONE_MINUS_BETA2), g1), a2 = f32x4.mul(slot(ONE_MINUS_BETA2), g2);
      const cv1 = f32x4.mul(v128.load(expAvgSq + at), slot(BETA2));
      const cv2 = f32x4.mul(v128.load(expAvgSq + at + 16), slot(BETA2));
      const aLo1 = lo(a1), aHi1 = hi(a1), aLo2 = lo(a2), aHi2 = hi(a2);
      const cvLo1 = lo(cv1), cvHi1 = hi(cv1), cvLo2 = lo(cv2), cvHi2 = hi(cv2);
      const v1 = fmaHalvesFast(aLo1, aHi1, gLo1, gHi1, cvLo1, cvHi1);
      const v2 = fmaHalvesFast(aLo2, aHi2, gLo2, gHi2, cvLo2, cvHi2);
      if (anySuspect(v128.or(
        v128.or(
          fmaHalvesSuspect(gLo1, gHi1, slot(ONE_MINUS_BETA1), slot(ONE_MINUS_BETA1), cmLo1, cmHi1, m1),
          fmaHalvesSuspect(gLo2, gHi2, slot(ONE_MINUS_BETA1), slot(ONE_MINUS_BETA1), cmLo2, cmHi2, m2)),
        v128.or(
          fmaHalvesSuspect(aLo1, aHi1, gLo1, gHi1, cvLo1, cvHi1, v1),
          fmaHalvesSuspect(aLo2, aHi2, gLo2, gHi2, cvLo2, cvHi2, v2))))) {
        adamTorchElements(rec, i, i + 8);
        continue;
      }
      v128.store(expAvg + at, m1);
      v128.store(expAvg + at + 16, m2);
      v128.store(expAvgSq + at, v1);
      v128.store(expAvgSq + at + 16, v2);
      const denom1 = f32x4.add(f32x4.div(f32x4.sqrt(v1), slot(BC2_SQRT)), slot(EPS));
      const denom2 = f32x4.add(f32x4.div(f32x4.sqrt(v2), slot(BC2_SQRT)), slot(EPS));
      const step1 = f32x4.div(f32x4.mul(slot(NEG_STEP_SIZE), m1), denom1);
      const step2 = f32x4.div(f32x4.mul(slot(NEG_STEP_SIZE), m2), denom2);
      v128.store(param + at, f32x4.add(v128.load(param + at), step1));
      v128.store(param + at + 16, f32x4.add(v128.load(param + at + 16), step2));
    }
    return i;
  }
  putF32(ONE_MINUS_BETA1, oneMinusBeta1);
  putF32(DECAY_OR_WD, recF32(rec, AdamStep.decayOrWeightDecay));
  putBits(SIGN, signMask);
  for (; i + 4 <= n; i += 4) {
    const at = i << 2;
    let p = v128.load(param + at);
    const grad4 = v128.xor(v128.load(grad + at), slot(SIGN));
    // AdamW decays param, Adam adds the weight decay to g (the dispatch never asks for both).
    if (decoupled) p = f32x4.mul(p, slot(DECAY_OR_WD));
    const g = hasWeightDecay ? fmaFast4(p, slot(DECAY_OR_WD), grad4) : grad4;
    let suspect = hasWeightDecay ? fmaSuspect4(p, slot(DECAY_OR_WD), grad4, g) : i32x4.splat(0);
    const cm = f32x4.mul(v128.load(expAvg + at), slot(BETA1));
    const m = fmaByFast4(g, oneMinusBeta1, slot(ONE_MINUS_BETA1), cm);
    const a = f32x4.mul(slot(ONE_MINUS_BETA2), g);
    const cv = f32x4.mul(v128.load(expAvgSq + at), slot(BETA2));
    const v = fmaFast4(a, g, cv);
    suspect = v128.or(suspect, v128.or(
      fmaBySuspect4(g, oneMinusBeta1, slot(ONE_MINUS_BETA1), cm, m), fmaSuspect4(a, g, cv, v)));
    if (anySuspect(suspect)) {
      adamTorchElements(rec, i, i + 4);
      continue;
    }
    v128.store(expAvg + at, m);
    v128.store(expAvgSq + at, v);
    let vUsed = v;
    if (amsgrad) {
      vUsed = f32x4.max(v128.load(maxExpAvgSq + at), v);
      v128.store(maxExpAvgSq + at, vUsed);
    }
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vUsed), slot(BC2_SQRT)), slot(EPS));
    v128.store(param + at, f32x4.add(p, f32x4.div(f32x4.mul(slot(NEG_STEP_SIZE), m), denom)));
  }
  return i;
}

/** One torch-flavor Adam / AdamW step over `count` tensor records at `table`. */
export function adamStep(table: usize, count: u32): void {
  for (let k: u32 = 0; k < count; k++) {
    const rec = table + <usize>k * RECORD_BYTES;
    let i: usize = 0;
    if (ASC_FEATURE_SIMD) i = adamTorch<v128>(rec, 0, 0);
    adamTorchElements(rec, i, recCount(rec));
  }
}

/** One tfjs-flavor Adam step over `count` tensor records at `table`. */
export function adamStepTfjs(table: usize, count: u32): void {
  for (let k: u32 = 0; k < count; k++) {
    const rec = table + <usize>k * RECORD_BYTES;
    const param = recParam(rec), grad = recGrad(rec), n = recCount(rec);
    const expAvg = recPtr(rec, AdamStepTfjs.expAvg), expAvgSq = recPtr(rec, AdamStepTfjs.expAvgSq);
    const negLr = recF32(rec, AdamStepTfjs.negLr), a1 = recF32(rec, AdamStepTfjs.a1), a2 = recF32(rec, AdamStepTfjs.a2);
    const beta1 = recF32(rec, AdamStepTfjs.beta1), oneMinusBeta1 = recF32(rec, AdamStepTfjs.oneMinusBeta1);
    const beta2 = recF32(rec, AdamStepTfjs.beta2);
    const oneMinusBeta2 = recF32(rec, AdamStepTfjs.oneMinusBeta2);
    const eps = recF32(rec, AdamStepTfjs.eps);
    let i: usize = 0;
    if (ASC_FEATURE_SIMD) {
      const vNegLr = f32x4.splat(negLr), vA1 = f32x4.splat(a1), vA2 = f32x4.splat(a2);
      const vBeta1 = f32x4.splat(beta1), vOneMinusBeta1 = f32x4.splat(oneMinusBeta1);
      const vBeta2 = f32x4.splat(beta2), vOneMinusBeta2 = f32x4.splat(oneMinusBeta2);
      const vEps = f32x4.splat(eps);
      for (; i + 4 <= n; i += 4) {
        const at = i << 2;
        const g = v128.load(grad + at);
        const m = f32x4.add(f32x4.mul(v128.load(expAvg + at), vBeta1), f32x4.mul(g, vOneMinusBeta1));
        v128.store(expAvg + at, m);
        const v = f32x4.add(f32x4.mul(v128.load(expAvgSq + at), vBeta2),
          f32x4.mul(f32x4.mul(g, g), vOneMinusBeta2));
        v128.store(expAvgSq + at, v);
        const denom = f32x4.add(f32x4.sqrt(f32x4.div(v, vA2)), vEps);
        const update = f32x4.mul(f32x4.div(f32x4.div(m, vA1), denom), vNegLr);
        v128.store(param + at, f32x4.add(update, v128.load(param + at)));
      }
    }
    for (; i < n; i++) {
      const at = i << 2;
      const g = load<f32>(grad + at);
      const m = load<f32>(expAvg + at) * beta1 + g * oneMinusBeta1;
      store<f32>(expAvg + at, m);
      const v = load<f32>(expAvgSq + at) * beta2 + (g * g) * oneMinusBeta2;
      store<f32>(expAvgSq + at, v);
      const denom = sqrt<f32>(v / a2) + eps;
      store<f32>(param + at, ((m / a1) / denom) * negLr + load<f32>(param + at));
    }
  }
}
