// Adamax: Adam with the infinity norm in place of the second moment.
//
// torch flavor (torch.optim.Adamax 1.13, CPU float32, foreach=False):
//   g       = maximize ? −grad : grad
//   g       = fma(param, weightDecay, g)                  only when weightDecay ≠ 0
//   exp_avg = fma(g, 1 − β1, fl(exp_avg · β1))            (lerp as ATen computes it)
//   exp_inf = max(fl(exp_inf · β2), fl(|g| + eps))         eps inside the max
//   param   = fl(param + fl(fl(negClr · exp_avg) / exp_inf))
//             negClr = fl(−lr / (1 − β1^t)), float64 first
//
// tfjs flavor (tf.train.adamax 4.22, cpu backend; every op rounds to float32):
//   m     = fl(fl(m · β1) + fl(g · (1 − β1)))
//   v     = max(fl(v · β2), |g|)                          eps NOT inside the max
//   param = fl(fl(scale · fl(m / fl(v + eps))) + param)
//           scale = fl(fl(fl(−lr) / fl(fl(iteration · decay) + 1)) / fl(1 − accBeta1)), per step
//
// Record: the scalars, state buffers and flags named in `kernels` (src/optimizers/adamax.ts),
// read by name through contract.generated.ts (scripts/gen-contract.mjs).

import { RECORD_BYTES, flipSign, recCount, recF32, recFlags, recGrad, recParam, recPtr } from './record';
import { AdamaxStep, AdamaxStepTfjs } from './contract.generated';
import { anySuspect, fmaByFast4, fmaBySuspect4, fmaf } from './fma';
import { putBits, putF32, slot } from './invariants';

// Slots of the invariants table (see assembly/invariants.ts).
const NEG_CLR: usize = 0, BETA1: usize = 1, ONE_MINUS_BETA1: usize = 2, BETA2: usize = 3, EPS: usize = 4;
const WEIGHT_DECAY: usize = 5, SIGN: usize = 6;

// maximize negates every gradient. Without weight decay g enters only as |g| and as the product
// g·(1 − β1), so the sign folds exactly into 1 − β1: fma(−x, c, a) = fma(x, −c, a), zeros
// included. With weight decay it cannot (the sign of fma(param, wd, −grad) at zero differs), so
// that loop XORs the sign first, as the element loop does.

/**
 * The specialisations, chosen from the record's flags in this one place: for Lane = v128 the f32x4
 * loop (returning how many elements it stepped), for Lane = f32 elements [from, to) one at a time
 * (a type, not a bool: the element loop is also the vector loop's redo; see adagrad.ts). Two of
 * each, so the common weightDecay = 0 loop carries one FMA, not two.
 */
@inline function adamaxTorch<Lane>(rec: usize, from: usize, to: usize): usize {
  if ((recFlags(rec) & AdamaxStep.FLAG_WEIGHT_DECAY) != 0) return adamaxTorchLoop<Lane>(rec, from, to, true);
  return adamaxTorchLoop<Lane>(rec, from, to, false);
}

@inline function adamaxTorchLoop<Lane>(rec: usize, from: usize, to: usize, hasWeightDecay: bool): usize {
  if (isVector<Lane>()) return adamaxTorchVectors(rec, hasWeightDecay);
  adamaxTorchScalar(rec, from, to, hasWeightDecay);
  return to;
}

/** Elements [from, to) one at a time: the scalar build's loop, the SIMD build's tail and its
 * exact redo of any block whose fast FMA was suspect. */
function adamaxTorchElements(rec: usize, from: usize, to: usize): void {
  adamaxTorch<f32>(rec, from, to);
}

@inline function adamaxTorchScalar(rec: usize, from: usize, to: usize, hasWeightDecay: bool): void {
  const param = recParam(rec), grad = recGrad(rec);
  const expAvg = recPtr(rec, AdamaxStep.expAvg), expInf = recPtr(rec, AdamaxStep.expInf);
  const negClr = recF32(rec, AdamaxStep.negClr);
  const beta1 = recF32(rec, AdamaxStep.beta1), oneMinusBeta1 = recF32(rec, AdamaxStep.oneMinusBeta1);
  const beta2 = recF32(rec, AdamaxStep.beta2), eps = recF32(rec, AdamaxStep.eps);
  const weightDecay = recF32(rec, AdamaxStep.weightDecay);
  const signMask: u32 = (recFlags(rec) & AdamaxStep.FLAG_MAXIMIZE) != 0 ? 0x80000000 : 0;
  for (let i = from; i < to; i++) {
    const at = i << 2;
    const p = load<f32>(param + at);
    let g = flipSign(load<f32>(grad + at), signMask);
    if (hasWeightDecay) g = fmaf(p, weightDecay, g);
    const m = fmaf(g, oneMinusBeta1, load<f32>(expAvg + at) * beta1);
    store<f32>(expAvg + at, m);
    const u = max<f32>(load<f32>(expInf + at) * beta2, abs<f32>(g) + eps);
    store<f32>(expInf + at, u);
    store<f32>(param + at, p + (negClr * m) / u);
  }
}

/** The f32x4 loop over one tensor; returns how many elements it stepped. */
@inline function adamaxTorchVectors(rec: usize, hasWeightDecay: bool): usize {
  const param = recParam(rec), grad = recGrad(rec), n = recCount(rec);
  const expAvg = recPtr(rec, AdamaxStep.expAvg), expInf = recPtr(rec, AdamaxStep.expInf);
  const signMask: u32 = (recFlags(rec) & AdamaxStep.FLAG_MAXIMIZE) != 0 ? 0x80000000 : 0;
  // The FMA multipliers as scalars too: fmaByFast4 takes exact shortcuts for ±2^k (β1 = 0.5).
  const oneMinusBeta1 = hasWeightDecay
    ? recF32(rec, AdamaxStep.oneMinusBeta1)
    : flipSign(recF32(rec, AdamaxStep.oneMinusBeta1), signMask);
  const weightDecay = recF32(rec, AdamaxStep.weightDecay);
  putF32(NEG_CLR, recF32(rec, AdamaxStep.negClr));
  putF32(BETA1, recF32(rec, AdamaxStep.beta1));
  putF32(ONE_MINUS_BETA1, oneMinusBeta1);
  putF32(BETA2, recF32(rec, AdamaxStep.beta2));
  putF32(EPS, recF32(rec, AdamaxStep.eps));
  putF32(WEIGHT_DECAY, weightDecay);
  putBits(SIGN, signMask);
  let i: usize = 0;
  for (; i + 4 <= n; i += 4) {
    const at = i << 2;
    const p = v128.load(param + at);
    let g: v128;
    let suspect = i32x4.splat(0);
    if (hasWeightDecay) {
      const grad4 = v128.xor(v128.load(grad + at), slot(SIGN));
      g = fmaByFast4(p, weightDecay, slot(WEIGHT_DECAY), grad4);
      suspect = fmaBySuspect4(p, weightDecay, slot(WEIGHT_DECAY), grad4, g);
    } else {
      g = v128.load(grad + at); // the sign is in ONE_MINUS_BETA1; |g| does not see it
    }
    const decayed = f32x4.mul(v128.load(expAvg + at), slot(BETA1));
    const m = fmaByFast4(g, oneMinusBeta1, slot(ONE_MINUS_BETA1), decayed);
    if (anySuspect(v128.or(suspect, fmaBySuspect4(g, oneMinusBeta1, slot(ONE_MINUS_BETA1), decayed, m)))) {
      adamaxTorchElements(rec, i, i + 4);
      continue;
    }
    v128.store(expAvg + at, m);
    const u = f32x4.max(f32x4.mul(v128.load(expInf + at), slot(BETA2)), f32x4.add(f32x4.abs(g), slot(EPS)));
    v128.store(expInf + at, u);
    v128.store(param + at, f32x4.add(p, f32x4.div(f32x4.mul(slot(NEG_CLR), m), u)));
  }
  return i;
}

/** One torch-flavor Adamax step over `count` tensor records at `table`. */
export function adamaxStep(table: usize, count: u32): void {
  for (let k: u32 = 0; k < count; k++) {
    const rec = table + <usize>k * RECORD_BYTES;
    let i: usize = 0;
    if (ASC_FEATURE_SIMD) i = adamaxTorch<v128>(rec, 0, 0);
    adamaxTorchElements(rec, i, recCount(rec));
  }
}

/** One tfjs-flavor Adamax step over `count` tensor records at `table`. */
export function adamaxStepTfjs(table: usize, count: u32): void {
  for (let k: u32 = 0; k < count; k++) {
    const rec = table + <usize>k * RECORD_BYTES;
    const param = recParam(rec), grad = recGrad(rec), n = recCount(rec);
    const m = recPtr(rec, AdamaxStepTfjs.expAvg), v = recPtr(rec, AdamaxStepTfjs.expInf);
    const scale = recF32(rec, AdamaxStepTfjs.scale);
    const beta1 = recF32(rec, AdamaxStepTfjs.beta1), oneMinusBeta1 = recF32(rec, AdamaxStepTfjs.oneMinusBeta1);
    const beta2 = recF32(rec, AdamaxStepTfjs.beta2), eps = recF32(rec, AdamaxStepTfjs.eps);
    let i: usize = 0;
    if (ASC_FEATURE_SIMD) {
      const vScale = f32x4.splat(scale), vEps = f32x4.splat(eps);
      const vBeta1 = f32x4.splat(beta1), vOneMinusBeta1 = f32x4.splat(oneMinusBeta1), vBeta2 = f32x4.splat(beta2);
      for (; i + 4 <= n; i += 4) {
        const at = i << 2;
        const g = v128.load(grad + at);
        const m4 = f32x4.add(f32x4.mul(v128.load(m + at), vBeta1), f32x4.mul(g, vOneMinusBeta1));
        const v4 = f32x4.max(f32x4.mul(v128.load(v + at), vBeta2), f32x4.abs(g));
        v128.store(m + at, m4);
        v128.store(v + at, v4);
        const step = f32x4.mul(vScale, f32x4.div(m4, f32x4.add(v4, vEps)));
        v128.store(param + at, f32x4.add(step, v128.load(param + at)));
      }
    }
    for (; i < n; i++) {
      const at = i << 2;
      const g = load<f32>(grad + at);
      const mi = load<f32>(m + at) * beta1 + g * oneMinusBeta1;
      const vi = max<f32>(load<f32>(v + at) * beta2, abs<f32>(g));
      store<f32>(m + at, mi);
      store<f32>(v + at, vi);
      store<f32>(param + at, scale * (mi / (vi + eps)) + load<f32>(param + at));
    }
  }
}
