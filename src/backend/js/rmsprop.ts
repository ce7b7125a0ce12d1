// RMSprop, the readable reference: the same operation order as assembly/rmsprop.ts, every
// operation rounded to float32 with Math.fround, PyTorch's fused multiply-adds exact (fmaf).
// The update rules are written out in assembly/rmsprop.ts.
import { RmspropStep, RmspropStepTfjs } from '../contract.generated.js';
import { REC_COUNT, REC_FLAGS, REC_GRAD, REC_PARAM, pointerWord, recordWord } from '../record.js';
import { fmaf } from './fma.js';

const fl = Math.fround;

/** torch flavor: scalars alpha, oneMinusAlpha, eps, weightDecay, momentum, negLr. */
export function rmspropStep(f32: Float32Array, u32: Uint32Array, table: number, count: number): void {
  for (let k = 0; k < count; k++) {
    const rec = recordWord(table, k);
    const param = pointerWord(u32, rec, REC_PARAM);
    const grad = pointerWord(u32, rec, REC_GRAD);
    const squareAvg = pointerWord(u32, rec, RmspropStep.squareAvg);
    const buf = pointerWord(u32, rec, RmspropStep.momentumBuffer);
    const gradAvg = pointerWord(u32, rec, RmspropStep.gradAvg);
    const n = u32[rec + REC_COUNT]!;
    const flags = u32[rec + REC_FLAGS]!;
    const alpha = f32[rec + RmspropStep.alpha]!;
    const oneMinusAlpha = f32[rec + RmspropStep.oneMinusAlpha]!;
    const eps = f32[rec + RmspropStep.eps]!;
    const weightDecay = f32[rec + RmspropStep.weightDecay]!;
    const momentum = f32[rec + RmspropStep.momentum]!;
    const negLr = f32[rec + RmspropStep.negLr]!;
    const maximize = (flags & RmspropStep.FLAG_MAXIMIZE) !== 0;
    const hasWeightDecay = (flags & RmspropStep.FLAG_WEIGHT_DECAY) !== 0;
    const centered = (flags & RmspropStep.FLAG_CENTERED) !== 0;
    const hasMomentum = (flags & RmspropStep.FLAG_MOMENTUM) !== 0;
    for (let i = 0; i < n; i++) {
      let p = f32[param + i]!;
      let g = maximize ? -f32[grad + i]! : f32[grad + i]!;
      if (hasWeightDecay) g = fmaf(p, weightDecay, g);
      const sq = fmaf(fl(oneMinusAlpha * g), g, fl(f32[squareAvg + i]! * alpha));
      f32[squareAvg + i] = sq;
      let avg: number;
      if (centered) {
        const ga = fmaf(g, oneMinusAlpha, fl(f32[gradAvg + i]! * alpha));
        f32[gradAvg + i] = ga;
        avg = fl(Math.sqrt(fmaf(-ga, ga, sq)));
      } else {
        avg = fl(Math.sqrt(sq));
      }
      avg = fl(avg + eps);
      if (hasMomentum) {
        const b = fl(fl(f32[buf + i]! * momentum) + fl(g / avg));
        f32[buf + i] = b;
        p = fmaf(b, negLr, p);
      } else {
        p = fl(p + fl(fl(negLr * g) / avg));
      }
      f32[param + i] = p;
    }
  }
}

/** tfjs flavor: scalars alpha (tfjs decay), oneMinusAlpha, eps, momentum, lr. */
export function rmspropStepTfjs(f32: Float32Array, u32: Uint32Array, table: number, count: number): void {
  for (let k = 0; k < count; k++) {
    const rec = recordWord(table, k);
    const param = pointerWord(u32, rec, REC_PARAM);
    const grad = pointerWord(u32, rec, REC_GRAD);
    const squareAvg = pointerWord(u32, rec, RmspropStepTfjs.squareAvg);
    const buf = pointerWord(u32, rec, RmspropStepTfjs.momentumBuffer);
    const gradAvg = pointerWord(u32, rec, RmspropStepTfjs.gradAvg);
    const n = u32[rec + REC_COUNT]!;
    const centered = (u32[rec + REC_FLAGS]! & RmspropStepTfjs.FLAG_CENTERED) !== 0;
    const alpha = f32[rec + RmspropStepTfjs.alpha]!;
    const oneMinusAlpha = f32[rec + RmspropStepTfjs.oneMinusAlpha]!;
    const eps = f32[rec + RmspropStepTfjs.eps]!;
    const momentum = f32[rec + RmspropStepTfjs.momentum]!;
    const lr = f32[rec + RmspropStepTfjs.lr]!;
    for (let i = 0; i < n; i++) {
      const g = f32[grad + i]!;
      const sq = fl(fl(f32[squareAvg + i]! * alpha) + fl(fl(g * g) * oneMinusAlpha));
      f32[squareAvg + i] = sq;
      let den: number;
      if (centered) {
        const ga = fl(fl(f32[gradAvg + i]! * alpha) + fl(g * oneMinusAlpha));
        f32[gradAvg + i] = ga;
        den = fl(Math.sqrt(fl(sq - fl(fl(ga * ga) + eps))));
      } else {
        den = fl(Math.sqrt(fl(sq + eps)));
      }
      const b = fl(fl(f32[buf + i]! * momentum) + fl(fl(g * lr) / den));
      f32[buf + i] = b;
      f32[param + i] = fl(f32[param + i]! - b);
    }
  }
}
