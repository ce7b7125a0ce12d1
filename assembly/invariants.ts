// Loop-invariant vectors (splatted hyperparameters, sign masks) live in a small static table,
// written once per tensor and loaded inside the vector loops, instead of being held in locals.
//
// Why: V8's optimizing compiler places a pure value such as a splat at its uses, and hoists it
// out of a loop only from a block that dominates every exit of that loop. In the FMA loops the
// uses sit behind the suspect test's branch, so every splat (and maximize's sign folding) was
// recomputed on every iteration: a dozen instructions per eight elements, in loops that the
// issue width bounds. A load from a fixed address cannot move and costs one load, no ALU work.
//
// One table serves every kernel: an optimizer's steps run one at a time on one thread, and the
// facade allocates its buffers above __heap_base, past this static data.

const SLOTS: usize = 12;
const TABLE: usize = memory.data(<i32>(SLOTS << 4), 16);

/** Slot k holds f32x4.splat(x). */
@inline export function putF32(k: usize, x: f32): void {
  v128.store(TABLE + (k << 4), f32x4.splat(x));
}

/** Slot k holds f64x2.splat(x): a float32 multiplier promoted once, for fmaHalvesFast. */
@inline export function putF64(k: usize, x: f32): void {
  v128.store(TABLE + (k << 4), f64x2.splat(<f64>x));
}

/** Slot k holds i32x4.splat(bits), a sign mask. */
@inline export function putBits(k: usize, bits: u32): void {
  v128.store(TABLE + (k << 4), i32x4.splat(bits));
}

/** The vector in slot k. */
@inline export function slot(k: usize): v128 {
  return v128.load(TABLE + (k << 4));
}
