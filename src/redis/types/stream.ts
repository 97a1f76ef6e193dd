/**
 * The stream type: entries ordered by ID in nodes shaped like Redis's (at most 100 entries or 4 KB
 * of listpack each), found by binary search over the nodes and then inside one, appended at the
 * tail, trimmed whole nodes at a time from the head, deleted as tombstones. Consumer groups live
 * beside the entries (stream-group.ts).
 */
import type { Collection } from "../keyspace/values.js";
import { type ConsumerGroup, ENTRIES_READ_UNKNOWN } from "./stream-group.js";
import { MAX_ID, MIN_ID, type StreamId } from "./stream-id.js";
import { StreamNode } from "./stream-node.js";
import { lowerBound } from "./stream-pel.js";
import { raxNodeCount } from "./stream-rax.js";
import { streamRebuildCommands } from "./stream-rewrite.js";

/** XADD / XTRIM trimming: MAXLEN or MINID, exact or "~" (whole nodes only), with a LIMIT on work. */
export interface TrimOptions {
  maxLen?: number;
  minId?: StreamId;
  approx: boolean;
  /** Most entries to delete; 0 = no limit. */
  limit: number;
}

/** Entries gathered by a range read: ids[i] has the field-value pairs pairs[i]. */
export interface Entries {
  ids: StreamId[];
  pairs: string[][];
}

export class Stream implements Collection {
  readonly type = "stream" as const;
  length = 0;
  /** The greatest ID ever added (or set by XSETID). */
  lastId: StreamId = MIN_ID;
  /** The first live entry's ID, 0-0 when empty (XINFO's recorded-first-entry-id). */
  firstId: StreamId = MIN_ID;
  maxDeletedId: StreamId = MIN_ID;
  entriesAdded = 0n;
  /** Consumer groups by name; created on demand. */
  groups: Map<string, ConsumerGroup> | undefined;
  private nodes: StreamNode[] = [];
  private cachedRaxNodes: number | undefined;

  /** An empty stream stays a key in Redis, so `size` is never used to delete it (streams call db.touch). */
  get size(): number {
    return this.length;
  }

  encoding(): string {
    return "stream";
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  /** XINFO STREAM's radix-tree-nodes. */
  radixTreeNodes(): number {
    this.cachedRaxNodes ??= raxNodeCount(this.nodes.map((node) => node.masterId));
    return this.cachedRaxNodes;
  }

  /** Appends an entry of the field-value pairs in argv[from…]; `id` must be greater than lastId. */
  append(id: StreamId, argv: readonly string[], from = 0): void {
    let payload = 0;
    for (let i = from; i < argv.length; i++) payload += (argv[i] as string).length;
    let tail = this.nodes[this.nodes.length - 1];
    if (tail === undefined || tail.isFullFor(payload)) {
      tail = new StreamNode(id, argv, from);
      this.nodes.push(tail);
      this.cachedRaxNodes = undefined;
    }
    tail.add(id, argv, from);
    this.length++;
    this.entriesAdded++;
    this.lastId = id;
    if (this.length === 1) this.firstId = id;
  }

  /** The pairs of live entry `id`, or undefined. */
  get(id: StreamId): string[] | undefined {
    const node = this.nodes[this.nodeIndexFor(id)];
    if (node === undefined) return undefined;
    const at = node.indexOf(id);
    return at < 0 ? undefined : node.pairsAt(at);
  }

  /** XDEL: deletes the live entries among `ids`; returns how many. */
  deleteIds(ids: readonly StreamId[]): number {
    let deleted = 0;
    let firstDeleted = false;
    for (const id of ids) {
      if (!this.deleteOne(id)) continue;
      deleted++;
      if (id === this.firstId) firstDeleted = true;
      if (id > this.maxDeletedId) this.maxDeletedId = id;
    }
    if (deleted > 0) {
      if (this.length === 0) this.firstId = MIN_ID;
      else if (firstDeleted) this.firstId = this.firstLiveId();
    }
    return deleted;
  }

  private deleteOne(id: StreamId): boolean {
    const index = this.nodeIndexFor(id);
    const node = this.nodes[index];
    if (node === undefined) return false;
    const at = node.indexOf(id);
    if (at < 0 || node.isDeleted(at)) return false;
    if (node.live === 1) {
      this.nodes.splice(index, 1);
      this.cachedRaxNodes = undefined;
    } else node.tombstone(at);
    this.length--;
    return true;
  }

  /** Redis's streamTrim; returns the number of entries deleted. */
  trim(options: TrimOptions): number {
    const { maxLen, minId, approx, limit } = options;
    let deleted = 0;
    let dropNodes = 0;
    for (const node of this.nodes) {
      if (maxLen !== undefined && this.length <= maxLen) break;
      if (limit > 0 && deleted + node.live > limit) break;
      const dropWhole =
        maxLen !== undefined ? this.length - node.live >= maxLen : node.lastId < (minId as StreamId);
      if (dropWhole) {
        dropNodes++;
        this.length -= node.live;
        deleted += node.live;
        continue;
      }
      if (!approx) deleted += this.trimInside(node, options);
      break;
    }
    if (dropNodes > 0) {
      this.nodes.splice(0, dropNodes);
      this.cachedRaxNodes = undefined;
    }
    if (this.length === 0) this.firstId = MIN_ID;
    else if (deleted > 0) this.firstId = this.firstLiveId();
    return deleted;
  }

  /** Tombstones the head entries of `node` that the trim wants gone. */
  private trimInside(node: StreamNode, { maxLen, minId }: TrimOptions): number {
    let deleted = 0;
    for (let i = 0; i < node.ids.length; i++) {
      if (maxLen !== undefined ? this.length <= maxLen : (node.ids[i] as StreamId) >= (minId as StreamId))
        break;
      if (node.tombstone(i)) {
        deleted++;
        this.length--;
      }
    }
    return deleted;
  }

  /** Live entries from `start` to `end` (inclusive), ascending or descending, at most `count` (0: all). */
  range(start: StreamId, end: StreamId, count: number, reverse: boolean): Entries {
    const out: Entries = { ids: [], pairs: [] };
    if (reverse) this.collectBackward(start, end, count, out);
    else this.collectForward(start, end, count, out);
    return out;
  }

  private collectForward(start: StreamId, end: StreamId, count: number, out: Entries): void {
    const first = this.nodeIndexFor(start);
    let taken = 0;
    for (let index = Math.max(first, 0); index < this.nodes.length; index++) {
      const node = this.nodes[index] as StreamNode;
      const ids = node.ids;
      for (let at = index === first ? lowerBound(ids, start) : 0; at < ids.length; at++) {
        const id = ids[at] as StreamId;
        if (id > end) return;
        const fields = node.pairsAt(at);
        if (fields === undefined) continue;
        out.ids.push(id);
        out.pairs.push(fields);
        if (++taken === count) return;
      }
    }
  }

  private collectBackward(start: StreamId, end: StreamId, count: number, out: Entries): void {
    const last = this.nodeIndexFor(end);
    let taken = 0;
    for (let index = last; index >= 0; index--) {
      const node = this.nodes[index] as StreamNode;
      const ids = node.ids;
      for (let at = index === last ? lowerBound(ids, end + 1n) - 1 : ids.length - 1; at >= 0; at--) {
        const id = ids[at] as StreamId;
        if (id < start) return;
        const fields = node.pairsAt(at);
        if (fields === undefined) continue;
        out.ids.push(id);
        out.pairs.push(fields);
        if (++taken === count) return;
      }
    }
  }

  /** The first entry even if deleted (Redis's streamGetEdgeID without skipping tombstones). */
  firstIdWithTombstones(): StreamId {
    return this.nodes[0]?.ids[0] ?? MAX_ID;
  }

  /** The greatest live ID (streamLastValidID), or 0-0 when empty. */
  lastLiveId(): StreamId {
    if (this.length === 0) return MIN_ID;
    return this.range(MIN_ID, MAX_ID, 1, true).ids[0] ?? MIN_ID;
  }

  firstLiveId(): StreamId {
    if (this.length === 0) return MIN_ID;
    return this.range(MIN_ID, MAX_ID, 1, false).ids[0] ?? MIN_ID;
  }

  /** The index of the last node whose first ID is ≤ `id`, or -1. */
  private nodeIndexFor(id: StreamId): number {
    const nodes = this.nodes;
    let lo = 0;
    let hi = nodes.length - 1;
    if (hi < 0 || (nodes[0] as StreamNode).masterId > id) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((nodes[mid] as StreamNode).masterId <= id) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Whether a deleted entry may lie in [start, end] (streamRangeHasTombstones). */
  rangeHasTombstones(start: StreamId, end: StreamId = MAX_ID): boolean {
    if (this.length === 0 || this.maxDeletedId === MIN_ID) return false;
    if (this.firstId > this.maxDeletedId) return false;
    return start <= this.maxDeletedId && this.maxDeletedId <= end;
  }

  /** The logical read counter of `id` (streamEstimateDistanceFromFirstEverEntry), or unknown. */
  estimateEntriesRead(id: StreamId): bigint {
    if (this.entriesAdded === 0n) return 0n;
    if (this.length === 0 && id <= this.lastId) return this.entriesAdded;
    if (id === this.lastId) return this.entriesAdded;
    if (id > this.lastId) return ENTRIES_READ_UNKNOWN;
    if (this.maxDeletedId === MIN_ID || this.maxDeletedId < this.firstId) {
      if (id < this.firstId) return this.entriesAdded - BigInt(this.length);
      if (id === this.firstId) return this.entriesAdded - BigInt(this.length) + 1n;
    }
    return ENTRIES_READ_UNKNOWN;
  }

  /** A group's lag (XINFO GROUPS), or undefined when it cannot be known. */
  lag(group: ConsumerGroup): bigint | undefined {
    if (this.entriesAdded === 0n) return 0n;
    if (group.entriesRead !== ENTRIES_READ_UNKNOWN && !this.rangeHasTombstones(group.lastId)) {
      return this.entriesAdded - group.entriesRead;
    }
    const read = this.estimateEntriesRead(group.lastId);
    return read === ENTRIES_READ_UNKNOWN ? undefined : this.entriesAdded - read;
  }

  toCommands(key: string): string[][] {
    return streamRebuildCommands(this, key);
  }

  clone(): Stream {
    const copy = new Stream();
    copy.length = this.length;
    copy.lastId = this.lastId;
    copy.firstId = this.firstId;
    copy.maxDeletedId = this.maxDeletedId;
    copy.entriesAdded = this.entriesAdded;
    copy.nodes = this.nodes.map((node) => node.clone());
    if (this.groups) copy.groups = new Map([...this.groups].map(([name, group]) => [name, group.clone()]));
    return copy;
  }
}
