import type { Collection } from "../keyspace/values.js";

/** Smallest ring; most lists are short, so this keeps them light. */
const MIN_CAPACITY = 4;
/** Redis's AOF_REWRITE_ITEMS_PER_CMD. */
const REWRITE_ITEMS_PER_COMMAND = 64;

/**
 * A Redis list: a growable ring buffer of latin1 strings. Push and pop at both ends are O(1)
 * amortized, access by index is O(1), and an insert or delete in the middle moves the elements of
 * the shorter side only.
 */
export class ListValue implements Collection {
  readonly type = "list";
  private items: (string | undefined)[];
  private head = 0;
  private length = 0;
  private mask: number;

  constructor(capacity = MIN_CAPACITY) {
    let size = MIN_CAPACITY;
    while (size < capacity) size *= 2;
    this.items = new Array<string | undefined>(size).fill(undefined);
    this.mask = size - 1;
  }

  get size(): number {
    return this.length;
  }

  /** Redis 7.0 stores every list as a quicklist (the listpack encoding for small lists came in 7.2). */
  encoding(): string {
    return "quicklist";
  }

  clone(): ListValue {
    const copy = new ListValue(this.length);
    for (let i = 0; i < this.length; i++) copy.pushBack(this.at(i) as string);
    return copy;
  }

  /** RPUSH commands that rebuild this list for the AOF rewrite, at most 64 elements each, as Redis's. */
  toCommands(key: string): string[][] {
    const commands: string[][] = [];
    for (let first = 0; first < this.length; first += REWRITE_ITEMS_PER_COMMAND) {
      const command = ["RPUSH", key];
      const end = Math.min(first + REWRITE_ITEMS_PER_COMMAND, this.length);
      for (let i = first; i < end; i++) command.push(this.at(i) as string);
      commands.push(command);
    }
    return commands;
  }

  /** The element at `index` (0 = head); undefined outside 0..size-1. */
  at(index: number): string | undefined {
    if (index < 0 || index >= this.length) return undefined;
    return this.items[(this.head + index) & this.mask];
  }

  /** Replaces the element at `index`, which must be within 0..size-1. */
  setAt(index: number, value: string): void {
    this.items[(this.head + index) & this.mask] = value;
  }

  pushBack(value: string): void {
    if (this.length === this.items.length) this.resize(this.items.length * 2);
    this.items[(this.head + this.length) & this.mask] = value;
    this.length++;
  }

  pushFront(value: string): void {
    if (this.length === this.items.length) this.resize(this.items.length * 2);
    this.head = (this.head - 1) & this.mask;
    this.items[this.head] = value;
    this.length++;
  }

  popFront(): string | undefined {
    if (this.length === 0) return undefined;
    const value = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.length--;
    this.shrinkIfSparse();
    return value;
  }

  popBack(): string | undefined {
    if (this.length === 0) return undefined;
    const slot = (this.head + this.length - 1) & this.mask;
    const value = this.items[slot];
    this.items[slot] = undefined;
    this.length--;
    this.shrinkIfSparse();
    return value;
  }

  /** Inserts `value` so that it ends up at `index` (0..size), moving the shorter side by one. */
  insertAt(index: number, value: string): void {
    if (this.length === this.items.length) this.resize(this.items.length * 2);
    const items = this.items;
    const mask = this.mask;
    if (index < this.length / 2) {
      this.head = (this.head - 1) & mask;
      for (let i = 0; i < index; i++) items[(this.head + i) & mask] = items[(this.head + i + 1) & mask];
    } else {
      for (let i = this.length; i > index; i--)
        items[(this.head + i) & mask] = items[(this.head + i - 1) & mask];
    }
    items[(this.head + index) & mask] = value;
    this.length++;
  }

  /** The index of the first element equal to `value`, or -1. */
  indexOf(value: string): number {
    for (let i = 0; i < this.length; i++) if (this.items[(this.head + i) & this.mask] === value) return i;
    return -1;
  }

  /**
   * Removes elements equal to `value` (LREM): the first `count` from the head when count > 0, the
   * last -count from the tail when count < 0, all when 0. Returns how many went.
   */
  removeMatching(value: string, count: number): number {
    const limit = count === 0 ? Number.POSITIVE_INFINITY : Math.abs(count);
    const fromTail = count < 0;
    const kept: string[] = [];
    let removed = 0;
    for (let n = 0; n < this.length; n++) {
      const element = this.at(fromTail ? this.length - 1 - n : n) as string;
      if (element === value && removed < limit) removed++;
      else kept.push(element);
    }
    if (removed > 0) this.replaceWith(kept, fromTail);
    return removed;
  }

  /** Drops `fromHead` elements at the head and `fromTail` at the tail (LTRIM). */
  trim(fromHead: number, fromTail: number): void {
    if (fromHead + fromTail >= this.length) {
      this.replaceWith([], false);
      return;
    }
    for (let i = 0; i < fromHead; i++) this.items[(this.head + i) & this.mask] = undefined;
    this.head = (this.head + fromHead) & this.mask;
    this.length -= fromHead;
    for (let i = 1; i <= fromTail; i++) this.items[(this.head + this.length - i) & this.mask] = undefined;
    this.length -= fromTail;
    this.shrinkIfSparse();
  }

  /** Replaces the content with `elements` (in reverse when `reversed`). */
  private replaceWith(elements: string[], reversed: boolean): void {
    let capacity = MIN_CAPACITY;
    while (capacity < elements.length) capacity *= 2;
    this.items = new Array<string | undefined>(capacity).fill(undefined);
    this.mask = capacity - 1;
    this.head = 0;
    this.length = elements.length;
    for (let i = 0; i < elements.length; i++) {
      this.items[i] = elements[reversed ? elements.length - 1 - i : i];
    }
  }

  /** Gives memory back after pops or a trim: a ring less than a quarter full is halved (repeatedly). */
  private shrinkIfSparse(): void {
    let capacity = this.items.length;
    while (capacity > 64 && this.length < capacity / 4) capacity /= 2;
    if (capacity < this.items.length) this.resize(capacity);
  }

  private resize(capacity: number): void {
    const next = new Array<string | undefined>(capacity).fill(undefined);
    for (let i = 0; i < this.length; i++) next[i] = this.items[(this.head + i) & this.mask];
    this.items = next;
    this.head = 0;
    this.mask = capacity - 1;
  }
}
