// NAdam, the readable reference: the same operation order as assembly/nadam.ts, every operation
// rounded to float32 with Math.fround, PyTorch's fused multiply-adds exact (fmaf). The update
// rule is written out in assembly/nadam.ts.
import { NadamStep } from '../contract.generated.js';
import { REC_COUNT, REC_FLAGS, REC_GRAD, REC_PARAM, pointerWord, recordWord } from '../record.js';
import { fmaf } from './fma.js';

const fl = Math.fround;

/**
 * torch flavor: scalars negGradStep, negMomentumStep, bc2, eps, beta1, oneMinusBeta1, beta2,
 * oneMinusBeta2, weightDecay.
 */
export function nadamStep(f32: Float32Array, u32: Uint32Array, table: number, count: number): void {
  for (let k = 0; k < count; k++) {
    const rec = recordWord(table, k);
    const param = pointerWord(u32, rec, REC_PARAM);
    const grad = pointerWord(u32, rec, REC_GRAD);
    const expAvg = pointerWord(u32, rec, NadamStep.expAvg);
    const expAvgSq = pointerWord(u32, rec, NadamStep.expAvgSq);
    const n = u32[rec + REC_COUNT]!;
    const hasWeightDecay = (u32[rec + REC_FLAGS]! & NadamStep.FLAG_WEIGHT_DECAY) !== 0;
    const negGradStep = f32[rec + NadamStep.negGradStep]!,
      negMomentumStep = f32[rec + NadamStep.negMomentumStep]!,
      bc2 = f32[rec + NadamStep.bc2]!,
      eps = f32[rec + NadamStep.eps]!;
    const beta1 = f32[rec + NadamStep.beta1]!,
      oneMinusBeta1 = f32[rec + NadamStep.oneMinusBeta1]!;
    const beta2 = f32[rec + NadamStep.beta2]!,
      oneMinusBeta2 = f32[rec + NadamStep.oneMinusBeta2]!,
      weightDecay = f32[rec + NadamStep.weightDecay]!;
    for (let i = 0; i < n; i++) {
      const p = f32[param + i]!;
      let g = f32[grad + i]!;
      if (hasWeightDecay) g = fmaf(p, weightDecay, g);
      const m = fmaf(g, oneMinusBeta1, fl(f32[expAvg + i]! * beta1));
      f32[expAvg + i] = m;
      const v = fmaf(fl(oneMinusBeta2 * g), g, fl(f32[expAvgSq + i]! * beta2));
      f32[expAvgSq + i] = v;
      const denom = fl(fl(Math.sqrt(fl(v / bc2))) + eps);
      const p1 = fl(p + fl(fl(negGradStep * g) / denom));
      f32[param + i] = fl(p1 + fl(fl(negMomentumStep * m) / denom));
    }
  }
}
