// The linear memory an optimizer owns: parameters, gradients, state and the tensor-record
// table, bump-allocated and never freed (an optimizer only ever adds tensors). The memory is
// a WebAssembly.Memory for the Wasm backends and a growable ArrayBuffer for the JS backend.

const PAGE_BYTES = 65536;
/** 16-byte alignment: every tensor starts on an f32x4 boundary. */
const ALIGN = 16;
/**
 * The most a memory may hold: 65536 pages, 4 GiB, wasm32's address space. The JS backend keeps
 * the same limit so that every backend accepts and refuses the same optimizers.
 */
export const MAX_MEMORY_BYTES = 65536 * PAGE_BYTES;

/**
 * The memory cannot hold what was asked: past MAX_MEMORY_BYTES (`reason` 'limit'), or the engine
 * refused to grow it ('engine': out of memory or address space). Nothing was changed.
 */
export class ArenaFullError extends RangeError {
  constructor(
    /** Bytes asked for. */
    readonly requested: number,
    /** Bytes in use before the request. */
    readonly used: number,
    readonly reason: 'limit' | 'engine',
    cause?: unknown,
  ) {
    super(
      reason === 'limit'
        ? `${requested} bytes more would take the memory to ${used + requested} bytes, ` +
            `past the limit of ${MAX_MEMORY_BYTES}`
        : `the engine could not grow the memory to that (${cause instanceof Error ? cause.message : String(cause)})`,
    );
    this.name = 'RangeError';
  }
}

/** The bytes an allocation of `bytes` takes in the arena (rounded up to the alignment). */
export function allocationSize(bytes: number): number {
  return alignUp(bytes);
}

/** The part of WebAssembly.Memory the arena needs; the JS backend supplies its own. */
interface LinearMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}

/**
 * A growable ArrayBuffer with WebAssembly.Memory's interface, for the pure-JS backend. Growing
 * copies the contents into a larger buffer (the optimizer grows it once per request, so a
 * gigabyte copy happens only when a request needs it) and then detaches the old buffer, as
 * WebAssembly.Memory.grow does, so a stale view fails the same way on every backend (it reads as
 * empty) instead of silently diverging on this one.
 *
 * Not a resizable ArrayBuffer, which would grow in place: with them in use, Node 20's V8 (11.3)
 * was seen by the fuzzer to let optimized code read a stale length from views of a grown
 * WebAssembly memory (views the engine had detached), a hazard for any code that tests views for
 * detachment.
 */
export class ArrayBufferMemory implements LinearMemory {
  buffer: ArrayBuffer;
  constructor(initialPages: number) {
    this.buffer = new ArrayBuffer(initialPages * PAGE_BYTES);
  }
  grow(deltaPages: number): number {
    const old = this.buffer;
    const oldPages = old.byteLength / PAGE_BYTES;
    if (oldPages + deltaPages > MAX_MEMORY_BYTES / PAGE_BYTES) {
      throw new RangeError(
        `ArrayBufferMemory.grow(): ${oldPages + deltaPages} pages exceed ` +
          `the maximum of ${MAX_MEMORY_BYTES / PAGE_BYTES}`,
      );
    }
    const next = new ArrayBuffer(old.byteLength + deltaPages * PAGE_BYTES);
    new Uint8Array(next).set(new Uint8Array(old));
    this.buffer = next;
    if (typeof structuredClone === 'function') structuredClone(old, { transfer: [old] });
    return oldPages;
  }
}

export class Arena {
  #memory: LinearMemory | null;
  private top: number;
  // Views of the whole memory. `memory.grow` replaces (and for WebAssembly.Memory detaches)
  // the buffer, after which old views read as empty and writes to them vanish silently, so
  // every access goes through refresh(), which rebuilds the views when the buffer changed.
  private viewedBuffer: ArrayBuffer;
  private f32View: Float32Array;
  private u32View: Uint32Array;

  constructor(memory: LinearMemory, base: number) {
    this.#memory = memory;
    this.top = alignUp(Math.max(base, ALIGN));
    this.viewedBuffer = memory.buffer;
    this.f32View = new Float32Array(this.viewedBuffer);
    this.u32View = new Uint32Array(this.viewedBuffer);
  }

  /** The memory; throws once released. */
  get memory(): LinearMemory {
    if (this.#memory === null) throw new Error('the memory has been released');
    return this.#memory;
  }

  /** Whether release() has been called. */
  get released(): boolean {
    return this.#memory === null;
  }

  /**
   * Makes room for allocations totalling `bytes` (each counted with allocationSize), growing
   * the memory at most once, so that a caller can check everything, reserve, and only then
   * change its own bookkeeping: the allocations that follow cannot fail. Throws ArenaFullError
   * and changes nothing when the memory cannot hold it.
   */
  reserve(bytes: number): void {
    const memory = this.memory;
    const end = this.top + bytes;
    if (end > MAX_MEMORY_BYTES) throw new ArenaFullError(bytes, this.top, 'limit');
    const size = memory.buffer.byteLength;
    if (end <= size) return;
    try {
      memory.grow(Math.ceil((end - size) / PAGE_BYTES));
    } catch (error) {
      throw new ArenaFullError(bytes, this.top, 'engine', error);
    }
    // The arena is the only grower: rebuild the views here, once per growth.
    this.refresh();
  }

  /**
   * Reserves `bytes` (16-byte aligned, zero-filled) and returns the byte offset. Throws
   * ArenaFullError, changing nothing, if the memory cannot hold them.
   */
  alloc(bytes: number): number {
    const size = alignUp(bytes);
    this.reserve(size);
    const at = this.top;
    this.top = at + size;
    return at;
  }

  /** Bytes reserved so far (the high-water mark). */
  get used(): number {
    return this.top;
  }

  /**
   * Drops the memory: views become empty and every later allocation throws. The engine frees
   * the memory once nothing else refers to it.
   */
  release(): void {
    this.#memory = null;
    this.viewedBuffer = new ArrayBuffer(0);
    this.f32View = new Float32Array(0);
    this.u32View = new Uint32Array(0);
  }

  // A grow detaches the old buffer and a detached view has length 0: testing that is one field
  // load, where the WebAssembly.Memory#buffer getter is a call into the runtime (~14 ns) that
  // every step() would pay several times.
  get buffer(): ArrayBuffer {
    if (this.f32View.length === 0) this.refresh();
    return this.viewedBuffer;
  }

  get f32(): Float32Array {
    if (this.f32View.length === 0) this.refresh();
    return this.f32View;
  }

  get u32(): Uint32Array {
    if (this.f32View.length === 0) this.refresh();
    return this.u32View;
  }

  private refresh(): void {
    if (this.#memory === null) return;
    const current = this.#memory.buffer;
    if (current === this.viewedBuffer) return;
    this.viewedBuffer = current;
    this.f32View = new Float32Array(current);
    this.u32View = new Uint32Array(current);
  }
}

function alignUp(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

export { PAGE_BYTES };
