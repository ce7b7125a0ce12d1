// The kernel set every backend provides: one function per algorithm and flavor, all with the
// uniform ABI (byte offset of the tensor-record table, number of records).

export type KernelName =
  | 'adagradStep'
  | 'adagradStepTfjs'
  | 'rmspropStep'
  | 'rmspropStepTfjs'
  | 'sgdStep'
  | 'sgdStepTfjs'
  | 'adamStep'
  | 'adamStepTfjs'
  | 'adadeltaStep'
  | 'adadeltaStepTfjs';

export type Kernel = (table: number, count: number) => void;

export type KernelSet = Readonly<Record<KernelName, Kernel>>;

/** The exports of build/kernels.*.wasm (assembly/index.ts). */
export interface WasmKernelExports extends KernelSet {
  heapBase(): number;
}

export const KERNEL_NAMES: readonly KernelName[] = [
  'adagradStep',
  'adagradStepTfjs',
  'rmspropStep',
  'rmspropStepTfjs',
  'sgdStep',
  'sgdStepTfjs',
  'adamStep',
  'adamStepTfjs',
  'adadeltaStep',
  'adadeltaStepTfjs',
];
