// A fuzzing worker thread for `wasm-optim fuzz --jobs N`: runs the cases of its stride and
// reports its totals and failures to the parent.
import { parentPort, workerData } from 'node:worker_threads';
import { fuzzLoop, type LoopOptions } from './engine.js';

export type WorkerMessage =
  | { type: 'progress'; totals: ReturnType<typeof fuzzLoop> }
  | { type: 'failure'; failure: Parameters<NonNullable<LoopOptions['onFailure']>>[0] }
  | { type: 'done'; totals: ReturnType<typeof fuzzLoop> }
  | { type: 'error'; message: string };

const port = parentPort;
if (port !== null) {
  const options = workerData as Omit<LoopOptions, 'onProgress' | 'onFailure'>;
  try {
    const totals = fuzzLoop({
      ...options,
      onProgress: (t) => port.postMessage({ type: 'progress', totals: t } satisfies WorkerMessage),
      onFailure: (failure) => port.postMessage({ type: 'failure', failure } satisfies WorkerMessage),
    });
    port.postMessage({ type: 'done', totals } satisfies WorkerMessage);
  } catch (error) {
    port.postMessage({ type: 'error', message: (error as Error).stack ?? String(error) } satisfies WorkerMessage);
  }
}
