// `npm run bench -- [--quick | --smoke] [--algorithm adagrad,rmsprop] [--sizes 1K,…,16M]
//                   [--only table|facade] [--json out.json] [--out DIR]`
// (also `npx wasm-optim bench …`, which runs this file with --expose-gc).
//
// Measures one optimizer step of wasm-optim (simd, wasm and js backends), the hand-written JS
// loop and TF.js (cpu and wasm backends) at each size, then the facade's own costs, prints a
// Markdown report and writes it with JSON and SVG charts. Imports the built package: run
// `npm run build` first. This file only checks that everything needed is there; main.mjs runs.
import { parseCommandLine, USAGE } from './args.mjs';

/**
 * @param {string} specifier
 * @returns {Promise<string | null>} why it cannot be imported, or null
 */
async function missing(specifier) {
  try {
    await import(specifier);
    return null;
  } catch (error) {
    return /** @type {Error} */ (error).message.split('\n')[0];
  }
}

async function preflight() {
  // The library, and the seeded generator data.mjs takes from the built tools.
  for (const built of ['../dist/index.js', '../dist-tools/fuzz/random.js']) {
    const dist = await missing(built);
    if (dist !== null) {
      return (
        `wasm-optim bench: the built library is missing (${dist}).\n` +
        'Run `npm run build` first (`npm run bench` does when the build is missing).'
      );
    }
  }
  const tinybench = await missing('tinybench');
  if (tinybench !== null) {
    return [
      `wasm-optim bench: tinybench is not installed (${tinybench}).`,
      'The benchmark is development tooling; its dependencies are devDependencies of wasm-optim.',
      '  In a clone of the repository:      npm install',
      '  In a project using wasm-optim:     npm install --no-save tinybench@6',
      '    and, for the TF.js rows:         npm install --no-save' +
        ' @tensorflow/tfjs-core@4.22 @tensorflow/tfjs-backend-cpu@4.22 @tensorflow/tfjs-backend-wasm@4.22',
    ].join('\n');
  }
  return null;
}

async function entry() {
  let args;
  try {
    args = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`wasm-optim bench: ${/** @type {Error} */ (error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const problem = await preflight();
  if (problem !== null) {
    process.stderr.write(`${problem}\n`);
    return 2;
  }
  const { main } = await import('./main.mjs');
  return main(args);
}

process.exitCode = await entry();
