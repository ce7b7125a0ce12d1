// Adam and AdamW, the readable reference: the same operation order as assembly/adam.ts, every
// operation rounded to float32 with Math.fround, PyTorch's fused multiply-adds exact (fmaf).
// The update rules are written out in assembly/adam.ts.
import { AdamStep, AdamStepTfjs } from '../contract.generated.js';
import { REC_COUNT, REC_FLAGS, REC_GRAD, REC_PARAM, pointerWord, recordWord } from '../record.js';
import { fmaf } from './fma.js';

const fl = Math.fround;

/**
 * torch flavor: scalars negStepSize, bc2Sqrt, eps, beta1, oneMinusBeta1, beta2, oneMinusBeta2,
 * and weightDecay (Adam) or decay (AdamW, AdamStep.FLAG_DECOUPLED).
 */
export function adamStep(f32: Float32Array, u32: Uint32Array, table: number, count: number): void {
  for (let k = 0; k < count; k++) {
    const rec = recordWord(table, k);
    const param = pointerWord(u32, rec, REC_PARAM);
    const grad = pointerWord(u32, rec, REC_GRAD);
    const expAvg = pointerWord(u32, rec, AdamStep.expAvg);
    const expAvgSq = pointerWord(u32, rec, AdamStep.expAvgSq);
    const maxExpAvgSq = pointerWord(u32, rec, AdamStep.maxExpAvgSq);
    const n = u32[rec + REC_COUNT]!;
    const flags = u32[rec + REC_FLAGS]!;
    const negStepSize = f32[rec + AdamStep.negStepSize]!,
      bc2Sqrt = f32[rec + AdamStep.bc2Sqrt]!,
      eps = f32[rec + AdamStep.eps]!;
    const beta1 = f32[rec + AdamStep.beta1]!,
      oneMinusBeta1 = f32[rec + AdamStep.oneMinusBeta1]!;
    const beta2 = f32[rec + AdamStep.beta2]!,
      oneMinusBeta2 = f32[rec + AdamStep.oneMinusBeta2]!,
      decayOrWeightDecay = f32[rec + AdamStep.decayOrWeightDecay]!;
    const maximize = (flags & AdamStep.FLAG_MAXIMIZE) !== 0;
    const decoupled = (flags & AdamStep.FLAG_DECOUPLED) !== 0;
    const hasWeightDecay = (flags & AdamStep.FLAG_WEIGHT_DECAY) !== 0;
    const amsgrad = (flags & AdamStep.FLAG_AMSGRAD) !== 0;
    for (let i = 0; i < n; i++) {
      let p = f32[param + i]!;
      let g = maximize ? -f32[grad + i]! : f32[grad + i]!;
      if (decoupled) p = fl(p * decayOrWeightDecay);
      else if (hasWeightDecay) g = fmaf(p, decayOrWeightDecay, g);
      const m = fmaf(g, oneMinusBeta1, fl(f32[expAvg + i]! * beta1));
      f32[expAvg + i] = m;
      let v = fmaf(fl(oneMinusBeta2 * g), g, fl(f32[expAvgSq + i]! * beta2));
      f32[expAvgSq + i] = v;
      if (amsgrad) {
        v = Math.max(f32[maxExpAvgSq + i]!, v); // NaN-propagating, as torch.maximum
        f32[maxExpAvgSq + i] = v;
      }
      const denom = fl(fl(fl(Math.sqrt(v)) / bc2Sqrt) + eps);
      f32[param + i] = fl(p + fl(fl(negStepSize * m) / denom));
    }
  }
}

/** tfjs flavor: scalars negLr, a1, a2, beta1, oneMinusBeta1, beta2, oneMinusBeta2, eps. */
export function adamStepTfjs(f32: Float32Array, u32: Uint32Array, table: number, count: number): void {
  for (let k = 0; k < count; k++) {
    const rec = recordWord(table, k);
    const param = pointerWord(u32, rec, REC_PARAM);
    const grad = pointerWord(u32, rec, REC_GRAD);
    const expAvg = pointerWord(u32, rec, AdamStepTfjs.expAvg);
    const expAvgSq = pointerWord(u32, rec, AdamStepTfjs.expAvgSq);
    const n = u32[rec + REC_COUNT]!;
    const negLr = f32[rec + AdamStepTfjs.negLr]!,
      a1 = f32[rec + AdamStepTfjs.a1]!,
      a2 = f32[rec + AdamStepTfjs.a2]!;
    const beta1 = f32[rec + AdamStepTfjs.beta1]!,
      oneMinusBeta1 = f32[rec + AdamStepTfjs.oneMinusBeta1]!;
    const beta2 = f32[rec + AdamStepTfjs.beta2]!,
      oneMinusBeta2 = f32[rec + AdamStepTfjs.oneMinusBeta2]!,
      eps = f32[rec + AdamStepTfjs.eps]!;
    for (let i = 0; i < n; i++) {
      const g = f32[grad + i]!;
      const m = fl(fl(f32[expAvg + i]! * beta1) + fl(g * oneMinusBeta1));
      f32[expAvg + i] = m;
      const v = fl(fl(f32[expAvgSq + i]! * beta2) + fl(fl(g * g) * oneMinusBeta2));
      f32[expAvgSq + i] = v;
      const denom = fl(fl(Math.sqrt(fl(v / a2))) + eps);
      f32[param + i] = fl(fl(fl(fl(m / a1) / denom) * negLr) + f32[param + i]!);
    }
  }
}
