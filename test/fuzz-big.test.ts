// Full-size memory cases past 2 GiB (tools/fuzz/big.ts): the large tensor's parameter, gradient
// and state take just past 2 GiB, small tensors lie beyond 2^31 bytes. Off in `npm test` (about
// 3 GiB per backend and tens of seconds per case where page faults are slow); run them with
//   WASM_OPTIM_FUZZ_BIG=1 npx vitest run test/fuzz-big.test.ts
// (or WASM_OPTIM_FUZZ_BIG=adagrad:torch,rmsprop:tfjs for other algorithms and flavors). The
// scaled-down cases in fuzz-regressions.test.ts run the same machinery in every `npm test`.
import { totalmem } from 'node:os';
import { expect, it } from 'vitest';
import { availableBackends } from '../src/index.js';
import { bigMemoryFits, buildBigCase } from '../tools/fuzz/big.js';
import { Random } from '../tools/fuzz/random.js';
import { runCase } from '../tools/fuzz/runner.js';
import type { Flavor } from '../src/spec.js';

const asked = process.env['WASM_OPTIM_FUZZ_BIG'] ?? '';
const list = asked === '1' ? 'adam:torch,sgd:tfjs' : asked;
const pairs = list
  .split(',')
  .filter((s) => s.length > 0)
  .map((s) => s.split(':') as [string, Flavor]);
const fits = bigMemoryFits(availableBackends().length, totalmem());

// A skipped placeholder when off, so that the file is never empty.
it.skipIf(pairs.length === 0 || !fits).each(pairs.length > 0 ? pairs : [['adam', 'torch'] as [string, Flavor]])(
  '%s/%s past 2 GiB: small tensors in full, the large one sampled, every backend and the oracle',
  (algorithm, flavor) => {
    const c = buildBigCase(new Random(2024, algorithm.length), algorithm, flavor);
    const result = runCase(c);
    const m = result.mismatches[0];
    expect(m, m ? `${m.kind} (${m.check}) after op ${m.op}: ${m.where}: ${m.message}` : '').toBeUndefined();
    expect(result.bigMemory).toBe(1);
    expect(result.oracle!.compared).toBeGreaterThan(0);
  },
  600_000,
);
