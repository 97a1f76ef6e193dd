import { err } from "../errors.js";

const MAX_CURSORS = 4096;

/**
 * SCAN-family cursors over Map/Set iteration. A cursor number names a live iterator, so a scan
 * continues where it stopped in O(COUNT) and keeps Redis's guarantee: every element present for the
 * whole scan is returned (Map iterators survive inserts and deletes). An unknown cursor (evicted or
 * invented) restarts from the beginning: at worst a client sees elements twice, never misses one.
 */
export class ScanCursors {
  private readonly live = new Map<string, Iterator<unknown>>();
  private counter = 0;

  /** Up to `count` items from where `cursor` stopped; the next cursor is "0" at the end. */
  next<T>(cursor: string, source: () => Iterator<T>, count: number): { cursor: string; items: T[] } {
    if (!/^\d+$/.test(cursor) || BigInt(cursor) >= 2n ** 64n) throw err("invalid cursor");
    let iterator = cursor === "0" ? undefined : (this.live.get(cursor) as Iterator<T> | undefined);
    this.live.delete(cursor);
    iterator ??= source();
    const items: T[] = [];
    while (items.length < count) {
      const step = iterator.next();
      if (step.done) return { cursor: "0", items };
      items.push(step.value);
    }
    const next = String(++this.counter);
    this.live.set(next, iterator);
    if (this.live.size > MAX_CURSORS) this.live.delete(this.live.keys().next().value as string);
    return { cursor: next, items };
  }
}
