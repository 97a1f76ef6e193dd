import { err } from "../errors.js";

const ULONG_MAX = 2n ** 64n - 1n;

/**
 * A SCAN-family cursor as Redis's parseScanCursorOrReply reads it (strtoul): an optional sign, decimal
 * digits (none at all is cursor 0), no leading space, within 64 bits; a negative one wraps around.
 * Returned in plain decimal.
 */
export function scanCursorArg(text: string): string {
  const match = /^([+-]?)(\d*)$/.exec(text);
  if (!match || (match[1] !== "" && match[2] === "")) throw err("invalid cursor");
  const magnitude = BigInt(match[2] || "0");
  if (magnitude > ULONG_MAX) throw err("invalid cursor");
  const value = match[1] === "-" && magnitude !== 0n ? ULONG_MAX + 1n - magnitude : magnitude;
  return value.toString();
}

const MAX_CURSORS = 4096;

/**
 * SCAN-family cursors over Map/Set iteration. A cursor number names a live iterator, so a scan
 * continues where it stopped in O(COUNT) and keeps Redis's guarantee: every element present for the
 * whole scan is returned (Map iterators survive inserts and deletes). An unknown cursor (evicted or
 * invented) restarts from the beginning: at worst a client sees elements twice, never misses one.
 */
export class ScanCursors {
  private readonly live = new Map<string, { owner: object; iterator: Iterator<unknown> }>();
  private counter = 0;

  /**
   * Up to `count` items of `owner` (the keyspace or the collection scanned) from where `cursor`
   * stopped; the next cursor is "0" at the end. A cursor of another owner restarts.
   */
  next<T>(
    cursorText: string,
    owner: object,
    source: () => Iterator<T>,
    count: number,
  ): { cursor: string; items: T[] } {
    const cursor = scanCursorArg(cursorText);
    const saved = cursor === "0" ? undefined : this.live.get(cursor);
    this.live.delete(cursor);
    const iterator = saved?.owner === owner ? (saved.iterator as Iterator<T>) : source();
    const items: T[] = [];
    while (items.length < count) {
      const step = iterator.next();
      if (step.done) return { cursor: "0", items };
      items.push(step.value);
    }
    const next = String(++this.counter);
    this.live.set(next, { owner, iterator });
    if (this.live.size > MAX_CURSORS) this.live.delete(this.live.keys().next().value as string);
    return { cursor: next, items };
  }
}
