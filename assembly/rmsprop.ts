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
// Record scalars: torch h0 alpha, h1 oneMinusAlpha, h2 eps, h3 weightDecay, h4 momentum, h5 negLr;
//                 tfjs  h0 alpha, h1 oneMinusAlpha, h2 eps, h3 momentum, h4 lr.
// State buffers: state0 squareAvg, state1 momentum buffer, state2 gradAvg.

import {
  FLAG_CENTERED, FLAG_MAXIMIZE, FLAG_MOMENTUM, FLAG_WEIGHT_DECAY, RECORD_BYTES, flipSign, recCount,
  recFlags, recGrad, recH, recParam, recState0, recState1, recState2,
} from './record';
import { fma4, fma8, fmaScalar, fmaScalar4, fmaf } from './fma';

// maximize negates every gradient (one XOR per vector); folding the sign into the scalars
// would be exact except for the sign of zero results (see assembly/adagrad.ts).

@inline function rmspropTorchTensor(
  rec: usize, hasWeightDecay: bool, centered: bool, hasMomentum: bool,
): void {
  const param = recParam(rec), grad = recGrad(rec), n = recCount(rec);
  const squareAvg = recState0(rec), buf = recState1(rec), gradAvg = recState2(rec);
  const alpha = recH(rec, 0), oneMinusAlpha = recH(rec, 1), eps = recH(rec, 2);
  const momentum = recH(rec, 4);
  const plain = !centered && !hasMomentum;
  const signMask: u32 = (recFlags(rec) & FLAG_MAXIMIZE) != 0 ? 0x80000000 : 0;
  const weightDecay = recH(rec, 3);
  const negLr = recH(rec, 5);
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const vAlpha = f32x4.splat(alpha), vOneMinusAlpha = f32x4.splat(oneMinusAlpha);
    const vEps = f32x4.splat(eps), vWeightDecay = f32x4.splat(weightDecay);
    const vMomentum = f32x4.splat(momentum), vNegLr = f32x4.splat(negLr);
    const vSignMask = i32x4.splat(signMask);
    if (plain && !hasWeightDecay) {
      // The default configuration, eight lanes per FMA suspect test.
      for (; i + 8 <= n; i += 8) {
        const at = i << 2;
        const g1 = v128.xor(v128.load(grad + at), vSignMask);
        const g2 = v128.xor(v128.load(grad + at + 16), vSignMask);
        fma8(
          f32x4.mul(vOneMinusAlpha, g1), g1, f32x4.mul(v128.load(squareAvg + at), vAlpha),
          f32x4.mul(vOneMinusAlpha, g2), g2, f32x4.mul(v128.load(squareAvg + at + 16), vAlpha),
          squareAvg + at, squareAvg + at + 16);
        const avg1 = f32x4.add(f32x4.sqrt(v128.load(squareAvg + at)), vEps);
        const avg2 = f32x4.add(f32x4.sqrt(v128.load(squareAvg + at + 16)), vEps);
        v128.store(param + at, f32x4.add(v128.load(param + at), f32x4.div(f32x4.mul(vNegLr, g1), avg1)));
        v128.store(param + at + 16, f32x4.add(v128.load(param + at + 16), f32x4.div(f32x4.mul(vNegLr, g2), avg2)));
      }
    }
    for (; i + 4 <= n; i += 4) {
      const at = i << 2;
      let p = v128.load(param + at);
      let g = v128.xor(v128.load(grad + at), vSignMask);
      if (hasWeightDecay) g = fma4(p, vWeightDecay, g);
      const sq = fma4(f32x4.mul(vOneMinusAlpha, g), g, f32x4.mul(v128.load(squareAvg + at), vAlpha));
      v128.store(squareAvg + at, sq);
      let avg: v128;
      if (centered) {
        const ga = fmaScalar4(g, oneMinusAlpha, vOneMinusAlpha, f32x4.mul(v128.load(gradAvg + at), vAlpha));
        v128.store(gradAvg + at, ga);
        avg = f32x4.sqrt(fma4(f32x4.neg(ga), ga, sq));
      } else {
        avg = f32x4.sqrt(sq);
      }
      avg = f32x4.add(avg, vEps);
      if (hasMomentum) {
        const b = f32x4.add(f32x4.mul(v128.load(buf + at), vMomentum), f32x4.div(g, avg));
        v128.store(buf + at, b);
        p = fmaScalar4(b, negLr, vNegLr, p);
      } else {
        p = f32x4.add(p, f32x4.div(f32x4.mul(vNegLr, g), avg));
      }
      v128.store(param + at, p);
    }
  }
  for (; i < n; i++) {
    const at = i << 2;
    let p = load<f32>(param + at);
    let g = flipSign(load<f32>(grad + at), signMask);
    if (hasWeightDecay) g = fmaf(p, weightDecay, g);
    const sq = fmaf(oneMinusAlpha * g, g, load<f32>(squareAvg + at) * alpha);
    store<f32>(squareAvg + at, sq);
    let avg: f32;
    if (centered) {
      const ga = fmaScalar(g, oneMinusAlpha, load<f32>(gradAvg + at) * alpha);
      store<f32>(gradAvg + at, ga);
      avg = sqrt<f32>(fmaf(-ga, ga, sq));
    } else {
      avg = sqrt<f32>(sq);
    }
    avg = avg + eps;
    if (hasMomentum) {
      const b = load<f32>(buf + at) * momentum + g / avg;
      store<f32>(buf + at, b);
      p = fmaScalar(b, negLr, p);
    } else {
      p = p + (negLr * g) / avg;
    }
    store<f32>(param + at, p);
  }
}

/** One torch-flavor RMSprop step over `count` tensor records at `table`. */
export function rmspropStep(table: usize, count: u32): void {
  for (let k: u32 = 0; k < count; k++) {
    const rec = table + <usize>k * RECORD_BYTES;
    const flags = recFlags(rec);
    const wd = (flags & FLAG_WEIGHT_DECAY) != 0;
    const centered = (flags & FLAG_CENTERED) != 0;
    const momentum = (flags & FLAG_MOMENTUM) != 0;
    // Eight specialisations: each loop carries only the work its options ask for.
    if (wd) {
      if (centered) {
        if (momentum) rmspropTorchTensor(rec, true, true, true);
        else rmspropTorchTensor(rec, true, true, false);
      } else {
        if (momentum) rmspropTorchTensor(rec, true, false, true);
        else rmspropTorchTensor(rec, true, false, false);
      }
    } else {
      if (centered) {
        if (momentum) rmspropTorchTensor(rec, false, true, true);
        else rmspropTorchTensor(rec, false, true, false);
      } else {
        if (momentum) rmspropTorchTensor(rec, false, false, true);
        else rmspropTorchTensor(rec, false, false, false);
      }
    }
  }
}

@inline function rmspropTfjsTensor(rec: usize, centered: bool): void {
  const param = recParam(rec), grad = recGrad(rec), n = recCount(rec);
  const squareAvg = recState0(rec), buf = recState1(rec), gradAvg = recState2(rec);
  const alpha = recH(rec, 0), oneMinusAlpha = recH(rec, 1), eps = recH(rec, 2);
  const momentum = recH(rec, 3), lr = recH(rec, 4);
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
    if ((recFlags(rec) & FLAG_CENTERED) != 0) rmspropTfjsTensor(rec, true);
    else rmspropTfjsTensor(rec, false);
  }
}
