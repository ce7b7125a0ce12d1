// wasm-optim/tfjs against tf.train.* on tfjs-backend-cpu (the suite is in ./shared.ts).
import { beforeAll } from 'vitest';
import { defineSuite, useBackend } from './shared.js';

beforeAll(async () => {
  await useBackend('cpu');
});

defineSuite('cpu');
