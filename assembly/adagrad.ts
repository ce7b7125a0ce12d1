// Adagrad: per-parameter step sizes from the accumulated squared gradient.
//
// torch flavor (torch.optim.Adagrad 1.13, CPU float32, fused multiply-adds as in ATen's AVX2):
//   g     = maximize ? −grad : grad
//   g     = fma(param, weightDecay, g)            only when weightDecay ≠ 0
//   sum   = fma(g, g, sum)
//   std   = fl(fl(sqrt(sum)) + eps)
//   param = fl(param + fl(fl(negClr · g) / std))  negClr = fl(−lr / (1 + (t − 1)·lrDecay)), float64 first
//
// torch flavor, row-sparse gradient (PyTorch's sparse path, stepped on the listed rows only; the
// facade has summed repeated rows and the record points at one row; weightDecay must be 0):
//   g     = maximize ? −grad : grad
//   sum   = fl(sum + fl(g · g))                   no FMA, unlike the dense path
//   std   = fl(fl(sqrt(sum)) + eps)
//   param = fma(fl(g / std), negClr, param)       param.add_(g / std, alpha=−clr)
//
// tfjs flavor (tf.train.adagrad, tfjs-core 4.22 cpu backend; every op rounds to float32):
//   sum   = fl(sum + fl(g · g))
//   param = fl(fl(fl(g / fl(sqrt(fl(sum + eps)))) · negLr) + param)   negLr = fl(−lr)
//
// Record: the scalars, state buffers and flags named in `kernels` (src/optimizers/adagrad.ts),
// read by name through contract.generated.ts (scripts/gen-contract.mjs).

import { RECORD_BYTES, flipSign, recCount, recF32, recFlags, recGrad, recParam, recPtr } from './record';
import { AdagradSparseStep, AdagradStep, AdagradStepTfjs } from './contract.generated';
import {
  HARDWARE_FMA, anySuspect, fmaFast4, fmaHalvesFast, fmaHalvesSuspect, fmaSuspect4, fmaf, hi, hiAt, lo, loAt,
} from './fma';
import { putBits, putF32, slot } from './invariants';

// Slots of the invariants table (see assembly/invariants.ts).
const NEG_CLR: usize = 0, EPS: usize = 1, WEIGHT_DECAY: usize = 2, SIGN: usize = 3;

// maximize negates every gradient. Where g enters only as g² and as negClr·g (no weight decay),
// the sign folds exactly into negClr instead: fl(negClr·(−x)) = fl((−negClr)·x), zeros included.
// With weight decay it cannot (g = fma(param, wd, −grad): −0 + +0 and +0 + −0 both round to +0,
// so the sign of a zero param would flip; the fuzzer found it), so that loop XORs the sign.

/**
 * The specialisations, chosen from the record's flags in this one place: for Lane = v128 the f32x4
 * loops (returning how many elements they stepped), for Lane = f32 elements [from, to) one at a time.
 * A type, not a bool: the element loop is also the vector loop's redo, and AssemblyScript does not
 * inline a function into itself; the two instances are two functions.
 * Two of each, so the common weightDecay = 0 loop carries no extra FMA.
 */
@inline function adagradTorch<Lane>(rec: usize, from: usize, to: usize): usize {
  if ((recFlags(rec) & AdagradStep.FLAG_WEIGHT_DECAY) != 0) return adagradTorchLoop<Lane>(rec, from, to, true);
  return adagradTorchLoop<Lane>(rec, from, to, false);
}

@inline function adagradTorchLoop<Lane>(rec: usize, from: usize, to: usize, hasWeightDecay: bool): usize {
  if (isVector<Lane>()) return adagradTorchVectors(rec, hasWeightDecay);
  adagradTorchScalar(rec, from, to, hasWeightDecay);
  return to;
}

/** Elements [from, to) one at a time: the scalar build's loop, the SIMD build's tail and its
 * exact redo of any block whose fast FMA was suspect. */
function adagradTorchElements(rec: usize, from: usize, to: usize): void {
  adagradTorch<f32>(rec, from, to);
}

@inline function adagradTorchScalar(rec: usize, from: usize, to: usize, hasWeightDecay: bool): void {
  const param = recParam(rec), grad = recGrad(rec), sum = recPtr(rec, AdagradStep.sum);
  const negClr = recF32(rec, AdagradStep.negClr);
  const eps = recF32(rec, AdagradStep.eps);
  const weightDecay = recF32(rec, AdagradStep.weightDecay);
  const signMask: u32 = (recFlags(rec) & AdagradStep.FLAG_MAXIMIZE) != 0 ? 0x80000000 : 0;
  for (let i = from; i < to; i++) {
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

/** The f32x4 loops over one tensor; returns how many elements they stepped. */
@inline function adagradTorchVectors(rec: usize, hasWeightDecay: bool): usize {
  const param = recParam(rec), grad = recGrad(rec), sum = recPtr(rec, AdagradStep.sum), n = recCount(rec);
  const negClr = recF32(rec, AdagradStep.negClr);
  const signMask: u32 = (recFlags(rec) & AdagradStep.FLAG_MAXIMIZE) != 0 ? 0x80000000 : 0;
  putF32(EPS, recF32(rec, AdagradStep.eps));
  let i: usize = 0;
  if (!hasWeightDecay && !HARDWARE_FMA) {
    // The default configuration, emulated FMA: eight lanes per suspect test, maximize folded
    // into negClr, and g and sum promoted straight from memory.
    putF32(NEG_CLR, flipSign(negClr, signMask));
    for (; i + 8 <= n; i += 8) {
      const at = i << 2;
      const gLo1 = loAt(grad + at), gHi1 = hiAt(grad + at);
      const gLo2 = loAt(grad + at + 16), gHi2 = hiAt(grad + at + 16);
      const cLo1 = loAt(sum + at), cHi1 = hiAt(sum + at);
      const cLo2 = loAt(sum + at + 16), cHi2 = hiAt(sum + at + 16);
      const s1 = fmaHalvesFast(gLo1, gHi1, gLo1, gHi1, cLo1, cHi1);
      const s2 = fmaHalvesFast(gLo2, gHi2, gLo2, gHi2, cLo2, cHi2);
      if (anySuspect(v128.or(
        fmaHalvesSuspect(gLo1, gHi1, gLo1, gHi1, cLo1, cHi1, s1),
        fmaHalvesSuspect(gLo2, gHi2, gLo2, gHi2, cLo2, cHi2, s2)))) {
        adagradTorchElements(rec, i, i + 8);
        continue;
      }
      v128.store(sum + at, s1);
      v128.store(sum + at + 16, s2);
      const std1 = f32x4.add(f32x4.sqrt(s1), slot(EPS));
      const std2 = f32x4.add(f32x4.sqrt(s2), slot(EPS));
      const step1 = f32x4.div(f32x4.mul(slot(NEG_CLR), v128.load(grad + at)), std1);
      const step2 = f32x4.div(f32x4.mul(slot(NEG_CLR), v128.load(grad + at + 16)), std2);
      v128.store(param + at, f32x4.add(v128.load(param + at), step1));
      v128.store(param + at + 16, f32x4.add(v128.load(param + at + 16), step2));
    }
    return i;
  }
  putF32(NEG_CLR, negClr);
  putF32(WEIGHT_DECAY, recF32(rec, AdagradStep.weightDecay));
  putBits(SIGN, signMask);
  for (; i + 4 <= n; i += 4) {
    const at = i << 2;
    const p = v128.load(param + at);
    const grad4 = v128.xor(v128.load(grad + at), slot(SIGN));
    const g = hasWeightDecay ? fmaFast4(p, slot(WEIGHT_DECAY), grad4) : grad4;
    const c = v128.load(sum + at);
    const s = fmaFast4(g, g, c);
    const suspect = hasWeightDecay ? fmaSuspect4(p, slot(WEIGHT_DECAY), grad4, g) : i32x4.splat(0);
    if (anySuspect(v128.or(suspect, fmaSuspect4(g, g, c, s)))) {
      adagradTorchElements(rec, i, i + 4);
      continue;
    }
    v128.store(sum + at, s);
    const std = f32x4.add(f32x4.sqrt(s), slot(EPS));
    v128.store(param + at, f32x4.add(p, f32x4.div(f32x4.mul(slot(NEG_CLR), g), std)));
  }
  return i;
}

/** One torch-flavor Adagrad step over `count` tensor records at `table`. */
export function adagradStep(table: usize, count: u32): void {
  for (let k: u32 = 0; k < count; k++) {
    const rec = table + <usize>k * RECORD_BYTES;
    let i: usize = 0;
    if (ASC_FEATURE_SIMD) i = adagradTorch<v128>(rec, 0, 0);
    adagradTorchElements(rec, i, recCount(rec));
  }
}

/** Sparse Adagrad, elements [from, to) one at a time: the scalar build's loop and the SIMD redo. */
function adagradSparseElements(rec: usize, from: usize, to: usize): void {
  const param = recParam(rec), grad = recGrad(rec), sum = recPtr(rec, AdagradSparseStep.sum);
  const negClr = recF32(rec, AdagradSparseStep.negClr), eps = recF32(rec, AdagradSparseStep.eps);
  const signMask: u32 = (recFlags(rec) & AdagradSparseStep.FLAG_MAXIMIZE) != 0 ? 0x80000000 : 0;
  for (let i = from; i < to; i++) {
    const at = i << 2;
    const g = flipSign(load<f32>(grad + at), signMask);
    const s = load<f32>(sum + at) + g * g;
    store<f32>(sum + at, s);
    store<f32>(param + at, fmaf(g / (sqrt<f32>(s) + eps), negClr, load<f32>(param + at)));
  }
}

/**
 * Sparse Adagrad's f32x4 loops over one row; return how many elements they stepped. With the
 * emulated FMA, eight lanes per suspect test and the param promoted straight from memory, as in
 * the dense kernel's default loop (2.3× faster per row of 64 than four lanes at a time).
 */
function adagradSparseVectors(rec: usize): usize {
  const param = recParam(rec), grad = recGrad(rec), sum = recPtr(rec, AdagradSparseStep.sum), n = recCount(rec);
  const negClr = recF32(rec, AdagradSparseStep.negClr);
  const vEps = f32x4.splat(recF32(rec, AdagradSparseStep.eps));
  const sign = i32x4.splat((recFlags(rec) & AdagradSparseStep.FLAG_MAXIMIZE) != 0 ? 0x80000000 : 0);
  let i: usize = 0;
  if (!HARDWARE_FMA) {
    const negClr2 = f64x2.splat(<f64>negClr);
    for (; i + 8 <= n; i += 8) {
      const at = i << 2;
      const g1 = v128.xor(v128.load(grad + at), sign), g2 = v128.xor(v128.load(grad + at + 16), sign);
      const s1 = f32x4.add(v128.load(sum + at), f32x4.mul(g1, g1));
      const s2 = f32x4.add(v128.load(sum + at + 16), f32x4.mul(g2, g2));
      const q1 = f32x4.div(g1, f32x4.add(f32x4.sqrt(s1), vEps));
      const q2 = f32x4.div(g2, f32x4.add(f32x4.sqrt(s2), vEps));
      const qLo1 = lo(q1), qHi1 = hi(q1), qLo2 = lo(q2), qHi2 = hi(q2);
      const pLo1 = loAt(param + at), pHi1 = hiAt(param + at);
      const pLo2 = loAt(param + at + 16), pHi2 = hiAt(param + at + 16);
      const r1 = fmaHalvesFast(qLo1, qHi1, negClr2, negClr2, pLo1, pHi1);
      const r2 = fmaHalvesFast(qLo2, qHi2, negClr2, negClr2, pLo2, pHi2);
      if (anySuspect(v128.or(
        fmaHalvesSuspect(qLo1, qHi1, negClr2, negClr2, pLo1, pHi1, r1),
        fmaHalvesSuspect(qLo2, qHi2, negClr2, negClr2, pLo2, pHi2, r2)))) {
        adagradSparseElements(rec, i, i + 8);
        continue;
      }
      v128.store(sum + at, s1);
      v128.store(sum + at + 16, s2);
      v128.store(param + at, r1);
      v128.store(param + at + 16, r2);
    }
  }
  // The hardware FMA's loop, and the emulated one's last four lanes (a row of width 4 + 8k).
  const vNegClr = f32x4.splat(negClr);
  for (; i + 4 <= n; i += 4) {
    const at = i << 2;
    const g = v128.xor(v128.load(grad + at), sign);
    const s = f32x4.add(v128.load(sum + at), f32x4.mul(g, g));
    const q = f32x4.div(g, f32x4.add(f32x4.sqrt(s), vEps));
    const p = v128.load(param + at);
    const updated = fmaFast4(q, vNegClr, p);
    if (anySuspect(fmaSuspect4(q, vNegClr, p, updated))) {
      adagradSparseElements(rec, i, i + 4);
      continue;
    }
    v128.store(sum + at, s);
    v128.store(param + at, updated);
  }
  return i;
}

/** One torch-flavor sparse Adagrad step over `count` row records at `table` (one row each). */
export function adagradSparseStep(table: usize, count: u32): void {
  for (let k: u32 = 0; k < count; k++) {
    const rec = table + <usize>k * RECORD_BYTES;
    let i: usize = 0;
    if (ASC_FEATURE_SIMD) i = adagradSparseVectors(rec);
    adagradSparseElements(rec, i, recCount(rec));
  }
}

/** One tfjs-flavor Adagrad step over `count` tensor records at `table`. */
export function adagradStepTfjs(table: usize, count: u32): void {
  for (let k: u32 = 0; k < count; k++) {
    const rec = table + <usize>k * RECORD_BYTES;
    const param = recParam(rec), grad = recGrad(rec), sum = recPtr(rec, AdagradStepTfjs.sum), n = recCount(rec);
    const negLr = recF32(rec, AdagradStepTfjs.negLr), eps = recF32(rec, AdagradStepTfjs.eps);
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
