// Adadelta: step sizes from the ratio of accumulated update and gradient magnitudes.
//
// torch flavor (torch.optim.Adadelta 1.13, CPU float32, fused multiply-adds as in ATen):
//   g = maximize ? −grad : grad
//   g = fma(param, weightDecay, g)                                   only when weightDecay ≠ 0
//   squareAvg = fma(fl(oneMinusRho · g), g, fl(squareAvg · rho))
//   std       = fl(sqrt(fl(squareAvg + eps)))                          (the NEW squareAvg)
//   delta     = fl(fl(fl(sqrt(fl(accDelta + eps))) / std) · g)
//   accDelta  = fma(fl(oneMinusRho · delta), delta, fl(accDelta · rho))
//   param     = fma(delta, negLr, param)
//
// tfjs flavor (tf.train.adadelta, tfjs-core 4.22 cpu backend; every op rounds to float32):
//   update    = fl(fl(fl(sqrt(fl(accDelta + eps))) / fl(sqrt(fl(squareAvg + eps)))) · g)  (OLD squareAvg)
//   squareAvg = fl(fl(squareAvg · rho) + fl(fl(g · g) · oneMinusRho))
//   accDelta  = fl(fl(accDelta · rho) + fl(fl(update · update) · oneMinusRho))
//   param     = fl(fl(update · negLr) + param)
//
// Record: the scalars, state buffers and flags named in `kernels` (src/optimizers/adadelta.ts),
// read by name through contract.generated.ts (scripts/gen-contract.mjs).
// tfjs calls square_avg accum_grad and acc_delta accum_var.

import { RECORD_BYTES, flipSign, recCount, recF32, recFlags, recGrad, recParam, recPtr } from './record';
import { AdadeltaStep, AdadeltaStepTfjs } from './contract.generated';
import { anySuspect, fmaBy, fmaByFast4, fmaBySuspect4, fmaFast4, fmaSuspect4, fmaf } from './fma';
import { putBits, putF32, slot } from './invariants';

// Slots of the invariants table (see assembly/invariants.ts).
const NEG_LR: usize = 0, RHO: usize = 1, ONE_MINUS_RHO: usize = 2, EPS: usize = 3;
const WEIGHT_DECAY: usize = 4, SIGN: usize = 5;

/**
 * The specialisations, chosen from the record's flags in this one place: for Lane = v128 the f32x4
 * loop (returning how many elements it stepped), for Lane = f32 elements [from, to) one at a time.
 * A type, not a bool: the element loop is also the vector loop's redo, and AssemblyScript does not
 * inline a function into itself; the two instances are two functions.
 */
@inline function adadeltaTorch<Lane>(rec: usize, from: usize, to: usize): usize {
  if ((recFlags(rec) & AdadeltaStep.FLAG_WEIGHT_DECAY) != 0) return adadeltaTorchLoop<Lane>(rec, from, to, true);
  return adadeltaTorchLoop<Lane>(rec, from, to, false);
}

@inline function adadeltaTorchLoop<Lane>(rec: usize, from: usize, to: usize, hasWeightDecay: bool): usize {
  if (isVector<Lane>()) return adadeltaTorchVectors(rec, hasWeightDecay);
  adadeltaTorchScalar(rec, from, to, hasWeightDecay);
  return to;
}

/** Elements [from, to) one at a time: the scalar build's loop, the SIMD build's tail and its
 * exact redo of any block whose fast FMA was suspect. */
function adadeltaTorchElements(rec: usize, from: usize, to: usize): void {
  adadeltaTorch<f32>(rec, from, to);
}

@inline function adadeltaTorchScalar(rec: usize, from: usize, to: usize, hasWeightDecay: bool): void {
  const param = recParam(rec), grad = recGrad(rec);
  const squareAvg = recPtr(rec, AdadeltaStep.squareAvg), accDelta = recPtr(rec, AdadeltaStep.accDelta);
  const signMask: u32 = (recFlags(rec) & AdadeltaStep.FLAG_MAXIMIZE) != 0 ? 0x80000000 : 0;
  const negLr = recF32(rec, AdadeltaStep.negLr);
  const rho = recF32(rec, AdadeltaStep.rho);
  const oneMinusRho = recF32(rec, AdadeltaStep.oneMinusRho);
  const eps = recF32(rec, AdadeltaStep.eps), weightDecay = recF32(rec, AdadeltaStep.weightDecay);
  for (let i = from; i < to; i++) {
    const at = i << 2;
    const p = load<f32>(param + at);
    let g = flipSign(load<f32>(grad + at), signMask);
    if (hasWeightDecay) g = fmaf(p, weightDecay, g);
    const sq = fmaf(oneMinusRho * g, g, load<f32>(squareAvg + at) * rho);
    store<f32>(squareAvg + at, sq);
    const std = sqrt<f32>(sq + eps);
    const ad = load<f32>(accDelta + at);
    const delta = (sqrt<f32>(ad + eps) / std) * g;
    store<f32>(accDelta + at, fmaf(oneMinusRho * delta, delta, ad * rho));
    store<f32>(param + at, fmaBy(delta, negLr, p));
  }
}

/** The f32x4 loop over one tensor; returns how many elements it stepped. */
@inline function adadeltaTorchVectors(rec: usize, hasWeightDecay: bool): usize {
  const param = recParam(rec), grad = recGrad(rec), n = recCount(rec);
  const squareAvg = recPtr(rec, AdadeltaStep.squareAvg), accDelta = recPtr(rec, AdadeltaStep.accDelta);
  const signMask: u32 = (recFlags(rec) & AdadeltaStep.FLAG_MAXIMIZE) != 0 ? 0x80000000 : 0;
  const negLr = recF32(rec, AdadeltaStep.negLr);
  putF32(NEG_LR, negLr);
  putF32(RHO, recF32(rec, AdadeltaStep.rho));
  putF32(ONE_MINUS_RHO, recF32(rec, AdadeltaStep.oneMinusRho));
  putF32(EPS, recF32(rec, AdadeltaStep.eps));
  putF32(WEIGHT_DECAY, recF32(rec, AdadeltaStep.weightDecay));
  putBits(SIGN, signMask);
  let i: usize = 0;
  for (; i + 4 <= n; i += 4) {
    const at = i << 2;
    const p = v128.load(param + at);
    const grad4 = v128.xor(v128.load(grad + at), slot(SIGN));
    const g = hasWeightDecay ? fmaFast4(p, slot(WEIGHT_DECAY), grad4) : grad4;
    let suspect = hasWeightDecay ? fmaSuspect4(p, slot(WEIGHT_DECAY), grad4, g) : i32x4.splat(0);
    const a = f32x4.mul(slot(ONE_MINUS_RHO), g);
    const c = f32x4.mul(v128.load(squareAvg + at), slot(RHO));
    const sq = fmaFast4(a, g, c);
    const std = f32x4.sqrt(f32x4.add(sq, slot(EPS)));
    const ad = v128.load(accDelta + at);
    const delta = f32x4.mul(f32x4.div(f32x4.sqrt(f32x4.add(ad, slot(EPS))), std), g);
    const aDelta = f32x4.mul(slot(ONE_MINUS_RHO), delta);
    const cDelta = f32x4.mul(ad, slot(RHO));
    const newAd = fmaFast4(aDelta, delta, cDelta);
    const updated = fmaByFast4(delta, negLr, slot(NEG_LR), p);
    suspect = v128.or(suspect, v128.or(
      fmaSuspect4(a, g, c, sq),
      v128.or(fmaSuspect4(aDelta, delta, cDelta, newAd), fmaBySuspect4(delta, negLr, slot(NEG_LR), p, updated))));
    if (anySuspect(suspect)) {
      adadeltaTorchElements(rec, i, i + 4);
      continue;
    }
    v128.store(squareAvg + at, sq);
    v128.store(accDelta + at, newAd);
    v128.store(param + at, updated);
  }
  return i;
}

/** One torch-flavor Adadelta step over `count` tensor records at `table`. */
export function adadeltaStep(table: usize, count: u32): void {
  for (let k: u32 = 0; k < count; k++) {
    const rec = table + <usize>k * RECORD_BYTES;
    let i: usize = 0;
    if (ASC_FEATURE_SIMD) i = adadeltaTorch<v128>(rec, 0, 0);
    adadeltaTorchElements(rec, i, recCount(rec));
  }
}

/** One tfjs-flavor Adadelta step over `count` tensor records at `table`. */
export function adadeltaStepTfjs(table: usize, count: u32): void {
  for (let k: u32 = 0; k < count; k++) {
    const rec = table + <usize>k * RECORD_BYTES;
    const param = recParam(rec), grad = recGrad(rec), n = recCount(rec);
    const squareAvg = recPtr(rec, AdadeltaStepTfjs.squareAvg), accDelta = recPtr(rec, AdadeltaStepTfjs.accDelta);
    const negLr = recF32(rec, AdadeltaStepTfjs.negLr);
    const rho = recF32(rec, AdadeltaStepTfjs.rho);
    const oneMinusRho = recF32(rec, AdadeltaStepTfjs.oneMinusRho);
    const eps = recF32(rec, AdadeltaStepTfjs.eps);
    let i: usize = 0;
    if (ASC_FEATURE_SIMD) {
      const vNegLr = f32x4.splat(negLr), vRho = f32x4.splat(rho);
      const vOneMinusRho = f32x4.splat(oneMinusRho), vEps = f32x4.splat(eps);
      for (; i + 4 <= n; i += 4) {
        const at = i << 2;
        const g = v128.load(grad + at);
        const sq = v128.load(squareAvg + at);
        const ad = v128.load(accDelta + at);
        const update = f32x4.mul(
          f32x4.div(f32x4.sqrt(f32x4.add(ad, vEps)), f32x4.sqrt(f32x4.add(sq, vEps))), g);
        v128.store(squareAvg + at, f32x4.add(f32x4.mul(sq, vRho), f32x4.mul(f32x4.mul(g, g), vOneMinusRho)));
        v128.store(accDelta + at,
          f32x4.add(f32x4.mul(ad, vRho), f32x4.mul(f32x4.mul(update, update), vOneMinusRho)));
        v128.store(param + at, f32x4.add(f32x4.mul(update, vNegLr), v128.load(param + at)));
      }
    }
    for (; i < n; i++) {
      const at = i << 2;
      const g = load<f32>(grad + at);
      const sq = load<f32>(squareAvg + at);
      const ad = load<f32>(accDelta + at);
      const update = (sqrt<f32>(ad + eps) / sqrt<f32>(sq + eps)) * g;
      store<f32>(squareAvg + at, sq * rho + (g * g) * oneMinusRho);
      store<f32>(accDelta + at, ad * rho + (update * update) * oneMinusRho);
      store<f32>(param + at, update * negLr + load<f32>(param + at));
    }
  }
}
