// RAdam: Adam whose adaptive step is rectified, and off while ρ_t ≤ 5.
//
// torch flavor (torch.optim.RAdam 1.13, foreach=False, CPU float32, fused multiply-adds as in ATen):
//   g = fma(param, weightDecay, g)                    only when weightDecay ≠ 0 (no maximize in 1.13)
//   m = fma(g, oneMinusBeta1, fl(m · beta1))
//   v = fma(fl(oneMinusBeta2 · g), g, fl(v · beta2))
//   upd = fl(fl(m / bc1) · lr)                          bc1 = fl(1 − β1^t), float64 first
//   rectified (ρ_t > 5, the facade decides per step):
//     a   = fl(fl(1 / fl(fl(sqrt(v)) + eps)) · bc2Sqrt)   bc2Sqrt = fl(√(1 − β2^t))
//     upd = fl(fl(upd · a) · rect)                        rect = fl(√(…)), float64 first
//   param = fl(param − upd)                             (add_(upd, alpha=−1): one rounding)
//
// Record: the scalars, state buffers and flags named in `kernels` (src/optimizers/radam.ts),
// read by name through contract.generated.ts (scripts/gen-contract.mjs). Ten scalars: the ninth
// (weightDecay) sits in the record's reserved word, the tenth (rect) in the unused state2 word.

import { RECORD_BYTES, recCount, recF32, recFlags, recGrad, recParam, recPtr } from './record';
import { RadamStep } from './contract.generated';
import { anySuspect, fmaBy, fmaByFast4, fmaBySuspect4, fmaFast4, fmaSuspect4, fmaf } from './fma';
import { putF32, slot } from './invariants';

// Slots of the invariants table (see assembly/invariants.ts).
const LR: usize = 0, BC1: usize = 1, EPS: usize = 2, BC2_SQRT: usize = 3, RECT: usize = 4;
const BETA1: usize = 5, ONE_MINUS_BETA1: usize = 6, BETA2: usize = 7, ONE_MINUS_BETA2: usize = 8;
const WEIGHT_DECAY: usize = 9, ONE: usize = 10;

/**
 * The specialisations, chosen from the record's flags in this one place: for Lane = v128 the f32x4
 * loops (returning how many elements they stepped), for Lane = f32 elements [from, to) one at a time.
 * A type, not a bool: the element loop is also the vector loop's redo, and AssemblyScript does not
 * inline a function into itself; the two instances are two functions.
 */
@inline function radamTorch<Lane>(rec: usize, from: usize, to: usize): usize {
  const flags = recFlags(rec);
  const rectified = (flags & RadamStep.FLAG_RECTIFIED) != 0;
  if ((flags & RadamStep.FLAG_WEIGHT_DECAY) != 0) {
    if (rectified) return radamTorchLoop<Lane>(rec, from, to, true, true);
    return radamTorchLoop<Lane>(rec, from, to, true, false);
  }
  if (rectified) return radamTorchLoop<Lane>(rec, from, to, false, true);
  return radamTorchLoop<Lane>(rec, from, to, false, false);
}

@inline function radamTorchLoop<Lane>(
  rec: usize, from: usize, to: usize, hasWeightDecay: bool, rectified: bool,
): usize {
  if (isVector<Lane>()) return radamVectors(rec, hasWeightDecay, rectified);
  radamScalar(rec, from, to, hasWeightDecay, rectified);
  return to;
}

/** Elements [from, to) one at a time: the scalar build's loop, the SIMD build's tail and its
 * exact redo of any block whose fast FMA was suspect. */
function radamElements(rec: usize, from: usize, to: usize): void {
  radamTorch<f32>(rec, from, to);
}

@inline function radamScalar(rec: usize, from: usize, to: usize, hasWeightDecay: bool, rectified: bool): void {
  const param = recParam(rec), grad = recGrad(rec);
  const expAvg = recPtr(rec, RadamStep.expAvg), expAvgSq = recPtr(rec, RadamStep.expAvgSq);
  const lr = recF32(rec, RadamStep.lr), bc1 = recF32(rec, RadamStep.bc1), eps = recF32(rec, RadamStep.eps);
  const bc2Sqrt = recF32(rec, RadamStep.bc2Sqrt), rect = recF32(rec, RadamStep.rect);
  const beta1 = recF32(rec, RadamStep.beta1), oneMinusBeta1 = recF32(rec, RadamStep.oneMinusBeta1);
  const beta2 = recF32(rec, RadamStep.beta2), oneMinusBeta2 = recF32(rec, RadamStep.oneMinusBeta2);
  const weightDecay = recF32(rec, RadamStep.weightDecay);
  for (let i = from; i < to; i++) {
    const at = i << 2;
    const p = load<f32>(param + at);
    let g = load<f32>(grad + at);
    if (hasWeightDecay) g = fmaf(p, weightDecay, g);
    const m = fmaBy(g, oneMinusBeta1, load<f32>(expAvg + at) * beta1);
    store<f32>(expAvg + at, m);
    const v = fmaf(oneMinusBeta2 * g, g, load<f32>(expAvgSq + at) * beta2);
    store<f32>(expAvgSq + at, v);
    let update = (m / bc1) * lr;
    if (rectified) update = (update * ((<f32>1 / (sqrt<f32>(v) + eps)) * bc2Sqrt)) * rect;
    store<f32>(param + at, p - update);
  }
}

/** The f32x4 loop over one tensor; returns how many elements it stepped. */
@inline function radamVectors(rec: usize, hasWeightDecay: bool, rectified: bool): usize {
  const param = recParam(rec), grad = recGrad(rec), n = recCount(rec);
  const expAvg = recPtr(rec, RadamStep.expAvg), expAvgSq = recPtr(rec, RadamStep.expAvgSq);
  const oneMinusBeta1 = recF32(rec, RadamStep.oneMinusBeta1);
  putF32(LR, recF32(rec, RadamStep.lr));
  putF32(BC1, recF32(rec, RadamStep.bc1));
  putF32(EPS, recF32(rec, RadamStep.eps));
  putF32(BC2_SQRT, recF32(rec, RadamStep.bc2Sqrt));
  putF32(RECT, recF32(rec, RadamStep.rect));
  putF32(BETA1, recF32(rec, RadamStep.beta1));
  putF32(ONE_MINUS_BETA1, oneMinusBeta1);
  putF32(BETA2, recF32(rec, RadamStep.beta2));
  putF32(ONE_MINUS_BETA2, recF32(rec, RadamStep.oneMinusBeta2));
  putF32(WEIGHT_DECAY, recF32(rec, RadamStep.weightDecay));
  putF32(ONE, 1);
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
      radamElements(rec, i, i + 4);
      continue;
    }
    v128.store(expAvg + at, m);
    v128.store(expAvgSq + at, v);
    let update = f32x4.mul(f32x4.div(m, slot(BC1)), slot(LR));
    if (rectified) {
      const adaptive = f32x4.mul(
        f32x4.div(slot(ONE), f32x4.add(f32x4.sqrt(v), slot(EPS))), slot(BC2_SQRT));
      update = f32x4.mul(f32x4.mul(update, adaptive), slot(RECT));
    }
    v128.store(param + at, f32x4.sub(p, update));
  }
  return i;
}

/** One torch-flavor RAdam step over `count` tensor records at `table`. */
export function radamStep(table: usize, count: u32): void {
  for (let k: u32 = 0; k < count; k++) {
    const rec = table + <usize>k * RECORD_BYTES;
    let i: usize = 0;
    if (ASC_FEATURE_SIMD) i = radamTorch<v128>(rec, 0, 0);
    radamElements(rec, i, recCount(rec));
  }
}
