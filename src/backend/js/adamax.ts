// Adamax, the readable reference: the same operation order as assembly/adamax.ts, every
// operation rounded to float32 with Math.fround, PyTorch's fused multiply-adds exact (fmaf).
// The update rules are written out in assembly/adamax.ts.
import { AdamaxStep, AdamaxStepTfjs } from '../contract.generated.js';
import { REC_COUNT, REC_FLAGS, REC_GRAD, REC_PARAM, pointerWord, recordWord } from '../record.js';
import { fmaf } from './fma.js';

const fl = Math.fround;

/** torch flavor: scalars negClr, beta1, oneMinusBeta1, beta2, eps, weightDecay. */
export function adamaxStep(f32: Float32Array, u32: Uint32Array, table: number, count: number): void {
  for (let k = 0; k < count; k++) {
    const rec = recordWord(table, k);
    const param = pointerWord(u32, rec, REC_PARAM);
    const grad = pointerWord(u32, rec, REC_GRAD);
    const expAvg = pointerWord(u32, rec, AdamaxStep.expAvg);
    const expInf = pointerWord(u32, rec, AdamaxStep.expInf);
    const n = u32[rec + REC_COUNT]!;
    const flags = u32[rec + REC_FLAGS]!;
    const negClr = f32[rec + AdamaxStep.negClr]!;
    const beta1 = f32[rec + AdamaxStep.beta1]!;
    const oneMinusBeta1 = f32[rec + AdamaxStep.oneMinusBeta1]!;
    const beta2 = f32[rec + AdamaxStep.beta2]!;
    const eps = f32[rec + AdamaxStep.eps]!;
    const weightDecay = f32[rec + AdamaxStep.weightDecay]!;
    const maximize = (flags & AdamaxStep.FLAG_MAXIMIZE) !== 0;
    const hasWeightDecay = (flags & AdamaxStep.FLAG_WEIGHT_DECAY) !== 0;
    for (let i = 0; i < n; i++) {
      const p = f32[param + i]!;
      let g = maximize ? -f32[grad + i]! : f32[grad + i]!;
      if (hasWeightDecay) g = fmaf(p, weightDecay, g);
      const m = fmaf(g, oneMinusBeta1, fl(f32[expAvg + i]! * beta1));
      f32[expAvg + i] = m;
      const u = Math.max(fl(f32[expInf + i]! * beta2), fl(Math.abs(g) + eps));
      f32[expInf + i] = u;
      f32[param + i] = fl(p + fl(fl(negClr * m) / u));
    }
  }
}

/** tfjs flavor: scalars scale (the step's lr / (1 − accBeta1)), beta1, oneMinusBeta1, beta2, eps. */
export function adamaxStepTfjs(f32: Float32Array, u32: Uint32Array, table: number, count: number): void {
  for (let k = 0; k < count; k++) {
    const rec = recordWord(table, k);
    const param = pointerWord(u32, rec, REC_PARAM);
    const grad = pointerWord(u32, rec, REC_GRAD);
    const m = pointerWord(u32, rec, AdamaxStepTfjs.expAvg);
    const v = pointerWord(u32, rec, AdamaxStepTfjs.expInf);
    const n = u32[rec + REC_COUNT]!;
    const scale = f32[rec + AdamaxStepTfjs.scale]!;
    const beta1 = f32[rec + AdamaxStepTfjs.beta1]!;
    const oneMinusBeta1 = f32[rec + AdamaxStepTfjs.oneMinusBeta1]!;
    const beta2 = f32[rec + AdamaxStepTfjs.beta2]!;
    const eps = f32[rec + AdamaxStepTfjs.eps]!;
    for (let i = 0; i < n; i++) {
      const g = f32[grad + i]!;
      const mi = fl(fl(f32[m + i]! * beta1) + fl(g * oneMinusBeta1));
      const vi = Math.max(fl(f32[v + i]! * beta2), Math.abs(g));
      f32[m + i] = mi;
      f32[v + i] = vi;
      f32[param + i] = fl(fl(scale * fl(mi / fl(vi + eps))) + f32[param + i]!);
    }
  }
}
