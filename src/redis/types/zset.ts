import type { Collection } from "../keyspace/values.js";
import { formatDouble } from "../resp/numbers.js";
import {
  type LexRange,
  lexGteMin,
  lexLteMax,
  lexRangeEmpty,
  type ScoreRange,
  scoreGteMin,
  scoreLteMax,
  scoreRangeEmpty,
} from "./zset-range.js";
import { Skiplist, type ZNode } from "./zset-skiplist.js";

export type { ZNode } from "./zset-skiplist.js";

/** Redis 7.0's zset-max-listpack-entries and zset-max-listpack-value defaults. */
export const ZSET_MAX_LISTPACK_ENTRIES = 128;
export const ZSET_MAX_LISTPACK_VALUE = 64;
/** AOF_REWRITE_ITEMS_PER_CMD. */
const REWRITE_ITEMS_PER_COMMAND = 64;

/**
 * A sorted set: a Map member → score for O(1) lookups and a skiplist for order and ranks, like
 * Redis's skiplist encoding. `compact` tracks when Redis would still hold it as a listpack, which
 * shows in OBJECT ENCODING, in ZSCAN, in lex ranges over unequal scores, and in -0 (a listpack
 * stores it as the integer 0).
 */
export class SortedSet implements Collection {
  readonly type = "zset" as const;
  private readonly scores = new Map<string, number>();
  private readonly list = new Skiplist();

  constructor(private compact = true) {}

  /** The set ZADD creates: a listpack unless its first member is already too long. */
  static forFirstMember(member: string): SortedSet {
    return new SortedSet(member.length <= ZSET_MAX_LISTPACK_VALUE);
  }

  get size(): number {
    return this.scores.size;
  }

  get isCompact(): boolean {
    return this.compact;
  }

  encoding(): string {
    return this.compact ? "listpack" : "skiplist";
  }

  clone(): SortedSet {
    const copy = new SortedSet(this.compact);
    for (let x = this.list.tail; x !== undefined; x = x.backward) copy.insertNew(x.member, x.score);
    return copy;
  }

  /** ZADD commands that rebuild this set, at most 64 members each, scores as %.17g (rioWriteBulkDouble). */
  toCommands(key: string): string[][] {
    const commands: string[][] = [];
    let command: string[] = [];
    for (let x = this.list.first; x !== undefined; x = x.forward) {
      if (command.length === 0) command.push("ZADD", key);
      command.push(formatDouble(x.score), x.member);
      if (command.length === 2 + 2 * REWRITE_ITEMS_PER_COMMAND) {
        commands.push(command);
        command = [];
      }
    }
    if (command.length > 0) commands.push(command);
    return commands;
  }

  score(member: string): number | undefined {
    return this.scores.get(member);
  }

  /** Adds a member that is not in the set, converting to a skiplist when a listpack would grow too big. */
  add(member: string, score: number): void {
    if (this.compact) {
      if (this.scores.size + 1 > ZSET_MAX_LISTPACK_ENTRIES || member.length > ZSET_MAX_LISTPACK_VALUE) {
        this.compact = false;
      } else if (score === 0) score = 0; // turns -0 into 0, as a listpack stores the integer 0
    }
    this.insertNew(member, score);
  }

  /** Changes the score of a member in the set (the caller checked that it differs). */
  setScore(member: string, current: number, score: number): void {
    if (this.compact && score === 0) score = 0;
    this.scores.set(member, score);
    this.list.updateScore(current, member, score);
  }

  remove(member: string): boolean {
    const score = this.scores.get(member);
    if (score === undefined) return false;
    this.scores.delete(member);
    this.list.delete(score, member);
    return true;
  }

  get first(): ZNode | undefined {
    return this.list.first;
  }

  get last(): ZNode | undefined {
    return this.list.tail;
  }

  /** 0-based rank, from the highest score when `reverse`; undefined for a missing member. */
  rank(member: string, reverse = false): number | undefined {
    const score = this.scores.get(member);
    if (score === undefined) return undefined;
    const rank = this.list.rankOf(score, member);
    return reverse ? this.size - rank : rank - 1;
  }

  /** The node at a 0-based rank. */
  at(rank: number): ZNode | undefined {
    return this.list.byRank(rank + 1);
  }

  random(): ZNode {
    return this.list.byRank(1 + Math.floor(Math.random() * this.size)) as ZNode;
  }

  /** Members and scores in Map order (ZSCAN of a skiplist-encoded set). */
  entries(): IterableIterator<[string, number]> {
    return this.scores.entries();
  }

  firstInRange(range: ScoreRange): ZNode | undefined {
    if (!this.overlaps(range)) return undefined;
    const x = this.list.lastWhere((n) => !scoreGteMin(n.score, range)).next[0];
    return x !== undefined && scoreLteMax(x.score, range) ? x : undefined;
  }

  lastInRange(range: ScoreRange): ZNode | undefined {
    if (!this.overlaps(range)) return undefined;
    const x = this.list.lastWhere((n) => scoreLteMax(n.score, range));
    return x !== this.list.header && scoreGteMin(x.score, range) ? x : undefined;
  }

  countInRange(range: ScoreRange): number {
    const first = this.firstInRange(range);
    if (first === undefined) return 0;
    const last = this.lastInRange(range);
    return this.countBetween(first, last);
  }

  /** The first member ≥ min; a listpack is scanned in order, which matters when scores differ. */
  firstInLex(range: LexRange): ZNode | undefined {
    if (!this.overlapsLex(range)) return undefined;
    let x: ZNode | undefined;
    if (this.compact) {
      x = this.list.first;
      while (x !== undefined && !lexGteMin(x.member, range)) x = x.forward;
    } else {
      x = this.list.lastWhere((n) => !lexGteMin(n.member, range)).next[0];
    }
    return x !== undefined && lexLteMax(x.member, range) ? x : undefined;
  }

  lastInLex(range: LexRange): ZNode | undefined {
    if (!this.overlapsLex(range)) return undefined;
    let x: ZNode | undefined;
    if (this.compact) {
      x = this.list.tail;
      while (x !== undefined && !lexLteMax(x.member, range)) x = x.backward;
    } else {
      const found = this.list.lastWhere((n) => lexLteMax(n.member, range));
      x = found === this.list.header ? undefined : found;
    }
    return x !== undefined && lexGteMin(x.member, range) ? x : undefined;
  }

  countInLex(range: LexRange): number {
    const first = this.firstInLex(range);
    if (first === undefined) return 0;
    if (this.compact) {
      let count = 0;
      for (let x: ZNode | undefined = first; x !== undefined && lexLteMax(x.member, range); x = x.forward)
        count++;
      return count;
    }
    return this.countBetween(first, this.lastInLex(range));
  }

  deleteRangeByScore(range: ScoreRange): number {
    return this.list.deleteRun(
      (n) => !scoreGteMin(n.score, range),
      (n) => scoreLteMax(n.score, range),
      (n) => this.scores.delete(n.member),
    );
  }

  deleteRangeByLex(range: LexRange): number {
    if (!this.compact) {
      return this.list.deleteRun(
        (n) => !lexGteMin(n.member, range),
        (n) => lexLteMax(n.member, range),
        (n) => this.scores.delete(n.member),
      );
    }
    let count = 0;
    for (let x = this.firstInLex(range); x !== undefined && lexLteMax(x.member, range); count++) {
      const next = x.forward;
      this.remove(x.member);
      x = next;
    }
    return count;
  }

  /** Deletes 0-based ranks start..end (already clamped to the set). */
  deleteRangeByRank(start: number, end: number): number {
    return this.list.deleteByRank(start + 1, end + 1, (n) => this.scores.delete(n.member));
  }

  /** A new set built by a store command goes back to a listpack when small enough (zsetConvertToListpackIfNeeded). */
  compactIfSmall(): void {
    if (this.compact || this.size > ZSET_MAX_LISTPACK_ENTRIES) return;
    for (const member of this.scores.keys()) if (member.length > ZSET_MAX_LISTPACK_VALUE) return;
    this.compact = true;
    for (let x = this.list.first; x !== undefined; x = x.forward) {
      if (Object.is(x.score, -0)) {
        x.score = 0;
        this.scores.set(x.member, 0);
      }
    }
  }

  /** zslIsInRange: some of the set may be in range. */
  private overlaps(range: ScoreRange): boolean {
    const { first, tail } = this.list;
    if (scoreRangeEmpty(range) || first === undefined || tail === undefined) return false;
    return scoreGteMin(tail.score, range) && scoreLteMax(first.score, range);
  }

  private overlapsLex(range: LexRange): boolean {
    const { first, tail } = this.list;
    if (lexRangeEmpty(range) || first === undefined || tail === undefined) return false;
    return lexGteMin(tail.member, range) && lexLteMax(first.member, range);
  }

  /** zcount's arithmetic on ranks: everything from `first` on, minus what lies after `last`. */
  private countBetween(first: ZNode, last: ZNode | undefined): number {
    const length = this.size;
    let count = length - (this.list.rankOf(first.score, first.member) - 1);
    if (last !== undefined) count -= length - this.list.rankOf(last.score, last.member);
    return count;
  }

  private insertNew(member: string, score: number): void {
    this.scores.set(member, score);
    this.list.insert(score, member);
  }
}
