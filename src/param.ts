// A parameter tensor as the optimizer holds it: its place in linear memory and its views.
import type { Arena } from './backend/arena.js';
import type { SparseGrad } from './sparse-grad.js';

/** @internal Stages a zero-copy sparse gradient of `n` rows for the next step(). */
export type SparseStager = (n: number) => { readonly indices: Int32Array; readonly values: Float32Array };

/**
 * Zero-copy access to one parameter: `data` and `grad` are Float32Array views into the
 * optimizer's WebAssembly memory. Write gradients into `grad`, call `optimizer.step()` with no
 * argument, and read the updated values from `data`: nothing is copied.
 *
 * Read `data`/`grad` again after anything that may allocate (`addParamGroup`, setting an
 * option that needs a new state buffer, `loadStateDict`): growing the memory detaches earlier
 * views; these getters always return live ones. After the optimizer's `dispose()` they throw.
 *
 * A parameter declared with rows (`{ data, rows }`) also takes a zero-copy row-sparse gradient:
 * `sparseGrad(n)` gives views for n row indices and their values, which the next `step()` reads.
 *
 * A handle is frozen: `index`, `length` and the offsets cannot be changed, even at run time.
 */
export class ParamHandle {
  /** Position of this parameter in the optimizer, the key of its state-dict entry. */
  readonly index: number;
  /** Number of float32 elements. */
  readonly length: number;
  /** Rows the parameter was declared with (`{ data, rows }`); null for a plain parameter. */
  readonly rows: number | null;
  /** Elements per row (length / rows); null for a plain parameter. */
  readonly width: number | null;
  /** @internal */ readonly dataOffset: number;
  /** @internal */ readonly gradOffset: number;
  readonly #arena: Arena;
  readonly #owner: string;
  readonly #stage: SparseStager | null;
  /** Brings the memory's copy of the values up to date before `data` is read (see Optimizer). */
  readonly #beforeRead: (() => void) | null;
  #viewedBuffer: ArrayBuffer | null = null;
  #data: Float32Array = new Float32Array(0);
  #grad: Float32Array = new Float32Array(0);

  /** @internal */
  constructor(
    owner: string,
    arena: Arena,
    index: number,
    length: number,
    dataOffset: number,
    gradOffset: number,
    rows: number,
    stage: SparseStager | null,
    beforeRead: (() => void) | null = null,
  ) {
    this.#owner = owner;
    this.#arena = arena;
    this.#stage = stage;
    this.#beforeRead = beforeRead;
    this.index = index;
    this.length = length;
    this.rows = rows === 0 ? null : rows;
    this.width = rows === 0 ? null : length / rows;
    this.dataOffset = dataOffset;
    this.gradOffset = gradOffset;
    // The offsets go into the kernels' records: a write to them would make a step write
    // elsewhere in the memory. Private fields stay writable under freeze.
    Object.freeze(this);
  }

  /**
   * The parameter's values, a live view into the optimizer's memory. For a parameter you gave
   * as a Float32Array, a drop-in `step(grads)` on a tensor longer than 32,768 elements updates
   * your array only; reading `data` afterwards copies your array into the memory first, so read
   * `data` again after such a step rather than keeping a view across it.
   */
  get data(): Float32Array {
    this.#refresh();
    this.#beforeRead?.();
    return this.#data;
  }

  /** The gradient the next zero-copy `step()` reads, a live view into the optimizer's memory. */
  get grad(): Float32Array {
    this.#refresh();
    return this.#grad;
  }

  /**
   * A zero-copy row-sparse gradient for the next `step()`: `indices` (n row indices) and `values`
   * (their `n × width` values), views into the optimizer's memory. Fill both, then call `step()`;
   * that step uses them instead of `grad` and consumes them (the next step is dense again unless
   * you call this again; calling it again replaces them). Repeated rows are summed as in
   * `step(grads)`.
   *
   * Asking for more rows than before may grow the memory, which detaches views handed out
   * earlier (`data`, `grad`, other tables' views). The returned object's `indices` and `values`
   * are re-made whenever read after such growth, so: ask every table's `sparseGrad` first, then
   * fill through the objects. A step whose staged views were detached before you filled them
   * (writes to a detached view are lost silently) throws, naming the call to repeat.
   * Throws a TypeError for a parameter declared without rows, a RangeError for a bad `n` or when
   * the memory cannot hold the rows.
   */
  sparseGrad(n: number): SparseGrad & {
    /** The n row indices to fill (int32 here). */
    readonly indices: Int32Array;
  } {
    this.#refresh();
    if (this.#stage === null) {
      throw new TypeError(
        `${this.#owner}: params[${this.index}].sparseGrad: parameter ${this.index} was declared without rows; ` +
          'give it as { data, rows } to take row-sparse gradients',
      );
    }
    return this.#stage(n);
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
