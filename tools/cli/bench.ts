// `wasm-optim bench [options]`: runs the benchmark suite (bench/run.mjs) in a child Node process
// with --expose-gc, passing the options through. The suite is development tooling: it needs
// tinybench (and TF.js for the TF.js rows), which are devDependencies, never dependencies. It
// checks for them itself and exits 2 with instructions when they are missing; this command
// does the same when bench/ itself is missing. Loaded by tools/cli.ts only when the command runs.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

/** dist-tools/cli/bench.js → bench/run.mjs at the package root. */
export function benchRunner(): string {
  return fileURLToPath(new URL('../../bench/run.mjs', import.meta.url));
}

const MISSING_SUITE = [
  'wasm-optim bench: the benchmark suite (bench/) is not part of this installation.',
  'It lives in the wasm-optim repository: clone it, then `npm install` and `npm run bench -- --quick`',
  '(which builds the library first when it is not built yet).',
].join('\n');

/** Runs the suite; resolves to its exit code (2 when it cannot run here). */
export function runBench(args: readonly string[], runner: string = benchRunner()): Promise<number> {
  if (!existsSync(runner)) {
    console.error(MISSING_SUITE);
    return Promise.resolve(2);
  }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', runner, ...args], { stdio: 'inherit' });
    child.on('error', (error) => {
      console.error(`wasm-optim bench: could not start ${runner}: ${error.message}`);
      resolve(2);
    });
    child.on('exit', (code, signal) => {
      // Killed by a signal (e.g. Ctrl-C): the shell convention 128 + signal number.
      resolve(code ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0)));
    });
  });
}
