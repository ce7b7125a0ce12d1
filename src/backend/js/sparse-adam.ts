// SparseAdam, the readable reference: the same operation order as assembly/sparse-adam.ts (the
// update rule is written out there), every operation rounded to float32 with Math.fround.
import { SparseAdamStep } from '../contract.generated.js';
import { REC_COUNT, REC_FLAGS, REC_GRAD, REC_PARAM, pointerWord, recordWord } from '../record.js';

const fl = Math.fround;

/** Scalars negStepSize, eps, oneMinusBeta1, oneMinusBeta2; flag maximize. */
export function sparseAdamStep(f32: Float32Array, u32: Uint32Array, table: number, count: number): void {
  for (let k = 0; k < count; k++) {
    const rec = recordWord(table, k);
    const param = pointerWord(u32, rec, REC_PARAM);
    const grad = pointerWord(u32, rec, REC_GRAD);
    const expAvg = pointerWord(u32, rec, SparseAdamStep.expAvg);
    const expAvgSq = pointerWord(u32, rec, SparseAdamStep.expAvgSq);
    const n = u32[rec + REC_COUNT]!;
    const maximize = (u32[rec + REC_FLAGS]! & SparseAdamStep.FLAG_MAXIMIZE) !== 0;
    const negStepSize = f32[rec + SparseAdamStep.negStepSize]!;
    const eps = f32[rec + SparseAdamStep.eps]!;
    const a1 = f32[rec + SparseAdamStep.oneMinusBeta1]!;
    const a2 = f32[rec + SparseAdamStep.oneMinusBeta2]!;
    for (let i = 0; i < n; i++) {
      const g = maximize ? -f32[grad + i]! : f32[grad + i]!;
      const m0 = f32[expAvg + i]!;
      const v0 = f32[expAvgSq + i]!;
      const m = fl(m0 + fl(fl(g - m0) * a1));
      const v = fl(v0 + fl(fl(fl(g * g) - v0) * a2));
      f32[expAvg + i] = m;
      f32[expAvgSq + i] = v;
      f32[param + i] = fl(f32[param + i]! + fl(fl(m / fl(fl(Math.sqrt(v)) + eps)) * negStepSize));
    }
  }
}
