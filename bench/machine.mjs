// The machine a result was measured on: without it a ns/element figure means little.
import os from 'node:os';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';

/**
 * Which build of the library was measured: a hash of the embedded kernels and the time the
 * built JS was written. Taken when the run starts, as dist/ may be rebuilt while it runs.
 * @returns {Promise<{ kernelsSha256: string, builtAt: string } | { error: string }>}
 */
export async function distFingerprint() {
  try {
    const file = new URL('../dist/backend/wasm-bytes.generated.js', import.meta.url);
    const bytes = await readFile(file);
    const built = await stat(new URL('../dist/index.js', import.meta.url));
    return {
      kernelsSha256: createHash('sha256').update(bytes).digest('hex').slice(0, 16),
      builtAt: built.mtime.toISOString(),
    };
  } catch (error) {
    return { error: /** @type {Error} */ (error).message };
  }
}

/**
 * @param {Record<string, unknown>} extra  e.g. the library's available backends, TF.js info
 * @returns {Promise<Record<string, unknown>>}
 */
export async function machineInfo(extra) {
  const cpus = os.cpus();
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
  return {
    os: `${os.type()} ${os.release()} (${os.platform()}/${os.arch()})`,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    v8: process.versions.v8,
    flags: [...process.execArgv, ...(process.env.NODE_OPTIONS ? [`NODE_OPTIONS=${process.env.NODE_OPTIONS}`] : [])],
    date: new Date().toISOString(),
    // Other processes competing for the cores make every row noisier and slower.
    loadAverage1m: Math.round(os.loadavg()[0] * 100) / 100,
    package: `${pkg.name}@${pkg.version}`,
    ...extra,
  };
}
