// A drop-in step(grads) on a large tensor, tile by tile through a small scratch area of the
// memory, so that the user's arrays cross DRAM once each way instead of through full-size
// mirrors:
//
//   for each tile of DROP_IN_TILE elements:
//     gradient tile      your array → scratch G             (read once)
//     parameter tile     your array → scratch P             (read once; a parameter created from
//                                                            a length stays in memory instead)
//     kernel             P, G and the state at the tile's offset, from cache
//     parameter tile     scratch P → your array             (written once)
//
// Copying the whole tensor into the memory's full-size mirrors first (the untiled form) wrote
// every gradient and parameter element into memory lines the kernel then read back from DRAM,
// and the parameter out again: about 44 bytes per element for Adagrad where the update needs 20.
// Writing the tile back into the parameter mirror as well costs most of what tiling saves
// (measured: the dirty mirror lines go back to DRAM), so a tiled step leaves the mirror behind
// your array, and the optimizer refreshes it before anything reads it (optimizer.ts,
// `arrayAhead`). The kernels are elementwise, so stepping tiles is stepping the tensor: the
// bits are those of one call over the whole tensor.
import type { Kernel } from './backend/kernels.js';
import { RECORD_BYTES, REC_COUNT, REC_GRAD, REC_PARAM, REC_STATE0 } from './backend/record.js';

/**
 * Elements per tile (128 KiB per stream: the scratch pair sits in L2). Measured on a 2-core Xeon,
 * Node 24, 256K–16M elements: tiles of 2K to 64K elements give the same speed within noise;
 * larger tiles make fewer views of your gradient arrays (see tileViews).
 */
export const DROP_IN_TILE = 32768;

/**
 * Bytes of the scratch a tiled step needs: the tensor's record (the template), the tile's record,
 * then the parameter tile P and the gradient tile G.
 */
export const DROP_IN_SCRATCH_BYTES = 2 * RECORD_BYTES + 2 * 4 * DROP_IN_TILE;

/** Byte offset of P in the scratch at byte `scratch`. */
export function tileParamOffset(scratch: number): number {
  return scratch + 2 * RECORD_BYTES;
}

/**
 * Views of `array`'s consecutive tiles, made once per array and kept while the array lives (a
 * WeakMap: nothing here keeps your array alive). Gradient arrays reused from step to step cost
 * no allocation; a new array costs one view per tile (a few dozen bytes per 128 KiB).
 */
const tiles = new WeakMap<Float32Array, Float32Array[]>();

function tileViews(array: Float32Array): Float32Array[] {
  const n = array.length;
  const cached = tiles.get(array);
  // A detached or shrunk array has views of length 0: made again (callers checked its length).
  if (cached !== undefined && cached[cached.length - 1]!.length === n - (cached.length - 1) * DROP_IN_TILE) {
    return cached;
  }
  const views: Float32Array[] = [];
  for (let start = 0; start < n; start += DROP_IN_TILE) views.push(array.subarray(start, start + DROP_IN_TILE));
  tiles.set(array, views);
  return views;
}

/** The memory, as the optimizer's arena shows it (re-read: a step never grows it). */
export interface TileMemory {
  readonly f32: Float32Array;
  readonly u32: Uint32Array;
}

/**
 * Steps one tensor tile by tile, with `grad` from the caller and, when `source` is given, the
 * parameter from it, written back to it (else the parameter stays in the memory). `scratch` is
 * DROP_IN_SCRATCH_BYTES at a 16-byte boundary, whose first record holds the tensor's record
 * (pointers to its memory, gradient mirror and state, its count, the flavor's scalars): each
 * tile runs as a copy of it in the second record, pointed at the tile. Only the first
 * `stateWords` state words are moved per tile (a 0 pointer is a buffer never read and stays 0).
 * `scratchParam(len)` is a view of P's first `len` elements.
 */
export function stepTiles(
  memory: TileMemory,
  kernel: Kernel,
  scratch: number,
  stateWords: number,
  grad: Float32Array,
  source: Float32Array | null,
  scratchParam: (len: number) => Float32Array,
): void {
  const { f32, u32 } = memory;
  const from = scratch >>> 2;
  const tileRec = scratch + RECORD_BYTES;
  const to = tileRec >>> 2;
  const words = RECORD_BYTES >>> 2;
  const paramAt = tileParamOffset(scratch);
  const gradAt = paramAt + 4 * DROP_IN_TILE;
  u32.copyWithin(to, from, from + words);
  u32[to + REC_GRAD] = gradAt;
  if (source !== null) u32[to + REC_PARAM] = paramAt;
  const gradTiles = tileViews(grad);
  const sourceTiles = source === null ? null : tileViews(source);
  const n = u32[from + REC_COUNT]!;
  for (let k = 0, start = 0; start < n; k++, start += DROP_IN_TILE) {
    const len = Math.min(DROP_IN_TILE, n - start);
    const offset = start * 4;
    if (source === null) u32[to + REC_PARAM] = u32[from + REC_PARAM]! + offset;
    for (let s = 0; s < stateWords; s++) {
      const pointer = u32[from + REC_STATE0 + s]!;
      if (pointer !== 0) u32[to + REC_STATE0 + s] = pointer + offset;
    }
    u32[to + REC_COUNT] = len;
    f32.set(gradTiles[k]!, gradAt >>> 2);
    if (sourceTiles !== null) f32.set(sourceTiles[k]!, paramAt >>> 2);
    kernel(tileRec, 1);
    if (source !== null) source.set(scratchParam(len), start);
  }
}
