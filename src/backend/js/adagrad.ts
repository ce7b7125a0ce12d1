// Adagrad, the readable reference: the same operation order as assembly/adagrad.ts, every
// operation rounded to float32 with Math.fround, PyTorch's fused multiply-adds exact (fmaf).
// The update rules are written out in assembly/adagrad.ts.
import { AdagradSparseStep, AdagradStep, AdagradStepTfjs } from '../contract.generated.js';
import { REC_COUNT, REC_FLAGS, REC_GRAD, REC_PARAM, pointerWord, recordWord } from '../record.js';
import { fmaf } from './fma.js';

const fl = Math.fround;

/** torch flavor: scalars negClr, eps, weightDecay. */
export function adagradStep(f32: Float32Array, u32: Uint32Array, table: number, count: number): void {
  for (let k = 0; k < count; k++) {
    const rec = recordWord(table, k);
    const param = pointerWord(u32, rec, REC_PARAM);
    const grad = pointerWord(u32, rec, REC_GRAD);
    const sum = pointerWord(u32, rec, AdagradStep.sum);
    const n = u32[rec + REC_COUNT]!;
    const flags = u32[rec + REC_FLAGS]!;
    const negClr = f32[rec + AdagradStep.negClr]!;
    const eps = f32[rec + AdagradStep.eps]!;
    const weightDecay = f32[rec + AdagradStep.weightDecay]!;
    const maximize = (flags & AdagradStep.FLAG_MAXIMIZE) !== 0;
    const hasWeightDecay = (flags & AdagradStep.FLAG_WEIGHT_DECAY) !== 0;
    for (let i = 0; i < n; i++) {
      const p = f32[param + i]!;
      let g = maximize ? -f32[grad + i]! : f32[grad + i]!;
      if (hasWeightDecay) g = fmaf(p, weightDecay, g);
      const s = fmaf(g, g, f32[sum + i]!);
      f32[sum + i] = s;
      const std = fl(fl(Math.sqrt(s)) + eps);
      f32[param + i] = fl(p + fl(fl(negClr * g) / std));
    }
  }
}

/** torch flavor, one listed row per record (PyTorch's sparse path): scalars negClr, eps. */
export function adagradSparseStep(f32: Float32Array, u32: Uint32Array, table: number, count: number): void {
  for (let k = 0; k < count; k++) {
    const rec = recordWord(table, k);
    const param = pointerWord(u32, rec, REC_PARAM);
    const grad = pointerWord(u32, rec, REC_GRAD);
    const sum = pointerWord(u32, rec, AdagradSparseStep.sum);
    const n = u32[rec + REC_COUNT]!;
    const maximize = (u32[rec + REC_FLAGS]! & AdagradSparseStep.FLAG_MAXIMIZE) !== 0;
    const negClr = f32[rec + AdagradSparseStep.negClr]!;
    const eps = f32[rec + AdagradSparseStep.eps]!;
    for (let i = 0; i < n; i++) {
      const g = maximize ? -f32[grad + i]! : f32[grad + i]!;
      const s = fl(f32[sum + i]! + fl(g * g));
      f32[sum + i] = s;
      f32[param + i] = fmaf(fl(g / fl(fl(Math.sqrt(s)) + eps)), negClr, f32[param + i]!);
    }
  }
}

/** tfjs flavor: scalars negLr, eps. */
export function adagradStepTfjs(f32: Float32Array, u32: Uint32Array, table: number, count: number): void {
  for (let k = 0; k < count; k++) {
    const rec = recordWord(table, k);
    const param = pointerWord(u32, rec, REC_PARAM);
    const grad = pointerWord(u32, rec, REC_GRAD);
    const sum = pointerWord(u32, rec, AdagradStepTfjs.sum);
    const n = u32[rec + REC_COUNT]!;
    const negLr = f32[rec + AdagradStepTfjs.negLr]!;
    const eps = f32[rec + AdagradStepTfjs.eps]!;
    for (let i = 0; i < n; i++) {
      const g = f32[grad + i]!;
      const s = fl(f32[sum + i]! + fl(g * g));
      f32[sum + i] = s;
      f32[param + i] = fl(fl(fl(g / fl(Math.sqrt(fl(s + eps)))) * negLr) + f32[param + i]!);
    }
  }
}
