#!/usr/bin/env node
// The wasm-optim command line. Subcommands live in src/cli/, one file each.
import { runCheck } from './cli/check.js';

const USAGE = `usage: wasm-optim <command>

commands:
  check    replay the bundled PyTorch / TF.js golden trajectories on every available
           backend and print how many cases are reproduced bit for bit (exit 1 if any differ)
  help     show this message`;

function main(argv: string[]): number {
  const [command, ...rest] = argv;
  switch (command) {
    case 'check':
      if (rest.length > 0) {
        console.error(`wasm-optim check: unexpected argument ${JSON.stringify(rest[0])}\n\n${USAGE}`);
        return 2;
      }
      return runCheck() ? 0 : 1;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return 0;
    default:
      console.error(`wasm-optim: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
