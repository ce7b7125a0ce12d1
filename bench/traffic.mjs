// Bytes of memory traffic per element, per algorithm: the one table GB/s is computed from.
//
// It counts the algorithm's own minimal traffic (each array read or written once, float32),
// not what a given implementation happens to move: TF.js allocates intermediate tensors and
// the 'tfjs' RMSprop flavor keeps a momentum slot even at momentum 0. Using the same bytes
// for every row keeps GB/s a rescaled ns/element, so it compares implementations fairly and
// shows how far each is from the machine's memory bandwidth.

/**
 * @typedef {object} Traffic
 * @property {readonly string[]} reads  arrays read per element
 * @property {readonly string[]} writes arrays written per element
 * @property {number} bytes             4 × (reads + writes)
 * @property {string} variant           the configuration the count applies to
 */

/** @param {string[]} reads @param {string[]} writes @param {string} variant @returns {Traffic} */
function traffic(reads, writes, variant) {
  return Object.freeze({ reads, writes, bytes: 4 * (reads.length + writes.length), variant });
}

/** @type {Readonly<Record<string, Traffic>>} */
export const TRAFFIC = Object.freeze({
  adagrad: traffic(['param', 'grad', 'sum'], ['param', 'sum'], 'default options'),
  rmsprop: traffic(['param', 'grad', 'square_avg'], ['param', 'square_avg'], 'non-centered, no momentum'),
});
