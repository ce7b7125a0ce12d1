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

/** The exports of build/kernels.*.wasm (assembly/index.ts). */
export interface WasmKernelExports extends KernelSet {
  heapBase(): number;
  expandSparseRows: SparseExpander;
}
