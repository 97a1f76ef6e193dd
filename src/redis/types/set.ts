import type { Collection } from "../keyspace/values.js";

/** Redis 7.0's default set-max-intset-entries (7.0 has no listpack sets). */
export const SET_MAX_INTSET_ENTRIES = 512;
/** Members per SADD when the AOF rewrite rebuilds a set (Redis's AOF_REWRITE_ITEMS_PER_CMD). */
const REWRITE_ITEMS_PER_COMMAND = 64;

const INT64_MIN = "-9223372036854775808";
const INT64_MAX = "9223372036854775807";

/** Whether `text` is an integer an intset can hold: string2ll's canonical form, within 64 bits. */
export function isIntsetMember(text: string): boolean {
  const length = text.length;
  if (length === 0 || length > 20) return false;
  const negative = text.charCodeAt(0) === 45; // "-"
  const start = negative ? 1 : 0;
  if (length === start) return false;
  const first = text.charCodeAt(start);
  if (first === 48) return length === 1; // "0" alone; "-0" and leading zeros are not canonical
  for (let i = start; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  const digits = length - start;
  if (digits < 19) return true;
  if (digits > 19) return false;
  return negative ? text <= INT64_MIN : text <= INT64_MAX;
}

/** Orders canonical integer strings by value (an intset's order) without converting them. */
export function compareIntegers(a: string, b: string): number {
  const aNegative = a.charCodeAt(0) === 45;
  const bNegative = b.charCodeAt(0) === 45;
  if (aNegative !== bNegative) return aNegative ? -1 : 1;
  const byMagnitude = a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
  return aNegative ? -byMagnitude : byMagnitude;
}

/**
 * A Redis set, in one of 7.0's two encodings. As an intset (only integers, at most 512) `members` is
 * kept sorted by value, which is the order Redis answers in. As a hashtable `members` is a dense
 * array in no particular order and `index` maps a member to its place there, so adding, removing and
 * picking a random member are all O(1); `index`'s own iteration order (which survives changes) is
 * what SSCAN walks. In the intset encoding `index` is only a membership test (its numbers are unused).
 */
export class SetValue implements Collection {
  readonly type = "set";
  private readonly index = new Map<string, number>();
  private members: string[] = [];
  private intset = true;

  get size(): number {
    return this.members.length;
  }

  encoding(): string {
    return this.intset ? "intset" : "hashtable";
  }

  /** Whether the members come sorted by value (the intset encoding). */
  get isIntset(): boolean {
    return this.intset;
  }

  has(member: string): boolean {
    return this.index.has(member);
  }

  /** Adds `member` (setTypeAdd); true when it was new. */
  add(member: string): boolean {
    if (this.index.has(member)) return false;
    if (this.intset) {
      if (isIntsetMember(member) && this.members.length < SET_MAX_INTSET_ENTRIES) {
        this.members.splice(this.sortedPosition(member), 0, member);
        this.index.set(member, 0);
        return true;
      }
      this.toHashtable();
    }
    this.index.set(member, this.members.length);
    this.members.push(member);
    return true;
  }

  /** Removes `member`; true when it was there. */
  remove(member: string): boolean {
    const slot = this.index.get(member);
    if (slot === undefined) return false;
    this.index.delete(member);
    if (this.intset) {
      this.members.splice(this.sortedPosition(member), 1);
      return true;
    }
    const last = this.members.pop() as string;
    if (slot < this.members.length) {
      this.members[slot] = last;
      this.index.set(last, slot);
    }
    return true;
  }

  /** A uniformly random member (the set must not be empty). */
  random(): string {
    return this.members[Math.floor(Math.random() * this.members.length)] as string;
  }

  /** The member at `position` of the current order (0 ≤ position < size). */
  at(position: number): string {
    return this.members[position] as string;
  }

  /** The members in Redis's iteration order for the intset encoding, any order otherwise. */
  values(): readonly string[] {
    return this.members;
  }

  /** Members in an order that survives changes during an iteration (for SSCAN on a hashtable). */
  scanOrder(): IterableIterator<string> {
    return this.index.keys();
  }

  clone(): SetValue {
    const copy = new SetValue();
    copy.members = this.members.slice();
    for (const [member, slot] of this.index) copy.index.set(member, slot);
    copy.intset = this.intset;
    return copy;
  }

  /** SADD commands that rebuild this set, at most 64 members each. */
  toCommands(key: string): string[][] {
    const commands: string[][] = [];
    for (let i = 0; i < this.members.length; i += REWRITE_ITEMS_PER_COMMAND) {
      commands.push(["SADD", key, ...this.members.slice(i, i + REWRITE_ITEMS_PER_COMMAND)]);
    }
    return commands;
  }

  /** Where `member` is, or would go, in the sorted intset array (binary search). */
  private sortedPosition(member: string): number {
    let low = 0;
    let high = this.members.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareIntegers(this.members[middle] as string, member) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private toHashtable(): void {
    this.intset = false;
    for (let i = 0; i < this.members.length; i++) this.index.set(this.members[i] as string, i);
  }
}
