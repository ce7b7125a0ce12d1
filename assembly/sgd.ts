// SGD, with momentum, dampening and Nesterov.
//
// torch flavor (torch.optim.SGD 1.13, CPU float32, fused multiply-adds as in ATen's AVX2):
//   g = maximize ? −grad : grad
//   g = fma(param, weightDecay, g)                                   only when weightDecay ≠ 0
//   momentum ≠ 0: buf = first ? g : fma(g, oneMinusDampening, fl(buf · momentum))
//                 d   = nesterov ? fma(buf, momentum, g) : buf
//   else          d   = g
//   param = fma(d, negLr, param)
//
// tfjs flavor (tf.train.sgd / tf.train.momentum, tfjs-core 4.22 cpu backend; every op rounds):
//   sgd:      param = fl(fl(negLr · g) + param)
//   momentum: buf = fl(fl(momentum · buf) + g)                        (no dampening; starts at 0)
//             param = nesterov ? fl(fl(negLr · fl(g + fl(buf · momentum))) + param)
//                              : fl(fl(negLr · buf) + param)
//
// Record scalars: torch h0 negLr, h1 momentum, h2 oneMinusDampening, h3 weightDecay;
//                 tfjs  h0 negLr, h1 momentum.   State: state1 momentum buffer.
//
// maximize negates every gradient (one XOR per vector); folding the sign into the scalars
// would be exact except for the sign of zero results (see assembly/adagrad.ts).

import {
  FLAG_FIRST_MOMENTUM, FLAG_MAXIMIZE, FLAG_MOMENTUM, FLAG_NESTEROV, FLAG_WEIGHT_DECAY,
  RECORD_BYTES, flipSign, recCount, recFlags, recGrad, recH, recParam, recState1,
} from './record';
import { fma4, fma8, fmaScalar, fmaScalar4, fmaf, isPowerOfTwo } from './fma';

@inline function sgdTorchPlain(rec: usize, hasWeightDecay: bool): void {
  const param = recParam(rec), grad = recGrad(rec), n = recCount(rec);
  const signMask: u32 = (recFlags(rec) & FLAG_MAXIMIZE) != 0 ? 0x80000000 : 0;
  const negLr = recH(rec, 0);
  const weightDecay = recH(rec, 3);
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const vNegLr = f32x4.splat(negLr), vWeightDecay = f32x4.splat(weightDecay);
    const vSignMask = i32x4.splat(signMask);
    if (!hasWeightDecay && !isPowerOfTwo(negLr)) {
      for (; i + 8 <= n; i += 8) {
        const at = i << 2;
        fma8(v128.xor(v128.load(grad + at), vSignMask), vNegLr, v128.load(param + at),
          v128.xor(v128.load(grad + at + 16), vSignMask), vNegLr, v128.load(param + at + 16),
          param + at, param + at + 16);
      }
    }
    for (; i + 4 <= n; i += 4) {
      const at = i << 2;
      const p = v128.load(param + at);
      let g = v128.xor(v128.load(grad + at), vSignMask);
      if (hasWeightDecay) g = fma4(p, vWeightDecay, g);
      v128.store(param + at, fmaScalar4(g, negLr, vNegLr, p));
    }
  }
  for (; i < n; i++) {
    const at = i << 2;
    const p = load<f32>(param + at);
    let g = flipSign(load<f32>(grad + at), signMask);
    if (hasWeightDecay) g = fmaf(p, weightDecay, g);
    store<f32>(param + at, fmaScalar(g, negLr, p));
  }
}

@inline function sgdTorchMomentum(rec: usize, hasWeightDecay: bool, nesterov: bool, first: bool): void {
  const param = recParam(rec), grad = recGrad(rec), buf = recState1(rec), n = recCount(rec);
  const signMask: u32 = (recFlags(rec) & FLAG_MAXIMIZE) != 0 ? 0x80000000 : 0;
  const negLr = recH(rec, 0), momentum = recH(rec, 1), oneMinusDampening = recH(rec, 2);
  const weightDecay = recH(rec, 3);
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const vNegLr = f32x4.splat(negLr), vMomentum = f32x4.splat(momentum);
    const vOneMinusDampening = f32x4.splat(oneMinusDampening), vWeightDecay = f32x4.splat(weightDecay);
    const vSignMask = i32x4.splat(signMask);
    for (; i + 4 <= n; i += 4) {
      const at = i << 2;
      const p = v128.load(param + at);
      let g = v128.xor(v128.load(grad + at), vSignMask);
      if (hasWeightDecay) g = fma4(p, vWeightDecay, g);
      const b = first ? g : fmaScalar4(g, oneMinusDampening, vOneMinusDampening, f32x4.mul(v128.load(buf + at), vMomentum));
      v128.store(buf + at, b);
      const d = nesterov ? fmaScalar4(b, momentum, vMomentum, g) : b;
      v128.store(param + at, fmaScalar4(d, negLr, vNegLr, p));
    }
  }
  for (; i < n; i++) {
    const at = i << 2;
    const p = load<f32>(param + at);
    let g = flipSign(load<f32>(grad + at), signMask);
    if (hasWeightDecay) g = fmaf(p, weightDecay, g);
    const b = first ? g : fmaScalar(g, oneMinusDampening, load<f32>(buf + at) * momentum);
    store<f32>(buf + at, b);
    const d = nesterov ? fmaScalar(b, momentum, g) : b;
    store<f32>(param + at, fmaScalar(d, negLr, p));
  }
}

/** One torch-flavor SGD step over `count` tensor records at `table`. */
export function sgdStep(table: usize, count: u32): void {
  for (let k: u32 = 0; k < count; k++) {
    const rec = table + <usize>k * RECORD_BYTES;
    const flags = recFlags(rec);
    const wd = (flags & FLAG_WEIGHT_DECAY) != 0;
    if ((flags & FLAG_MOMENTUM) == 0) {
      if (wd) sgdTorchPlain(rec, true);
      else sgdTorchPlain(rec, false);
      continue;
    }
    const nesterov = (flags & FLAG_NESTEROV) != 0;
    const first = (flags & FLAG_FIRST_MOMENTUM) != 0;
    if (first) {
      // Once per buffer: one loop for every option combination keeps the code small.
      sgdTorchMomentum(rec, wd, nesterov, true);
    } else if (wd) {
      if (nesterov) sgdTorchMomentum(rec, true, true, false);
      else sgdTorchMomentum(rec, true, false, false);
    } else {
      if (nesterov) sgdTorchMomentum(rec, false, true, false);
      else sgdTorchMomentum(rec, false, false, false);
    }
  }
}

@inline function sgdTfjsTensor(rec: usize, hasMomentum: bool, nesterov: bool): void {
  const param = recParam(rec), grad = recGrad(rec), buf = recState1(rec), n = recCount(rec);
  const negLr = recH(rec, 0), momentum = recH(rec, 1);
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const vNegLr = f32x4.splat(negLr), vMomentum = f32x4.splat(momentum);
    for (; i + 4 <= n; i += 4) {
      const at = i << 2;
      const g = v128.load(grad + at);
      let d = g;
      if (hasMomentum) {
        const b = f32x4.add(f32x4.mul(vMomentum, v128.load(buf + at)), g);
        v128.store(buf + at, b);
        d = nesterov ? f32x4.add(g, f32x4.mul(b, vMomentum)) : b;
      }
      v128.store(param + at, f32x4.add(f32x4.mul(vNegLr, d), v128.load(param + at)));
    }
  }
  for (; i < n; i++) {
    const at = i << 2;
    const g = load<f32>(grad + at);
    let d = g;
    if (hasMomentum) {
      const b = momentum * load<f32>(buf + at) + g;
      store<f32>(buf + at, b);
      d = nesterov ? g + b * momentum : b;
    }
    store<f32>(param + at, negLr * d + load<f32>(param + at));
  }
}

/** One tfjs-flavor SGD (tf.train.sgd) or momentum (tf.train.momentum) step. */
export function sgdStepTfjs(table: usize, count: u32): void {
  for (let k: u32 = 0; k < count; k++) {
    const rec = table + <usize>k * RECORD_BYTES;
    const flags = recFlags(rec);
    if ((flags & FLAG_MOMENTUM) == 0) sgdTfjsTensor(rec, false, false);
    else if ((flags & FLAG_NESTEROV) != 0) sgdTfjsTensor(rec, true, true);
    else sgdTfjsTensor(rec, true, false);
  }
}
