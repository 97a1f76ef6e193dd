import { wrongType } from "../errors.js";
import type { Database } from "../keyspace/database.js";
import { SetValue } from "../types/set.js";
import { SortedSet } from "../types/zset.js";

/** What ZUNION, ZINTER and ZDIFF read (zsetopsrc): sorted sets, and sets whose members all score 1. */
export class Source {
  weight = 1;

  constructor(readonly value: SortedSet | SetValue | undefined) {}

  get size(): number {
    return this.value?.size ?? 0;
  }

  /** The member's score here, undefined when absent (zuiFind). */
  find(member: string): number | undefined {
    const value = this.value;
    if (value === undefined) return undefined;
    if (value instanceof SortedSet) return value.score(member);
    return value.has(member) ? 1 : undefined;
  }

  /** Every member with its score (zuiNext). */
  forEach(visit: (member: string, score: number) => void): void {
    const value = this.value;
    if (value === undefined) return;
    if (value instanceof SortedSet) {
      for (let node = value.first; node !== undefined; node = node.forward) visit(node.member, node.score);
    } else {
      for (const member of value.values()) visit(member, 1);
    }
  }
}

/** lookupKeyRead of each key: a missing key is an empty source, a key of another type WRONGTYPE. */
export function readSources(db: Database, keys: readonly string[]): Source[] {
  const sources: Source[] = [];
  for (const key of keys) {
    const value = db.get(key);
    if (value === undefined || value instanceof SortedSet || value instanceof SetValue) {
      sources.push(new Source(value));
    } else throw wrongType();
  }
  return sources;
}
