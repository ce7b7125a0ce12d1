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
// Record scalars: torch h0 negStepSize, h1 bc2Sqrt, h2 eps, h3 beta1, h4 oneMinusBeta1, h5 beta2,
//                 h6 oneMinusBeta2, h7 weightDecay (Adam) or decay (AdamW);
//                 tfjs  h0 negLr, h1 a1, h2 a2, h3 beta1, h4 oneMinusBeta1, h5 beta2,
//                 h6 oneMinusBeta2, h7 eps.
// State: state0 exp_avg, state1 exp_avg_sq, state2 max_exp_avg_sq.

import {
  FLAG_AMSGRAD, FLAG_DECOUPLED, FLAG_MAXIMIZE, FLAG_WEIGHT_DECAY, RECORD_BYTES, flipSign, recCount,
  recFlags, recGrad, recH, recParam, recState0, recState1, recState2,
} from './record';
import { fma4, fma8, fmaScalar, fmaScalar4, fmaf, isPowerOfTwo } from './fma';

@inline function adamTorchTensor(rec: usize, hasWeightDecay: bool, decoupled: bool, amsgrad: bool): void {
  const param = recParam(rec), grad = recGrad(rec), n = recCount(rec);
  const expAvg = recState0(rec), expAvgSq = recState1(rec), maxExpAvgSq = recState2(rec);
  const signMask: u32 = (recFlags(rec) & FLAG_MAXIMIZE) != 0 ? 0x80000000 : 0;
  const negStepSize = recH(rec, 0), bc2Sqrt = recH(rec, 1), eps = recH(rec, 2);
  const beta1 = recH(rec, 3), oneMinusBeta1 = recH(rec, 4);
  const beta2 = recH(rec, 5), oneMinusBeta2 = recH(rec, 6), decayOrWd = recH(rec, 7);
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const vNegStepSize = f32x4.splat(negStepSize), vBc2Sqrt = f32x4.splat(bc2Sqrt);
    const vEps = f32x4.splat(eps), vBeta1 = f32x4.splat(beta1), vOneMinusBeta1 = f32x4.splat(oneMinusBeta1);
    const vBeta2 = f32x4.splat(beta2), vOneMinusBeta2 = f32x4.splat(oneMinusBeta2);
    const vDecayOrWd = f32x4.splat(decayOrWd), vSignMask = i32x4.splat(signMask);
    if (!hasWeightDecay && !decoupled && !amsgrad && !isPowerOfTwo(oneMinusBeta1)) {
      // The default configuration: both moment FMAs of eight lanes under one suspect test each.
      for (; i + 8 <= n; i += 8) {
        const at = i << 2;
        const g1 = v128.xor(v128.load(grad + at), vSignMask);
        const g2 = v128.xor(v128.load(grad + at + 16), vSignMask);
        fma8(g1, vOneMinusBeta1, f32x4.mul(v128.load(expAvg + at), vBeta1),
          g2, vOneMinusBeta1, f32x4.mul(v128.load(expAvg + at + 16), vBeta1), expAvg + at, expAvg + at + 16);
        fma8(f32x4.mul(vOneMinusBeta2, g1), g1, f32x4.mul(v128.load(expAvgSq + at), vBeta2),
          f32x4.mul(vOneMinusBeta2, g2), g2, f32x4.mul(v128.load(expAvgSq + at + 16), vBeta2),
          expAvgSq + at, expAvgSq + at + 16);
        const denom1 = f32x4.add(f32x4.div(f32x4.sqrt(v128.load(expAvgSq + at)), vBc2Sqrt), vEps);
        const denom2 = f32x4.add(f32x4.div(f32x4.sqrt(v128.load(expAvgSq + at + 16)), vBc2Sqrt), vEps);
        v128.store(param + at, f32x4.add(v128.load(param + at),
          f32x4.div(f32x4.mul(vNegStepSize, v128.load(expAvg + at)), denom1)));
        v128.store(param + at + 16, f32x4.add(v128.load(param + at + 16),
          f32x4.div(f32x4.mul(vNegStepSize, v128.load(expAvg + at + 16)), denom2)));
      }
    }
    for (; i + 4 <= n; i += 4) {
      const at = i << 2;
      let p = v128.load(param + at);
      let g = v128.xor(v128.load(grad + at), vSignMask);
      if (decoupled) p = f32x4.mul(p, vDecayOrWd);
      else if (hasWeightDecay) g = fma4(p, vDecayOrWd, g);
      const m = fmaScalar4(g, oneMinusBeta1, vOneMinusBeta1, f32x4.mul(v128.load(expAvg + at), vBeta1));
      v128.store(expAvg + at, m);
      let v = fma4(f32x4.mul(vOneMinusBeta2, g), g, f32x4.mul(v128.load(expAvgSq + at), vBeta2));
      v128.store(expAvgSq + at, v);
      if (amsgrad) {
        v = f32x4.max(v128.load(maxExpAvgSq + at), v);
        v128.store(maxExpAvgSq + at, v);
      }
      const denom = f32x4.add(f32x4.div(f32x4.sqrt(v), vBc2Sqrt), vEps);
      v128.store(param + at, f32x4.add(p, f32x4.div(f32x4.mul(vNegStepSize, m), denom)));
    }
  }
  for (; i < n; i++) {
    const at = i << 2;
    let p = load<f32>(param + at);
    let g = flipSign(load<f32>(grad + at), signMask);
    if (decoupled) p = p * decayOrWd;
    else if (hasWeightDecay) g = fmaf(p, decayOrWd, g);
    const m = fmaScalar(g, oneMinusBeta1, load<f32>(expAvg + at) * beta1);
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

/** One torch-flavor Adam / AdamW step over `count` tensor records at `table`. */
export function adamStep(table: usize, count: u32): void {
  for (let k: u32 = 0; k < count; k++) {
    const rec = table + <usize>k * RECORD_BYTES;
    const flags = recFlags(rec);
    const amsgrad = (flags & FLAG_AMSGRAD) != 0;
    if ((flags & FLAG_DECOUPLED) != 0) {
      if (amsgrad) adamTorchTensor(rec, false, true, true);
      else adamTorchTensor(rec, false, true, false);
    } else if ((flags & FLAG_WEIGHT_DECAY) != 0) {
      if (amsgrad) adamTorchTensor(rec, true, false, true);
      else adamTorchTensor(rec, true, false, false);
    } else {
      if (amsgrad) adamTorchTensor(rec, false, false, true);
      else adamTorchTensor(rec, false, false, false);
    }
  }
}

/** One tfjs-flavor Adam step over `count` tensor records at `table`. */
export function adamStepTfjs(table: usize, count: u32): void {
  for (let k: u32 = 0; k < count; k++) {
    const rec = table + <usize>k * RECORD_BYTES;
    const param = recParam(rec), grad = recGrad(rec), n = recCount(rec);
    const expAvg = recState0(rec), expAvgSq = recState1(rec);
    const negLr = recH(rec, 0), a1 = recH(rec, 1), a2 = recH(rec, 2);
    const beta1 = recH(rec, 3), oneMinusBeta1 = recH(rec, 4);
    const beta2 = recH(rec, 5), oneMinusBeta2 = recH(rec, 6), eps = recH(rec, 7);
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
