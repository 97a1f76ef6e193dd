import type { Collection } from "../keyspace/values.js";

/**
 * Redis 7.0's built-in defaults for hash-max-listpack-entries and hash-max-listpack-value (a server
 * started without a config file; the sample redis.conf lowers the first to 128).
 */
export const HASH_MAX_LISTPACK_ENTRIES = 512;
export const HASH_MAX_LISTPACK_VALUE = 64;
/** Fields per HSET when the AOF rewrite rebuilds a hash (Redis's AOF_REWRITE_ITEMS_PER_CMD). */
const REWRITE_ITEMS_PER_COMMAND = 64;

/**
 * A Redis hash. Fields and values live in two dense arrays (so a random field is O(1), for
 * HRANDFIELD) and `slots` maps a field to its place there. The Map's iteration order is insertion
 * order, which is also what a listpack-encoded hash answers in: an updated field keeps its place, a
 * deleted and re-added one goes to the end. A delete moves the last field into the freed slot, and
 * re-setting that field's slot number in the Map does not move it in the iteration order.
 */
export class HashValue implements Collection {
  readonly type = "hash";
  private readonly slots = new Map<string, number>();
  private readonly fieldAt: string[] = [];
  private readonly valueAt: string[] = [];
  /** Still within the listpack limits; once outgrown Redis never converts back. */
  compact = true;

  get size(): number {
    return this.slots.size;
  }

  encoding(): string {
    return this.compact ? "listpack" : "hashtable";
  }

  get(field: string): string | undefined {
    const slot = this.slots.get(field);
    return slot === undefined ? undefined : this.valueAt[slot];
  }

  has(field: string): boolean {
    return this.slots.has(field);
  }

  /** Sets `field` (hashTypeSet); true when the field is new. */
  set(field: string, value: string): boolean {
    if (this.compact && (field.length > HASH_MAX_LISTPACK_VALUE || value.length > HASH_MAX_LISTPACK_VALUE)) {
      this.compact = false;
    }
    const slot = this.slots.get(field);
    if (slot !== undefined) {
      this.valueAt[slot] = value;
      return false;
    }
    this.slots.set(field, this.fieldAt.length);
    this.fieldAt.push(field);
    this.valueAt.push(value);
    if (this.slots.size > HASH_MAX_LISTPACK_ENTRIES) this.compact = false;
    return true;
  }

  /** Removes `field`; true when it was there. */
  delete(field: string): boolean {
    const slot = this.slots.get(field);
    if (slot === undefined) return false;
    this.slots.delete(field);
    const last = this.fieldAt.length - 1;
    if (slot !== last) {
      const moved = this.fieldAt[last] as string;
      this.fieldAt[slot] = moved;
      this.valueAt[slot] = this.valueAt[last] as string;
      this.slots.set(moved, slot);
    }
    this.fieldAt.pop();
    this.valueAt.pop();
    return true;
  }

  /** Fields in the hash's order (insertion order, as a listpack keeps them). */
  fields(): IterableIterator<string> {
    return this.slots.keys();
  }

  /** Slot numbers (for fieldAtSlot/valueAtSlot) in the hash's order. */
  orderedSlots(): IterableIterator<number> {
    return this.slots.values();
  }

  /** Calls `visit` for every field and value, in the hash's order. */
  forEach(visit: (field: string, value: string) => void): void {
    for (const [field, slot] of this.slots) visit(field, this.valueAt[slot] as string);
  }

  /** A uniformly random slot, for fieldAtSlot/valueAtSlot (the hash must not be empty). */
  randomSlot(): number {
    return Math.floor(Math.random() * this.fieldAt.length);
  }

  fieldAtSlot(slot: number): string {
    return this.fieldAt[slot] as string;
  }

  valueAtSlot(slot: number): string {
    return this.valueAt[slot] as string;
  }

  clone(): HashValue {
    const copy = new HashValue();
    this.forEach((field, value) => {
      copy.set(field, value);
    });
    copy.compact = this.compact;
    return copy;
  }

  /** HSET commands that rebuild this hash, at most 64 fields each. */
  toCommands(key: string): string[][] {
    const commands: string[][] = [];
    let current: string[] = [];
    this.forEach((field, value) => {
      if (current.length === 0) current.push("HSET", key);
      current.push(field, value);
      if (current.length === 2 + 2 * REWRITE_ITEMS_PER_COMMAND) {
        commands.push(current);
        current = [];
      }
    });
    if (current.length > 0) commands.push(current);
    return commands;
  }
}
