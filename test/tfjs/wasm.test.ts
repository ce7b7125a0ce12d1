// wasm-optim/tfjs against tf.train.* on tfjs-backend-wasm (single-threaded in Node): both the
// gradients and tf.train.*'s optimizer arithmetic run in TF.js's WebAssembly build.
import { beforeAll } from 'vitest';
import { defineSuite, useBackend } from './shared.js';

beforeAll(async () => {
  await useBackend('wasm');
});

defineSuite('wasm');
