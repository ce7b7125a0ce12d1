// The kernel set every backend provides: one function per algorithm and flavor, all with the
// uniform ABI (byte offset of the tensor-record table, number of records). The names come from
// the kernel contracts (src/optimizers/*.ts) through scripts/gen-contract.mjs.
import type { KernelName } from './contract.generated.js';

export { KERNEL_NAMES, type KernelName } from './contract.generated.js';

export type Kernel = (table: number, count: number) => void;

export type KernelSet = Readonly<Record<KernelName, Kernel>>;

/**
 * Turns `count` sparse-tensor descriptors at byte `descs` into row records at byte `out`; returns
 * how many it wrote (assembly/sparse.ts describes the layout).
 */
export type SparseExpander = (descs: number, count: number, out: number) => number;

/**
 * The passes over the gradients before a step (assembly/grads.ts, src/backend/js/grads.ts):
 * byte offsets, float32 values, norm kinds 0 L∞, 1 L1, 2 L2.
 */
export interface GradOps {
  /** The norm of `n` floats at `ptr`, as fl(fl(x / div) · mul) would leave them (nothing written). */
  normOf(ptr: number, n: number, kind: number, div: number, mul: number): number;
  /** Each of `count` records' gradient norm, as float32 at `out` + 4k. */
  gradNorms(table: number, count: number, kind: number, out: number): void;
  /** 1 when every gradient element of the `count` records is finite, else 0. */
  gradsFinite(table: number, count: number): number;
  /** x ← fl(fl(x / div) · mul) in place; a factor of 1 is skipped. */
  scaleGrad(ptr: number, n: number, div: number, mul: number): void;
  /** Unscaling, x ← fl(fl(x / div) · mul) over `count` records' gradients; 1 if all x were finite. */
  unscaleGrads(table: number, count: number, div: number, mul: number): number;
  /** x ← min(max(x, lo), hi) in place. */
  clampGrad(ptr: number, n: number, lo: number, hi: number): void;
}

/** The names of GradOps, which every kernel binary exports. */
export const GRAD_OP_NAMES = ['normOf', 'gradNorms', 'gradsFinite', 'scaleGrad', 'unscaleGrads', 'clampGrad'] as const;

/** The exports of build/kernels.*.wasm (assembly/index.ts). */
export interface WasmKernelExports extends KernelSet, GradOps {
  heapBase(): number;
  expandSparseRows: SparseExpander;
}
