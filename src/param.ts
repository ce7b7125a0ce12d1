// A parameter tensor as the optimizer holds it: its place in linear memory and its views.
import type { Arena } from './backend/arena.js';

/**
 * Zero-copy access to one parameter: `data` and `grad` are Float32Array views into the
 * optimizer's WebAssembly memory. Write gradients into `grad`, call `optimizer.step()` with no
 * argument, and read the updated values from `data`: nothing is copied.
 *
 * Read `data`/`grad` again after anything that may allocate (`addParamGroup`, setting an
 * option that needs a new state buffer, `loadStateDict`): growing the memory detaches earlier
 * views; these getters always return live ones. After the optimizer's `dispose()` they throw.
 *
 * A handle is frozen: `index`, `length` and the offsets cannot be changed, even at run time.
 */
export class ParamHandle {
  /** Position of this parameter in the optimizer, the key of its state-dict entry. */
  readonly index: number;
  /** Number of float32 elements. */
  readonly length: number;
  /** @internal */ readonly dataOffset: number;
  /** @internal */ readonly gradOffset: number;
  readonly #arena: Arena;
  readonly #owner: string;
  #viewedBuffer: ArrayBuffer | null = null;
  #data: Float32Array = new Float32Array(0);
  #grad: Float32Array = new Float32Array(0);

  /** @internal */
  constructor(owner: string, arena: Arena, index: number, length: number, dataOffset: number, gradOffset: number) {
    this.#owner = owner;
    this.#arena = arena;
    this.index = index;
    this.length = length;
    this.dataOffset = dataOffset;
    this.gradOffset = gradOffset;
    // The offsets go into the kernels' records: a write to them would make a step write
    // elsewhere in the memory. Private fields stay writable under freeze.
    Object.freeze(this);
  }

  /** The parameter's values, a live view into the optimizer's memory. */
  get data(): Float32Array {
    this.#refresh();
    return this.#data;
  }

  /** The gradient the next zero-copy `step()` reads, a live view into the optimizer's memory. */
  get grad(): Float32Array {
    this.#refresh();
    return this.#grad;
  }

  #refresh(): void {
    if (this.#arena.released) {
      throw new Error(
        `${this.#owner}: the optimizer has been disposed; parameter ${this.index}'s data and grad are gone`,
      );
    }
    const buffer = this.#arena.buffer;
    if (buffer === this.#viewedBuffer) return;
    // First use, or the memory grew: the old views are detached, make new ones.
    this.#viewedBuffer = buffer;
    this.#data = new Float32Array(buffer, this.dataOffset, this.length);
    this.#grad = new Float32Array(buffer, this.gradOffset, this.length);
  }
}
