// Adagrad: per-parameter step sizes from the accumulated squared gradient.
//
// torch flavor (torch.optim.Adagrad 1.13, CPU float32, fused multiply-adds as in ATen's AVX2):
//   g     = maximize ? −grad : grad
//   g     = fma(param, weightDecay, g)            only when weightDecay ≠ 0
//   sum   = fma(g, g, sum)
//   std   = fl(fl(sqrt(sum)) + eps)
//   param = fl(param + fl(fl(negClr · g) / std))  negClr = fl(−lr / (1 + (t − 1)·lrDecay)), float64 first
//
// tfjs flavor (tf.train.adagrad, tfjs-core 4.22 cpu backend; every op rounds to float32):
//   sum   = fl(sum + fl(g · g))
//   param = fl(fl(fl(g / fl(sqrt(fl(sum + eps)))) · negLr) + param)   negLr = fl(−lr)
//
// Record scalars: torch h0 negClr, h1 eps, h2 weightDecay; tfjs h0 negLr, h1 eps.

import {
  FLAG_MAXIMIZE, FLAG_WEIGHT_DECAY, RECORD_BYTES, flipSign, recCount, recFlags, recGrad, recH,
  recParam, recState0,
} from './record';
import { fma4, fmaSquare4, fmaSquare8, fmaf } from './fma';

// maximize negates every gradient (one XOR per vector). Folding the sign into the scalars instead
// (g = −h with h = fma(param, −weightDecay, grad)) is exact except for zeros: −0 + +0 and +0 + −0
// both round to +0, so h = +0 where g is +0 too, and the fuzzer found the sign of a zero param flip.

@inline function adagradTorchTensor(
  param: usize, grad: usize, sum: usize, n: usize,
  negClr: f32, eps: f32, weightDecay: f32, signMask: u32, hasWeightDecay: bool,
): void {
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const vNegClr = f32x4.splat(negClr);
    const vEps = f32x4.splat(eps);
    const vWeightDecay = f32x4.splat(weightDecay);
    const vSignMask = i32x4.splat(signMask);
    if (!hasWeightDecay) {
      // The default configuration, eight lanes per FMA suspect test.
      for (; i + 8 <= n; i += 8) {
        const at = i << 2;
        const g1 = v128.xor(v128.load(grad + at), vSignMask);
        const g2 = v128.xor(v128.load(grad + at + 16), vSignMask);
        fmaSquare8(g1, v128.load(sum + at), g2, v128.load(sum + at + 16), sum + at, sum + at + 16);
        const std1 = f32x4.add(f32x4.sqrt(v128.load(sum + at)), vEps);
        const std2 = f32x4.add(f32x4.sqrt(v128.load(sum + at + 16)), vEps);
        v128.store(param + at, f32x4.add(v128.load(param + at), f32x4.div(f32x4.mul(vNegClr, g1), std1)));
        v128.store(param + at + 16, f32x4.add(v128.load(param + at + 16), f32x4.div(f32x4.mul(vNegClr, g2), std2)));
      }
    }
    for (; i + 4 <= n; i += 4) {
      const at = i << 2;
      let p = v128.load(param + at);
      let g = v128.xor(v128.load(grad + at), vSignMask);
      if (hasWeightDecay) g = fma4(p, vWeightDecay, g);
      const s = fmaSquare4(g, v128.load(sum + at));
      v128.store(sum + at, s);
      const std = f32x4.add(f32x4.sqrt(s), vEps);
      p = f32x4.add(p, f32x4.div(f32x4.mul(vNegClr, g), std));
      v128.store(param + at, p);
    }
  }
  for (; i < n; i++) {
    const at = i << 2;
    const p = load<f32>(param + at);
    let g = flipSign(load<f32>(grad + at), signMask);
    if (hasWeightDecay) g = fmaf(p, weightDecay, g);
    const s = fmaf(g, g, load<f32>(sum + at));
    store<f32>(sum + at, s);
    const std = sqrt<f32>(s) + eps;
    store<f32>(param + at, p + (negClr * g) / std);
  }
}

/** One torch-flavor Adagrad step over `count` tensor records at `table`. */
export function adagradStep(table: usize, count: u32): void {
  for (let k: u32 = 0; k < count; k++) {
    const rec = table + <usize>k * RECORD_BYTES;
    const flags = recFlags(rec);
    const signMask: u32 = (flags & FLAG_MAXIMIZE) != 0 ? 0x80000000 : 0;
    // Two specialisations, so the common weightDecay = 0 loop carries no extra FMA.
    if ((flags & FLAG_WEIGHT_DECAY) != 0) {
      adagradTorchTensor(recParam(rec), recGrad(rec), recState0(rec), recCount(rec),
        recH(rec, 0), recH(rec, 1), recH(rec, 2), signMask, true);
    } else {
      adagradTorchTensor(recParam(rec), recGrad(rec), recState0(rec), recCount(rec),
        recH(rec, 0), recH(rec, 1), 0, signMask, false);
    }
  }
}

/** One tfjs-flavor Adagrad step over `count` tensor records at `table`. */
export function adagradStepTfjs(table: usize, count: u32): void {
  for (let k: u32 = 0; k < count; k++) {
    const rec = table + <usize>k * RECORD_BYTES;
    const param = recParam(rec), grad = recGrad(rec), sum = recState0(rec), n = recCount(rec);
    const negLr = recH(rec, 0), eps = recH(rec, 1);
    let i: usize = 0;
    if (ASC_FEATURE_SIMD) {
      const vNegLr = f32x4.splat(negLr);
      const vEps = f32x4.splat(eps);
      for (; i + 4 <= n; i += 4) {
        const at = i << 2;
        const g = v128.load(grad + at);
        const s = f32x4.add(v128.load(sum + at), f32x4.mul(g, g));
        v128.store(sum + at, s);
        const step = f32x4.mul(f32x4.div(g, f32x4.sqrt(f32x4.add(s, vEps))), vNegLr);
        v128.store(param + at, f32x4.add(step, v128.load(param + at)));
      }
    }
    for (; i < n; i++) {
      const at = i << 2;
      const g = load<f32>(grad + at);
      const s = load<f32>(sum + at) + g * g;
      store<f32>(sum + at, s);
      store<f32>(param + at, (g / sqrt<f32>(s + eps)) * negLr + load<f32>(param + at));
    }
  }
}
