// Progress on stderr, so stdout stays a clean Markdown report: one live, rewritten line on a
// terminal ("[12/64] 41s adagrad 4M TF.js wasm (tfjs) · round 2/3"); plain lines, one per
// finished item, when stderr is a file or a CI log.

/**
 * @typedef {object} Progress
 * @property {(text: string) => void} update   what is running now (live line only)
 * @property {(name: string, summary: string) => void} done  an item finished
 * @property {(message: string) => void} note   a line that must stay visible
 * @property {() => void} finish
 */

/**
 * @param {number} total  items (tasks and facade measurements)
 * @param {NodeJS.WriteStream} [stream]
 * @param {{ lines?: boolean }} [options]  lines: false: nothing per item when stderr is not a
 *   terminal (notes and errors still show)
 * @returns {Progress}
 */
export function createProgress(total, stream = process.stderr, { lines = true } = {}) {
  const started = performance.now();
  const width = String(total).length;
  let finished = 0;
  const counter = () => `[${String(finished).padStart(width)}/${total}]`;
  const clock = () => `${((performance.now() - started) / 1000).toFixed(0)}s`;

  if (!stream.isTTY) {
    return {
      update: () => {},
      done: (name, summary) => {
        finished++;
        if (lines) stream.write(`${counter()} ${clock()} ${name}: ${summary}\n`);
      },
      note: (message) => {
        stream.write(`${message}\n`);
      },
      finish: () => {
        if (lines) stream.write(`done: ${finished} items in ${clock()}\n`);
      },
    };
  }

  /** Rewrites the current line, cut to the terminal width so it never wraps. */
  const show = (/** @type {string} */ text) => {
    const columns = stream.columns || 80;
    stream.write(`\r\x1b[2K${text.length >= columns ? `${text.slice(0, columns - 2)}…` : text}`);
  };
  return {
    update: (text) => show(`${counter()} ${clock()} ${text} …`),
    done: (name, summary) => {
      finished++;
      show(`${counter()} ${clock()} ${name}: ${summary}`);
    },
    note: (message) => {
      stream.write(`\r\x1b[2K${message}\n`);
    },
    finish: () => {
      stream.write(`\r\x1b[2Kdone: ${finished} items in ${clock()}\n`);
    },
  };
}
