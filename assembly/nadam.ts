// NAdam: Adam with Nesterov momentum and a warming-up momentum schedule μ_t.
//
// torch flavor (torch.optim.NAdam 1.13, foreach=False, CPU float32, fused multiply-adds as in ATen):
//   g = fma(param, weightDecay, g)                    only when weightDecay ≠ 0 (no maximize in 1.13)
//   m = fma(g, oneMinusBeta1, fl(m · beta1))
//   v = fma(fl(oneMinusBeta2 · g), g, fl(v · beta2))
//   denom = fl(fl(sqrt(fl(v / bc2))) + eps)            bc2 = fl(1 − β2^t), float64 first
//   param = fl(param + fl(fl(negGradStep · g) / denom))       (addcdiv_ #1: the gradient term)
//   param = fl(param + fl(fl(negMomentumStep · m) / denom))   (addcdiv_ #2: the momentum term)
//   negGradStep = fl(−lr·(1 − μ_t)/(1 − Π)), negMomentumStep = fl(−lr·μ_(t+1)/(1 − Π_next)): the
//   facade's float64 scalars from the float32 mu_product Π it keeps (src/optimizers/nadam.ts)
//
// Record: the scalars, state buffers and flags named in `kernels` (src/optimizers/nadam.ts),
// read by name through contract.generated.ts (scripts/gen-contract.mjs). Nine scalars: the ninth
// (weightDecay) sits in the record's reserved word.

import { RECORD_BYTES, recCount, recF32, recFlags, recGrad, recParam, recPtr } from './record';
import { NadamStep } from './contract.generated';
import { anySuspect, fmaBy, fmaByFast4, fmaBySuspect4, fmaFast4, fmaSuspect4, fmaf } from './fma';
import { putF32, slot } from './invariants';

// Slots of the invariants table (see assembly/invariants.ts).
const NEG_GRAD_STEP: usize = 0, NEG_MOMENTUM_STEP: usize = 1, BC2: usize = 2, EPS: usize = 3;
const BETA1: usize = 4, ONE_MINUS_BETA1: usize = 5, BETA2: usize = 6, ONE_MINUS_BETA2: usize = 7;
const WEIGHT_DECAY: usize = 8;

/**
 * The specialisations, chosen from the record's flags in this one place: for Lane = v128 the f32x4
 * loop (returning how many elements it stepped), for Lane = f32 elements [from, to) one at a time.
 * A type, not a bool: the element loop is also the vector loop's redo, and AssemblyScript does not
 * inline a function into itself; the two instances are two functions.
 */
@inline function nadamTorch<Lane>(rec: usize, from: usize, to: usize): usize {
  if ((recFlags(rec) & NadamStep.FLAG_WEIGHT_DECAY) != 0) return nadamTorchLoop<Lane>(rec, from, to, true);
  return nadamTorchLoop<Lane>(rec, from, to, false);
}

@inline function nadamTorchLoop<Lane>(rec: usize, from: usize, to: usize, hasWeightDecay: bool): usize {
  if (isVector<Lane>()) return nadamVectors(rec, hasWeightDecay);
  nadamScalar(rec, from, to, hasWeightDecay);
  return to;
}

/** Elements [from, to) one at a time: the scalar build's loop, the SIMD build's tail and its
 * exact redo of any block whose fast FMA was suspect. */
function nadamElements(rec: usize, from: usize, to: usize): void {
  nadamTorch<f32>(rec, from, to);
}

@inline function nadamScalar(rec: usize, from: usize, to: usize, hasWeightDecay: bool): void {
  const param = recParam(rec), grad = recGrad(rec);
  const expAvg = recPtr(rec, NadamStep.expAvg), expAvgSq = recPtr(rec, NadamStep.expAvgSq);
  const negGradStep = recF32(rec, NadamStep.negGradStep);
  const negMomentumStep = recF32(rec, NadamStep.negMomentumStep);
  const bc2 = recF32(rec, NadamStep.bc2), eps = recF32(rec, NadamStep.eps);
  const beta1 = recF32(rec, NadamStep.beta1), oneMinusBeta1 = recF32(rec, NadamStep.oneMinusBeta1);
  const beta2 = recF32(rec, NadamStep.beta2), oneMinusBeta2 = recF32(rec, NadamStep.oneMinusBeta2);
  const weightDecay = recF32(rec, NadamStep.weightDecay);
  for (let i = from; i < to; i++) {
    const at = i << 2;
    const p = load<f32>(param + at);
    let g = load<f32>(grad + at);
    if (hasWeightDecay) g = fmaf(p, weightDecay, g);
    const m = fmaBy(g, oneMinusBeta1, load<f32>(expAvg + at) * beta1);
    store<f32>(expAvg + at, m);
    const v = fmaf(oneMinusBeta2 * g, g, load<f32>(expAvgSq + at) * beta2);
    store<f32>(expAvgSq + at, v);
    const denom = sqrt<f32>(v / bc2) + eps;
    const p1 = p + (negGradStep * g) / denom;
    store<f32>(param + at, p1 + (negMomentumStep * m) / denom);
  }
}

/** The f32x4 loop over one tensor; returns how many elements it stepped. */
@inline function nadamVectors(rec: usize, hasWeightDecay: bool): usize {
  const param = recParam(rec), grad = recGrad(rec), n = recCount(rec);
  const expAvg = recPtr(rec, NadamStep.expAvg), expAvgSq = recPtr(rec, NadamStep.expAvgSq);
  const oneMinusBeta1 = recF32(rec, NadamStep.oneMinusBeta1);
  putF32(NEG_GRAD_STEP, recF32(rec, NadamStep.negGradStep));
  putF32(NEG_MOMENTUM_STEP, recF32(rec, NadamStep.negMomentumStep));
  putF32(BC2, recF32(rec, NadamStep.bc2));
  putF32(EPS, recF32(rec, NadamStep.eps));
  putF32(BETA1, recF32(rec, NadamStep.beta1));
  putF32(ONE_MINUS_BETA1, oneMinusBeta1);
  putF32(BETA2, recF32(rec, NadamStep.beta2));
  putF32(ONE_MINUS_BETA2, recF32(rec, NadamStep.oneMinusBeta2));
  putF32(WEIGHT_DECAY, recF32(rec, NadamStep.weightDecay));
  let i: usize = 0;
  for (; i + 4 <= n; i += 4) {
    const at = i << 2;
    const p = v128.load(param + at);
    const grad4 = v128.load(grad + at);
    let g = grad4;
    let suspect = i32x4.splat(0);
    if (hasWeightDecay) {
      g = fmaFast4(p, slot(WEIGHT_DECAY), grad4);
      suspect = fmaSuspect4(p, slot(WEIGHT_DECAY), grad4, g);
    }
    const cm = f32x4.mul(v128.load(expAvg + at), slot(BETA1));
    const m = fmaByFast4(g, oneMinusBeta1, slot(ONE_MINUS_BETA1), cm);
    const a = f32x4.mul(slot(ONE_MINUS_BETA2), g);
    const cv = f32x4.mul(v128.load(expAvgSq + at), slot(BETA2));
    const v = fmaFast4(a, g, cv);
    suspect = v128.or(suspect, v128.or(
      fmaBySuspect4(g, oneMinusBeta1, slot(ONE_MINUS_BETA1), cm, m), fmaSuspect4(a, g, cv, v)));
    if (anySuspect(suspect)) {
      nadamElements(rec, i, i + 4);
      continue;
    }
    v128.store(expAvg + at, m);
    v128.store(expAvgSq + at, v);
    const denom = f32x4.add(f32x4.sqrt(f32x4.div(v, slot(BC2))), slot(EPS));
    const p1 = f32x4.add(p, f32x4.div(f32x4.mul(slot(NEG_GRAD_STEP), g), denom));
    v128.store(param + at, f32x4.add(p1, f32x4.div(f32x4.mul(slot(NEG_MOMENTUM_STEP), m), denom)));
  }
  return i;
}

/** One torch-flavor NAdam step over `count` tensor records at `table`. */
export function nadamStep(table: usize, count: u32): void {
  for (let k: u32 = 0; k < count; k++) {
    const rec = table + <usize>k * RECORD_BYTES;
    let i: usize = 0;
    if (ASC_FEATURE_SIMD) i = nadamTorch<v128>(rec, 0, 0);
    nadamElements(rec, i, recCount(rec));
  }
}
