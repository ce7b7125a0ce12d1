// Child-process entry of the facade measurements: `node --expose-gc bench/facade-child.mjs
// '{"variant":"adagrad","settings":{…}}'`, forked by run.mjs (see facade.mjs).
import { availableVariants } from './algorithms/index.mjs';
import { measureFacade, send } from './facade.mjs';

try {
  const { variant: id, settings } = JSON.parse(process.argv[2] ?? '{}');
  const variant = availableVariants().variants.find((v) => v.id === id);
  if (variant === undefined) throw new Error(`no variant '${id}' in this build`);
  send({ type: 'result', result: await measureFacade(variant, settings) });
} catch (error) {
  send({ type: 'fatal', message: /** @type {Error} */ (error).message });
  process.exitCode = 1;
}
