// SparseAdam (torch.optim.SparseAdam 1.13, CPU float32; no fused operation anywhere). A record is
// one listed row of a row-sparse gradient (the facade summed repeated rows, assembly/sparse.ts),
// or a whole tensor for a dense gradient (every row listed):
//   g     = maximize ? −grad : grad
//   m     = fl(m + fl(fl(g − m) · oneMinusBeta1))
//   v     = fl(v + fl(fl(fl(g · g) − v) · oneMinusBeta2))
//   param = fl(param + fl(fl(m / fl(fl(sqrt(v)) + eps)) · negStepSize))
//   negStepSize = fl(−lr · √(1 − β2^t) / (1 − β1^t)), float64 first; eps is not bias-corrected
//
// Record: the scalars, state buffers and flags named in `kernels` (src/optimizers/sparse-adam.ts).

import { RECORD_BYTES, recCount, recF32, recFlags, recGrad, recParam, recPtr } from './record';
import { SparseAdamStep } from './contract.generated';

/** One SparseAdam step over `count` records at `table`. */
export function sparseAdamStep(table: usize, count: u32): void {
  for (let k: u32 = 0; k < count; k++) {
    const rec = table + <usize>k * RECORD_BYTES;
    const param = recParam(rec), grad = recGrad(rec), n = recCount(rec);
    const expAvg = recPtr(rec, SparseAdamStep.expAvg), expAvgSq = recPtr(rec, SparseAdamStep.expAvgSq);
    const negStepSize = recF32(rec, SparseAdamStep.negStepSize), eps = recF32(rec, SparseAdamStep.eps);
    const a1 = recF32(rec, SparseAdamStep.oneMinusBeta1), a2 = recF32(rec, SparseAdamStep.oneMinusBeta2);
    const sign: u32 = (recFlags(rec) & SparseAdamStep.FLAG_MAXIMIZE) != 0 ? 0x80000000 : 0;
    let i: usize = 0;
    if (ASC_FEATURE_SIMD) {
      const vStep = f32x4.splat(negStepSize), vEps = f32x4.splat(eps);
      const vA1 = f32x4.splat(a1), vA2 = f32x4.splat(a2), vSign = i32x4.splat(sign);
      for (; i + 4 <= n; i += 4) {
        const at = i << 2;
        const g = v128.xor(v128.load(grad + at), vSign);
        const m0 = v128.load(expAvg + at), v0 = v128.load(expAvgSq + at);
        const m = f32x4.add(m0, f32x4.mul(f32x4.sub(g, m0), vA1));
        const v = f32x4.add(v0, f32x4.mul(f32x4.sub(f32x4.mul(g, g), v0), vA2));
        v128.store(expAvg + at, m);
        v128.store(expAvgSq + at, v);
        const step = f32x4.mul(f32x4.div(m, f32x4.add(f32x4.sqrt(v), vEps)), vStep);
        v128.store(param + at, f32x4.add(v128.load(param + at), step));
      }
    }
    for (; i < n; i++) {
      const at = i << 2;
      const g = reinterpret<f32>(reinterpret<u32>(load<f32>(grad + at)) ^ sign);
      const m0 = load<f32>(expAvg + at), v0 = load<f32>(expAvgSq + at);
      const m = m0 + (g - m0) * a1;
      const v = v0 + (g * g - v0) * a2;
      store<f32>(expAvg + at, m);
      store<f32>(expAvgSq + at, v);
      store<f32>(param + at, load<f32>(param + at) + (m / (sqrt<f32>(v) + eps)) * negStepSize);
    }
  }
}
