/**
 * A map from stream IDs to values kept in ID order: the pending entries lists of consumer groups
 * and consumers (Redis keeps them in radix trees). Sorted chunks of at most CHUNK keys give
 * O(log n) lookup and cheap insertion and removal anywhere, including acknowledging the oldest
 * entry of a long list, which a single sorted array would make O(n).
 */
import type { StreamId } from "./stream-id.js";

const CHUNK = 128;

interface Chunk<V> {
  keys: StreamId[];
  values: V[];
}

/** Where a key is, or would be inserted. */
interface Position {
  chunk: number;
  index: number;
}

export class IdMap<V> {
  private chunks: Chunk<V>[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(key: StreamId): V | undefined {
    const { chunk, index } = this.locate(key);
    const found = this.chunks[chunk];
    return found !== undefined && found.keys[index] === key ? found.values[index] : undefined;
  }

  /** Adds or replaces; true when the key was new. */
  set(key: StreamId, value: V): boolean {
    if (this.chunks.length === 0) {
      this.chunks.push({ keys: [key], values: [value] });
      this.count = 1;
      return true;
    }
    const { chunk, index } = this.locate(key);
    const target = this.chunks[chunk] as Chunk<V>;
    if (target.keys[index] === key) {
      target.values[index] = value;
      return false;
    }
    if (index === target.keys.length) {
      target.keys.push(key);
      target.values.push(value);
    } else {
      target.keys.splice(index, 0, key);
      target.values.splice(index, 0, value);
    }
    this.count++;
    if (target.keys.length > CHUNK) this.split(chunk);
    return true;
  }

  delete(key: StreamId): boolean {
    const { chunk, index } = this.locate(key);
    const target = this.chunks[chunk];
    if (target === undefined || target.keys[index] !== key) return false;
    target.keys.splice(index, 1);
    target.values.splice(index, 1);
    if (target.keys.length === 0) this.chunks.splice(chunk, 1);
    this.count--;
    return true;
  }

  firstKey(): StreamId | undefined {
    return this.chunks[0]?.keys[0];
  }

  lastKey(): StreamId | undefined {
    const last = this.chunks[this.chunks.length - 1];
    return last?.keys[last.keys.length - 1];
  }

  /** Entries with key ≥ `from`, in order, until `visit` returns false. Do not modify while visiting. */
  forEachFrom(from: StreamId, visit: (key: StreamId, value: V) => boolean | undefined): void {
    let { chunk, index } = this.locate(from);
    for (; chunk < this.chunks.length; chunk++, index = 0) {
      const { keys, values } = this.chunks[chunk] as Chunk<V>;
      for (; index < keys.length; index++) {
        if (visit(keys[index] as StreamId, values[index] as V) === false) return;
      }
    }
  }

  /** Up to `limit` keys ≥ `from`, in order. */
  keysFrom(from: StreamId, limit: number): StreamId[] {
    const keys: StreamId[] = [];
    if (limit <= 0) return keys;
    this.forEachFrom(from, (key) => {
      keys.push(key);
      return keys.length < limit;
    });
    return keys;
  }

  /** Copies keys and values (the caller maps values that need deep copies). */
  map<W>(convert: (value: V, key: StreamId) => W): IdMap<W> {
    const copy = new IdMap<W>();
    copy.chunks = this.chunks.map(({ keys, values }) => ({
      keys: keys.slice(),
      values: values.map((value, i) => convert(value, keys[i] as StreamId)),
    }));
    copy.count = this.count;
    return copy;
  }

  /** The chunk that holds `key` or should, and the index of the first key ≥ `key` in it. */
  private locate(key: StreamId): Position {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (((chunks[mid] as Chunk<V>).keys[0] as StreamId) <= key) lo = mid;
      else hi = mid - 1;
    }
    const keys = chunks[lo]?.keys;
    if (keys === undefined) return { chunk: 0, index: 0 };
    const index = lowerBound(keys, key);
    // Past the end of a chunk, the key belongs at the start of the next one (if any).
    if (index === keys.length && lo + 1 < chunks.length) return { chunk: lo + 1, index: 0 };
    return { chunk: lo, index };
  }

  private split(at: number): void {
    const full = this.chunks[at] as Chunk<V>;
    const half = full.keys.length >> 1;
    const upper: Chunk<V> = { keys: full.keys.splice(half), values: full.values.splice(half) };
    this.chunks.splice(at + 1, 0, upper);
  }
}

/** The index of the first element ≥ `key` in sorted `keys`. */
export function lowerBound(keys: readonly StreamId[], key: StreamId): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((keys[mid] as StreamId) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
