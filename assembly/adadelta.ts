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
// Record scalars: h0 negLr, h1 rho, h2 oneMinusRho, h3 eps, h4 weightDecay (torch).
// State: state0 square_avg (tfjs accum_grad), state1 acc_delta (tfjs accum_var).

import {
  FLAG_MAXIMIZE, FLAG_WEIGHT_DECAY, RECORD_BYTES, flipSign, recCount, recFlags, recGrad, recH,
  recParam, recState0, recState1,
} from './record';
import { fma4, fmaScalar, fmaScalar4, fmaf } from './fma';

@inline function adadeltaTorchTensor(rec: usize, hasWeightDecay: bool): void {
  const param = recParam(rec), grad = recGrad(rec), n = recCount(rec);
  const squareAvg = recState0(rec), accDelta = recState1(rec);
  const signMask: u32 = (recFlags(rec) & FLAG_MAXIMIZE) != 0 ? 0x80000000 : 0;
  const negLr = recH(rec, 0), rho = recH(rec, 1), oneMinusRho = recH(rec, 2);
  const eps = recH(rec, 3), weightDecay = recH(rec, 4);
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const vNegLr = f32x4.splat(negLr), vRho = f32x4.splat(rho), vOneMinusRho = f32x4.splat(oneMinusRho);
    const vEps = f32x4.splat(eps), vWeightDecay = f32x4.splat(weightDecay), vSignMask = i32x4.splat(signMask);
    for (; i + 4 <= n; i += 4) {
      const at = i << 2;
      const p = v128.load(param + at);
      let g = v128.xor(v128.load(grad + at), vSignMask);
      if (hasWeightDecay) g = fma4(p, vWeightDecay, g);
      const sq = fma4(f32x4.mul(vOneMinusRho, g), g, f32x4.mul(v128.load(squareAvg + at), vRho));
      v128.store(squareAvg + at, sq);
      const std = f32x4.sqrt(f32x4.add(sq, vEps));
      const ad = v128.load(accDelta + at);
      const delta = f32x4.mul(f32x4.div(f32x4.sqrt(f32x4.add(ad, vEps)), std), g);
      v128.store(accDelta + at, fma4(f32x4.mul(vOneMinusRho, delta), delta, f32x4.mul(ad, vRho)));
      v128.store(param + at, fmaScalar4(delta, negLr, vNegLr, p));
    }
  }
  for (; i < n; i++) {
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
    store<f32>(param + at, fmaScalar(delta, negLr, p));
  }
}

/** One torch-flavor Adadelta step over `count` tensor records at `table`. */
export function adadeltaStep(table: usize, count: u32): void {
  for (let k: u32 = 0; k < count; k++) {
    const rec = table + <usize>k * RECORD_BYTES;
    if ((recFlags(rec) & FLAG_WEIGHT_DECAY) != 0) adadeltaTorchTensor(rec, true);
    else adadeltaTorchTensor(rec, false);
  }
}

/** One tfjs-flavor Adadelta step over `count` tensor records at `table`. */
export function adadeltaStepTfjs(table: usize, count: u32): void {
  for (let k: u32 = 0; k < count; k++) {
    const rec = table + <usize>k * RECORD_BYTES;
    const param = recParam(rec), grad = recGrad(rec), n = recCount(rec);
    const squareAvg = recState0(rec), accDelta = recState1(rec);
    const negLr = recH(rec, 0), rho = recH(rec, 1), oneMinusRho = recH(rec, 2), eps = recH(rec, 3);
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
