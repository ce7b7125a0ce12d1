// RAdam, the readable reference: the same operation order as assembly/radam.ts, every operation
// rounded to float32 with Math.fround, PyTorch's fused multiply-adds exact (fmaf). The update
// rule is written out in assembly/radam.ts.
import { RadamStep } from '../contract.generated.js';
import { REC_COUNT, REC_FLAGS, REC_GRAD, REC_PARAM, pointerWord, recordWord } from '../record.js';
import { fmaf } from './fma.js';

const fl = Math.fround;

/**
 * torch flavor: scalars lr, bc1, eps, bc2Sqrt, beta1, oneMinusBeta1, beta2, oneMinusBeta2,
 * weightDecay, rect (rect, eps and bc2Sqrt used only on rectified steps).
 */
export function radamStep(f32: Float32Array, u32: Uint32Array, table: number, count: number): void {
  for (let k = 0; k < count; k++) {
    const rec = recordWord(table, k);
    const param = pointerWord(u32, rec, REC_PARAM);
    const grad = pointerWord(u32, rec, REC_GRAD);
    const expAvg = pointerWord(u32, rec, RadamStep.expAvg);
    const expAvgSq = pointerWord(u32, rec, RadamStep.expAvgSq);
    const n = u32[rec + REC_COUNT]!;
    const flags = u32[rec + REC_FLAGS]!;
    const hasWeightDecay = (flags & RadamStep.FLAG_WEIGHT_DECAY) !== 0;
    const rectified = (flags & RadamStep.FLAG_RECTIFIED) !== 0;
    const lr = f32[rec + RadamStep.lr]!,
      bc1 = f32[rec + RadamStep.bc1]!,
      eps = f32[rec + RadamStep.eps]!,
      bc2Sqrt = f32[rec + RadamStep.bc2Sqrt]!,
      rect = f32[rec + RadamStep.rect]!;
    const beta1 = f32[rec + RadamStep.beta1]!,
      oneMinusBeta1 = f32[rec + RadamStep.oneMinusBeta1]!;
    const beta2 = f32[rec + RadamStep.beta2]!,
      oneMinusBeta2 = f32[rec + RadamStep.oneMinusBeta2]!,
      weightDecay = f32[rec + RadamStep.weightDecay]!;
    for (let i = 0; i < n; i++) {
      const p = f32[param + i]!;
      let g = f32[grad + i]!;
      if (hasWeightDecay) g = fmaf(p, weightDecay, g);
      const m = fmaf(g, oneMinusBeta1, fl(f32[expAvg + i]! * beta1));
      f32[expAvg + i] = m;
      const v = fmaf(fl(oneMinusBeta2 * g), g, fl(f32[expAvgSq + i]! * beta2));
      f32[expAvgSq + i] = v;
      const scaled = fl(fl(m / bc1) * lr);
      let update = scaled;
      if (rectified) {
        const adaptive = fl(fl(1 / fl(fl(Math.sqrt(v)) + eps)) * bc2Sqrt);
        update = fl(fl(scaled * adaptive) * rect);
      }
      f32[param + i] = fl(p - update);
    }
  }
}
