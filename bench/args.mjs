// Command-line options of `npm run bench -- …`, parsed and validated before anything runs.
import { parseArgs } from 'node:util';

export const ALGORITHMS = /** @type {const} */ (['adagrad', 'rmsprop']);
const ALL_SIZES = ['1K', '16K', '256K', '4M', '16M'];
const QUICK_SIZES = ['1K', '16K', '256K', '4M'];

export const USAGE = `Usage: npm run bench -- [--quick] [--algorithm adagrad,rmsprop] [--sizes 1K,16K,256K,4M,16M] [--json out.json]

  --quick        shorter time per task and no 16M size (about 2 minutes on 2 cores)
  --algorithm    comma-separated list of ${ALGORITHMS.join(', ')} (default: all)
  --sizes        comma-separated element counts; K = 1024, M = 1048576 (default: ${ALL_SIZES.join(',')})
  --json FILE    also write the JSON results to FILE
  --help         show this help`;

/**
 * @typedef {object} Args
 * @property {boolean} quick
 * @property {string[]} algorithms
 * @property {{ label: string, n: number }[]} sizes
 * @property {string | undefined} json
 * @property {boolean} help
 */

/**
 * "256K" → 262144. Binary multiples, because the sizes are meant to straddle cache sizes.
 * @param {string} text
 * @returns {{ label: string, n: number }}
 */
export function parseSize(text) {
  const match = /^(\d+)([KkMm]?)$/.exec(text.trim());
  if (match === null) throw new Error(`invalid size '${text}' (expected e.g. 1K, 256K, 4M or 1000)`);
  const unit = match[2].toUpperCase();
  const n = Number(match[1]) * (unit === 'K' ? 1024 : unit === 'M' ? 1024 * 1024 : 1);
  if (!Number.isSafeInteger(n) || n < 1 || n > 64 * 1024 * 1024) {
    throw new Error(`size '${text}' out of range (1 to 64M elements)`);
  }
  return { label: `${match[1]}${unit}`, n };
}

/**
 * @param {string[]} argv process.argv.slice(2)
 * @returns {Args}
 */
export function parseCommandLine(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      algorithm: { type: 'string' },
      sizes: { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  const algorithms = values.algorithm === undefined
    ? [...ALGORITHMS]
    : values.algorithm.split(',').map((a) => a.trim().toLowerCase()).filter((a) => a !== '');
  for (const a of algorithms) {
    if (!ALGORITHMS.includes(/** @type {any} */ (a))) {
      throw new Error(`unknown algorithm '${a}' (expected ${ALGORITHMS.join(', ')})`);
    }
  }
  if (algorithms.length === 0) throw new Error('--algorithm lists no algorithm');
  const sizeLabels = values.sizes === undefined
    ? (values.quick ? QUICK_SIZES : ALL_SIZES)
    : values.sizes.split(',').filter((s) => s.trim() !== '');
  const sizes = sizeLabels.map(parseSize).sort((a, b) => a.n - b.n);
  if (sizes.length === 0) throw new Error('--sizes lists no size');
  return {
    quick: values.quick ?? false,
    algorithms: [...new Set(algorithms)],
    sizes: sizes.filter((s, i) => i === 0 || s.n !== sizes[i - 1].n),
    json: values.json,
    help: values.help ?? false,
  };
}
