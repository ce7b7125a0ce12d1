// Command-line options of `npm run bench -- …` (and `npx wasm-optim bench …`), parsed and
// validated before anything runs. Algorithm names are checked later, against the variants
// the built library has (algorithms/index.mjs).
import { parseArgs } from 'node:util';

/** K = 1024, M = 1024²: the sizes straddle cache sizes, so binary multiples. */
export const SIZE_LABELS = ['1K', '16K', '256K', '4M', '16M'];

export const USAGE =
  'Usage: npm run bench -- [--quick | --smoke | --summary] [--algorithm adagrad,rmsprop] [--sizes 1K,…,16M]\n' +
  `                       [--only table | facade | sparse] [--json FILE] [--out DIR]
       npx wasm-optim bench [the same options]

  --quick        3 interleaved rounds of shorter tasks, sizes 1K–4M: about 2 minutes on
                 2 cores (rounds get shorter as algorithms are added)
  --smoke        1 round, sizes 16K and 256K, drop-in/raw-kernel comparison at 256K only,
                 sparse steps on a 16K × 64 table: about 30–40 seconds
  --summary      the short summary npm start prints after wasm-optim check: Adagrad, RMSprop,
                 Adam and SGD at 64K and 1M against plain JS and TF.js, one plain-text table,
                 no report sections, no targets: about 30 seconds
  --algorithm    comma-separated configurations or library algorithm names (default: every
                 configuration whose algorithm the built library has)
  --sizes        comma-separated element counts; K = 1024, M = 1048576
                 (default: ${SIZE_LABELS.join(',')}; --quick: 1K,16K,256K,4M; --smoke: 16K,256K;
                 --summary: 64K,1M)
  --only WHAT    'table' (implementations at each size), 'facade' (facade costs) or 'sparse'
                 (row-sparse steps on embedding tables: Adagrad, SparseAdam) only
  --json FILE    also write the JSON results to FILE
  --out DIR      where to write the report (default: bench/results/ for a full run of
                 everything, bench/results/<quick|smoke|custom>/ otherwise)
  --help         show this help`;

/**
 * @typedef {object} Args
 * @property {'full' | 'quick' | 'smoke' | 'summary'} preset
 * @property {string[] | null} algorithms  null: all
 * @property {{ label: string, n: number }[] | null} sizes  null: the preset's
 * @property {'table' | 'facade' | 'sparse' | null} only
 * @property {string | undefined} json
 * @property {string | undefined} out
 * @property {boolean} help
 */

/**
 * "256K" → 262144.
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
 * @param {string[]} labels
 * @returns {{ label: string, n: number }[]} sorted, without duplicates
 */
export function parseSizes(labels) {
  const sizes = labels.map(parseSize).sort((a, b) => a.n - b.n);
  return sizes.filter((s, i) => i === 0 || s.n !== sizes[i - 1].n);
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
      smoke: { type: 'boolean', default: false },
      summary: { type: 'boolean', default: false },
      algorithm: { type: 'string' },
      sizes: { type: 'string' },
      only: { type: 'string' },
      json: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  const presets = ['quick', 'smoke', 'summary'].filter((p) => values[/** @type {'quick'} */ (p)]);
  if (presets.length > 1) throw new Error(`${presets.map((p) => `--${p}`).join(' and ')} exclude each other`);
  const algorithms =
    values.algorithm === undefined
      ? null
      : [
          ...new Set(
            values.algorithm
              .split(',')
              .map((a) => a.trim().toLowerCase())
              .filter((a) => a !== ''),
          ),
        ];
  if (algorithms !== null && algorithms.length === 0) throw new Error('--algorithm lists no algorithm');
  const sizes = values.sizes === undefined ? null : parseSizes(values.sizes.split(',').filter((s) => s.trim() !== ''));
  if (sizes !== null && sizes.length === 0) throw new Error('--sizes lists no size');
  const only = values.only ?? null;
  if (only !== null && only !== 'table' && only !== 'facade' && only !== 'sparse')
    throw new Error(`--only must be 'table', 'facade' or 'sparse', got '${only}'`);
  if (values.summary && only !== null) throw new Error('--summary measures the step times only: no --only with it');
  return {
    preset: values.summary ? 'summary' : values.smoke ? 'smoke' : values.quick ? 'quick' : 'full',
    algorithms,
    sizes,
    only,
    json: values.json,
    out: values.out,
    help: values.help ?? false,
  };
}
