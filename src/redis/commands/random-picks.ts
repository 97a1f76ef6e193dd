import { err, notInteger } from "../errors.js";
import { parseInt64 } from "../resp/numbers.js";

const LONG_MAX = 2n ** 63n - 1n;

/**
 * The count of HRANDFIELD / SRANDMEMBER (getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX)); a
 * bigint, since a negative count may ask for up to 2^63 - 1 picks.
 */
export function randomCountArg(text: string): bigint {
  const count = parseInt64(text);
  if (count === undefined) throw notInteger();
  if (count < -LONG_MAX) {
    throw err(`value is out of range, value must between -${LONG_MAX} and ${LONG_MAX}`);
  }
  return count;
}

/** `count` distinct positions of 0..size-1 (count < size), in random order. */
export function randomDistinct(size: number, count: number): number[] {
  // Many of the positions: shuffle the front of all of them. Few: draw until enough are distinct.
  if (count * 3 > size) {
    const positions = Array.from({ length: size }, (_, i) => i);
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(Math.random() * (size - i));
      const picked = positions[j] as number;
      positions[j] = positions[i] as number;
      positions[i] = picked;
    }
    positions.length = count;
    return positions;
  }
  const picked = new Set<number>();
  while (picked.size < count) picked.add(Math.floor(Math.random() * size));
  return [...picked];
}

/** `count` distinct items of `items` (which has `size` of them) chosen at random, in their order. */
export function selectionSample<T>(items: Iterable<T>, size: number, count: number): T[] {
  const out: T[] = [];
  let left = size;
  for (const item of items) {
    if (out.length === count) break;
    if (Math.random() * left < count - out.length) out.push(item);
    left--;
  }
  return out;
}
