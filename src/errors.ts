// Error construction in one place, so every message has the same shape:
// "<Optimizer>: <what> <name>: <value> (<rule>)".

/** A short, unambiguous rendering of a bad value for an error message. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || value === undefined || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) {
    const length = (value as unknown as { length?: number }).length;
    return `a ${value.constructor.name}${length === undefined ? '' : ` of length ${length}`}`;
  }
  if (typeof value === 'function') return 'a function';
  return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
}

export function typeError(owner: string, message: string): TypeError {
  return new TypeError(`${owner}: ${message}`);
}

export function rangeError(owner: string, message: string): RangeError {
  return new RangeError(`${owner}: ${message}`);
}
