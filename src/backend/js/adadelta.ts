// Adadelta, the readable reference: the same operation order as assembly/adadelta.ts, every
// operation rounded to float32 with Math.fround, PyTorch's fused multiply-adds exact (fmaf).
// The update rules are written out in assembly/adadelta.ts.
import { AdadeltaStep, AdadeltaStepTfjs } from '../contract.generated.js';
import { REC_COUNT, REC_FLAGS, REC_GRAD, REC_PARAM, pointerWord, recordWord } from '../record.js';
import { fmaf } from './fma.js';

const fl = Math.fround;

/** torch flavor: scalars negLr, rho, oneMinusRho, eps, weightDecay. */
export function adadeltaStep(f32: Float32Array, u32: Uint32Array, table: number, count: number): void {
  for (let k = 0; k < count; k++) {
    const rec = recordWord(table, k);
    const param = pointerWord(u32, rec, REC_PARAM);
    const grad = pointerWord(u32, rec, REC_GRAD);
    const squareAvg = pointerWord(u32, rec, AdadeltaStep.squareAvg);
    const accDelta = pointerWord(u32, rec, AdadeltaStep.accDelta);
    const n = u32[rec + REC_COUNT]!;
    const flags = u32[rec + REC_FLAGS]!;
    const negLr = f32[rec + AdadeltaStep.negLr]!,
      rho = f32[rec + AdadeltaStep.rho]!,
      oneMinusRho = f32[rec + AdadeltaStep.oneMinusRho]!,
      eps = f32[rec + AdadeltaStep.eps]!;
    const weightDecay = f32[rec + AdadeltaStep.weightDecay]!;
    const maximize = (flags & AdadeltaStep.FLAG_MAXIMIZE) !== 0;
    const hasWeightDecay = (flags & AdadeltaStep.FLAG_WEIGHT_DECAY) !== 0;
    for (let i = 0; i < n; i++) {
      const p = f32[param + i]!;
      let g = maximize ? -f32[grad + i]! : f32[grad + i]!;
      if (hasWeightDecay) g = fmaf(p, weightDecay, g);
      const sq = fmaf(fl(oneMinusRho * g), g, fl(f32[squareAvg + i]! * rho));
      f32[squareAvg + i] = sq;
      const std = fl(Math.sqrt(fl(sq + eps)));
      const ad = f32[accDelta + i]!;
      const delta = fl(fl(fl(Math.sqrt(fl(ad + eps))) / std) * g);
      f32[accDelta + i] = fmaf(fl(oneMinusRho * delta), delta, fl(ad * rho));
      f32[param + i] = fmaf(delta, negLr, p);
    }
  }
}

/** tfjs flavor: scalars negLr, rho, oneMinusRho, eps. */
export function adadeltaStepTfjs(f32: Float32Array, u32: Uint32Array, table: number, count: number): void {
  for (let k = 0; k < count; k++) {
    const rec = recordWord(table, k);
    const param = pointerWord(u32, rec, REC_PARAM);
    const grad = pointerWord(u32, rec, REC_GRAD);
    const squareAvg = pointerWord(u32, rec, AdadeltaStepTfjs.squareAvg);
    const accDelta = pointerWord(u32, rec, AdadeltaStepTfjs.accDelta);
    const n = u32[rec + REC_COUNT]!;
    const negLr = f32[rec + AdadeltaStepTfjs.negLr]!,
      rho = f32[rec + AdadeltaStepTfjs.rho]!,
      oneMinusRho = f32[rec + AdadeltaStepTfjs.oneMinusRho]!,
      eps = f32[rec + AdadeltaStepTfjs.eps]!;
    for (let i = 0; i < n; i++) {
      const g = f32[grad + i]!;
      const sq = f32[squareAvg + i]!;
      const ad = f32[accDelta + i]!;
      const update = fl(fl(fl(Math.sqrt(fl(ad + eps))) / fl(Math.sqrt(fl(sq + eps)))) * g);
      f32[squareAvg + i] = fl(fl(sq * rho) + fl(fl(g * g) * oneMinusRho));
      f32[accDelta + i] = fl(fl(ad * rho) + fl(fl(update * update) * oneMinusRho));
      f32[param + i] = fl(fl(update * negLr) + f32[param + i]!);
    }
  }
}
