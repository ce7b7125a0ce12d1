// SGD, the readable reference: the same operation order as assembly/sgd.ts, every operation
// rounded to float32 with Math.fround, PyTorch's fused multiply-adds exact (fmaf).
// The update rules are written out in assembly/sgd.ts.
import { SgdStep, SgdStepTfjs } from '../contract.generated.js';
import { REC_COUNT, REC_FLAGS, REC_GRAD, REC_PARAM, pointerWord, recordWord } from '../record.js';
import { fmaf } from './fma.js';

const fl = Math.fround;

/** torch flavor: scalars negLr, momentum, oneMinusDampening, weightDecay. */
export function sgdStep(f32: Float32Array, u32: Uint32Array, table: number, count: number): void {
  for (let k = 0; k < count; k++) {
    const rec = recordWord(table, k);
    const param = pointerWord(u32, rec, REC_PARAM);
    const grad = pointerWord(u32, rec, REC_GRAD);
    const buf = pointerWord(u32, rec, SgdStep.momentumBuffer);
    const n = u32[rec + REC_COUNT]!;
    const flags = u32[rec + REC_FLAGS]!;
    const negLr = f32[rec + SgdStep.negLr]!;
    const momentum = f32[rec + SgdStep.momentum]!;
    const oneMinusDampening = f32[rec + SgdStep.oneMinusDampening]!;
    const weightDecay = f32[rec + SgdStep.weightDecay]!;
    const maximize = (flags & SgdStep.FLAG_MAXIMIZE) !== 0;
    const hasWeightDecay = (flags & SgdStep.FLAG_WEIGHT_DECAY) !== 0;
    const hasMomentum = (flags & SgdStep.FLAG_MOMENTUM) !== 0;
    const nesterov = (flags & SgdStep.FLAG_NESTEROV) !== 0;
    const first = (flags & SgdStep.FLAG_FIRST_MOMENTUM) !== 0;
    for (let i = 0; i < n; i++) {
      const p = f32[param + i]!;
      let g = maximize ? -f32[grad + i]! : f32[grad + i]!;
      if (hasWeightDecay) g = fmaf(p, weightDecay, g);
      let d = g;
      if (hasMomentum) {
        const b = first ? g : fmaf(g, oneMinusDampening, fl(f32[buf + i]! * momentum));
        f32[buf + i] = b;
        d = nesterov ? fmaf(b, momentum, g) : b;
      }
      f32[param + i] = fmaf(d, negLr, p);
    }
  }
}

/** tfjs flavor: tf.train.sgd, or tf.train.momentum when the momentum flag is set. */
export function sgdStepTfjs(f32: Float32Array, u32: Uint32Array, table: number, count: number): void {
  for (let k = 0; k < count; k++) {
    const rec = recordWord(table, k);
    const param = pointerWord(u32, rec, REC_PARAM);
    const grad = pointerWord(u32, rec, REC_GRAD);
    const buf = pointerWord(u32, rec, SgdStepTfjs.momentumBuffer);
    const n = u32[rec + REC_COUNT]!;
    const flags = u32[rec + REC_FLAGS]!;
    const negLr = f32[rec + SgdStepTfjs.negLr]!;
    const momentum = f32[rec + SgdStepTfjs.momentum]!;
    const hasMomentum = (flags & SgdStepTfjs.FLAG_MOMENTUM) !== 0;
    const nesterov = (flags & SgdStepTfjs.FLAG_NESTEROV) !== 0;
    for (let i = 0; i < n; i++) {
      const g = f32[grad + i]!;
      let d = g;
      if (hasMomentum) {
        const b = fl(fl(momentum * f32[buf + i]!) + g);
        f32[buf + i] = b;
        d = nesterov ? fl(g + fl(b * momentum)) : b;
      }
      f32[param + i] = fl(fl(negLr * d) + f32[param + i]!);
    }
  }
}
