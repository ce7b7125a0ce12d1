#!/usr/bin/env node
// The wasm-optim command line: one entry per command below, each implemented in tools/cli/.
import { existsSync, readFileSync } from 'node:fs';
import { runCheck } from './cli/check.js';

interface Command {
  /** One line for the usage text. */
  summary: string;
  /** Runs the command with its arguments; resolves to the process exit code. */
  run(args: string[]): number | Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  check: {
    summary:
      'replay the bundled PyTorch / TF.js golden trajectories on every available backend\n' +
      '           and print how many cases are reproduced bit for bit (exit 1 if any differ)',
    run(args) {
      if (args.length === 1 && isHelp(args[0])) {
        console.log(CHECK_HELP);
        return 0;
      }
      if (args.length > 0) return usageError(`check: unexpected argument ${JSON.stringify(args[0])}`);
      return runCheck() ? 0 : 1;
    },
  },
  bench: {
    summary:
      "time a step against a plain JS loop and TF.js, and the facade's own costs; writes\n" +
      '           Markdown, JSON and SVG charts (--quick, --smoke, --summary, --algorithm, --sizes,\n' +
      '           --json FILE, --help). Dev tooling: needs bench/ and the dev dependencies tinybench and TF.js',
    async run(args) {
      return (await import('./cli/bench.js')).runBench(args);
    },
  },
  fuzz: {
    summary:
      'differential fuzzing: random histories on every backend against each other, a float64\n' +
      '           oracle, metamorphic laws and invalid input; shrinks each mismatch to a replayable\n' +
      '           case (--seconds S | --cases N, --seed X, --algorithm, --flavor, --jobs, --json,\n' +
      '           --replay case.json). Exit 1 on any mismatch',
    async run(args) {
      if (!hasFuzzer()) return notInPackage('fuzz');
      return (await import('./cli/fuzz.js')).runFuzz(args);
    },
  },
};

const CHECK_HELP = `usage: wasm-optim check

Replays the bundled PyTorch 1.13 and TF.js 4.22 golden trajectories (test/fixtures/golden) on
every backend this engine has (simd, wasm, js) and prints, per golden file, how many cases each
backend reproduces bit for bit. Exit status: 0 when every case matches, 1 otherwise.`;

/** The fuzzer (tools/fuzz/) is development tooling that the published package leaves out. */
function hasFuzzer(): boolean {
  return ['js', 'ts'].some((ext) => existsSync(new URL(`./fuzz/engine.${ext}`, import.meta.url)));
}

function notInPackage(name: string): number {
  console.error(
    `wasm-optim ${name}: not part of the published package (development tooling). It runs in a clone\n` +
      'of the repository: git clone https://github.com/wasm-optim/wasm-optim && cd wasm-optim &&\n' +
      `npm ci && npm run build && node dist-tools/cli.js ${name} --help`,
  );
  return 2;
}

function isHelp(arg: string | undefined): boolean {
  return arg === '--help' || arg === '-h' || arg === 'help';
}

/** This package's version, from its package.json (one level above dist-tools/ and tools/). */
function version(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(8)} ${command.summary}`);
  return (
    'usage: wasm-optim <command> [options]\n       wasm-optim <command> --help\n       wasm-optim --version\n\n' +
    `commands:\n${lines.join('\n')}\n  help     show this message (help <command>: that command's)`
  );
}

function usageError(message: string): number {
  console.error(`wasm-optim: ${message}\n\n${usage()}`);
  return 2;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === '--version' || name === '-v' || name === 'version') {
    console.log(`wasm-optim ${version()}`);
    return 0;
  }
  if (name === 'help' && args[0] !== undefined) {
    const command = COMMANDS[args[0]];
    return command === undefined
      ? usageError(`help: unknown command ${JSON.stringify(args[0])}`)
      : command.run(['--help']);
  }
  if (name === undefined || isHelp(name)) {
    console.log(usage());
    return 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    return usageError(`unknown ${name.startsWith('-') ? 'option' : 'command'} ${JSON.stringify(name)}`);
  }
  return command.run(args);
}

process.exitCode = await main(process.argv.slice(2));
