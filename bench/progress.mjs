// Progress on stderr, so stdout stays a clean Markdown table: one live, rewritten line on a
// terminal; plain lines (one per finished task) when stderr is a file or a CI log.

/**
 * @typedef {object} Progress
 * @property {(index: number, name: string) => void} start   task `index` (0-based) begins
 * @property {(index: number, name: string, summary: string) => void} done
 * @property {(message: string) => void} note   a line that must stay visible
 * @property {() => void} finish
 */

/**
 * @param {number} total
 * @param {NodeJS.WriteStream} [stream]
 * @returns {Progress}
 */
export function createProgress(total, stream = process.stderr) {
  const started = performance.now();
  const width = String(total).length;
  const counter = (/** @type {number} */ i) => `[${String(i + 1).padStart(width)}/${total}]`;
  const clock = () => `${((performance.now() - started) / 1000).toFixed(0)}s`;

  if (!stream.isTTY) {
    return {
      start: () => {},
      done: (i, name, summary) => stream.write(`${counter(i)} ${name}: ${summary}\n`),
      note: (message) => stream.write(`${message}\n`),
      finish: () => stream.write(`done: ${total} tasks in ${clock()}\n`),
    };
  }

  /** Rewrites the current line, cut to the terminal width so it never wraps. */
  const show = (/** @type {string} */ text) => {
    const columns = stream.columns || 80;
    stream.write(`\r\x1b[2K${text.length >= columns ? `${text.slice(0, columns - 2)}…` : text}`);
  };
  return {
    start: (i, name) => show(`${counter(i)} ${clock()} ${name} …`),
    done: (i, name, summary) => show(`${counter(i)} ${clock()} ${name}: ${summary}`),
    note: (message) => { stream.write(`\r\x1b[2K${message}\n`); },
    finish: () => { stream.write(`\r\x1b[2Kdone: ${total} tasks in ${clock()}\n`); },
  };
}
