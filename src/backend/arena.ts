// The linear memory an optimizer owns: parameters, gradients, state and the tensor-record
// table, bump-allocated and never freed (an optimizer only ever adds tensors). The memory is
// a WebAssembly.Memory for the Wasm backends and a growable ArrayBuffer for the JS backend.

const PAGE_BYTES = 65536;
/** 16-byte alignment: every tensor starts on an f32x4 boundary. */
const ALIGN = 16;

/** The part of WebAssembly.Memory the arena needs; the JS backend supplies its own. */
export interface LinearMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}

/** A growable ArrayBuffer with WebAssembly.Memory's interface, for the pure-JS backend. */
export class ArrayBufferMemory implements LinearMemory {
  buffer: ArrayBuffer;
  constructor(initialPages: number) {
    this.buffer = new ArrayBuffer(initialPages * PAGE_BYTES);
  }
  grow(deltaPages: number): number {
    const oldPages = this.buffer.byteLength / PAGE_BYTES;
    const next = new ArrayBuffer(this.buffer.byteLength + deltaPages * PAGE_BYTES);
    const old = this.buffer;
    new Uint8Array(next).set(new Uint8Array(old));
    this.buffer = next;
    // Detach the old buffer, as WebAssembly.Memory.grow does, so a stale view fails the same
    // way on every backend (it reads as empty) instead of silently diverging on this one.
    if (typeof structuredClone === 'function') structuredClone(old, { transfer: [old] });
    return oldPages;
  }
}

export class Arena {
  readonly memory: LinearMemory;
  private top: number;
  // Views of the whole memory. `memory.grow` replaces (and for WebAssembly.Memory detaches)
  // the buffer, after which old views read as empty and writes to them vanish silently, so
  // every access goes through refresh(), which rebuilds the views when the buffer changed.
  private viewedBuffer: ArrayBuffer;
  private f32View: Float32Array;
  private u32View: Uint32Array;

  constructor(memory: LinearMemory, base: number) {
    this.memory = memory;
    this.top = alignUp(Math.max(base, ALIGN));
    this.viewedBuffer = memory.buffer;
    this.f32View = new Float32Array(this.viewedBuffer);
    this.u32View = new Uint32Array(this.viewedBuffer);
  }

  /** Reserves `bytes` (16-byte aligned, zero-filled) and returns the byte offset. */
  alloc(bytes: number): number {
    const at = this.top;
    const end = alignUp(at + bytes);
    const size = this.memory.buffer.byteLength;
    if (end > size) {
      this.memory.grow(Math.ceil((end - size) / PAGE_BYTES));
      // The arena is the only grower: rebuild the views here, once per growth.
      this.refresh();
    }
    this.top = end;
    return at;
  }

  /** Bytes reserved so far (the high-water mark). */
  get used(): number {
    return this.top;
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
    const current = this.memory.buffer;
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
