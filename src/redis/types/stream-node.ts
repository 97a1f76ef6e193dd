/**
 * One node of a stream: what Redis keeps in one listpack under one radix-tree key. Entries stay in
 * ID order; a deleted entry stays as a tombstone until its whole node goes, as in Redis, whose node
 * boundaries this mirrors (see stream-listpack.ts). The strings of all entries share one flat array,
 * and an entry with the same field names as the node's first entry keeps only its values (Redis's
 * SAMEFIELDS): about 80 bytes an entry instead of 150 with an array per entry.
 */
import { msOf, type StreamId, seqOf } from "./stream-id.js";
import {
  integerBytes,
  LISTPACK_EMPTY_BYTES,
  NODE_MAX_BYTES,
  NODE_MAX_ENTRIES,
  stringBytes,
} from "./stream-listpack.js";
import { lowerBound } from "./stream-pel.js";

const DELETED = 1;
const SAME_FIELDS = 2;
/** meta[i] = where entry i's strings start in `items` × FLAG_SPACE + its flags. */
const FLAG_SPACE = 4;

export class StreamNode {
  readonly ids: StreamId[] = [];
  /** The field names of the node's first entry (its "master entry"). */
  private readonly masterFields: string[] = [];
  /** Each entry's strings in turn: its values when it has the master fields, else field, value, … */
  private readonly items: string[] = [];
  private readonly meta: number[] = [];
  /** Entries not deleted. */
  live = 0;
  /** The size of Redis's listpack for this node. */
  bytes: number;

  /** A node whose first entry will be `masterId` with the field-value pairs in argv[from…]. */
  constructor(
    readonly masterId: StreamId,
    argv: readonly string[],
    from = 0,
  ) {
    for (let i = from; i < argv.length; i += 2) this.masterFields.push(argv[i] as string);
    // count, deleted, number of fields, the fields, and a 0 terminator
    let bytes =
      LISTPACK_EMPTY_BYTES + integerBytes(1) + integerBytes(0) + integerBytes(this.masterFields.length);
    for (const field of this.masterFields) bytes += stringBytes(field);
    this.bytes = bytes + integerBytes(0);
  }

  /** Whether Redis would start a new node rather than add an entry of `payload` bytes here. */
  isFullFor(payload: number): boolean {
    return this.bytes + payload >= NODE_MAX_BYTES || this.ids.length >= NODE_MAX_ENTRIES;
  }

  /** Appends an entry from `argv`'s field-value pairs starting at `from`. */
  add(id: StreamId, argv: readonly string[], from: number): void {
    const sameFields = this.hasMasterFields(argv, from);
    this.ids.push(id);
    this.meta.push(this.items.length * FLAG_SPACE + (sameFields ? SAME_FIELDS : 0));
    for (let i = sameFields ? from + 1 : from; i < argv.length; i += sameFields ? 2 : 1) {
      this.items.push(argv[i] as string);
    }
    this.live++;
    this.bytes += this.entryBytes(id, argv.length - from, sameFields);
  }

  get lastId(): StreamId {
    return this.ids[this.ids.length - 1] as StreamId;
  }

  /** The index of `id` among the node's entries (tombstones included), or -1. */
  indexOf(id: StreamId): number {
    const at = lowerBound(this.ids, id);
    return this.ids[at] === id ? at : -1;
  }

  isDeleted(index: number): boolean {
    return ((this.meta[index] as number) & DELETED) !== 0;
  }

  /** Entry `index`'s field-value pairs (a new array), or undefined once deleted. */
  pairsAt(index: number): string[] | undefined {
    const meta = this.meta[index] as number;
    if (meta & DELETED) return undefined;
    const [start, end] = this.span(index);
    if (!(meta & SAME_FIELDS)) return this.items.slice(start, end);
    const pairs: string[] = [];
    for (let i = start; i < end; i++)
      pairs.push(this.masterFields[i - start] as string, this.items[i] as string);
    return pairs;
  }

  /** Marks entry `index` deleted (its strings are let go); false when it already was. */
  tombstone(index: number): boolean {
    const meta = this.meta[index] as number;
    if (meta & DELETED) return false;
    this.meta[index] = meta | DELETED;
    this.items.fill("", ...this.span(index));
    this.live--;
    return true;
  }

  /** Where entry `index`'s strings are in `items`: [start, end). */
  private span(index: number): [number, number] {
    const start = Math.floor((this.meta[index] as number) / FLAG_SPACE);
    const next = this.meta[index + 1];
    return [start, next === undefined ? this.items.length : Math.floor(next / FLAG_SPACE)];
  }

  clone(): StreamNode {
    const copy = new StreamNode(this.masterId, []);
    copy.masterFields.push(...this.masterFields);
    copy.ids.push(...this.ids);
    copy.items.push(...this.items);
    copy.meta.push(...this.meta);
    copy.live = this.live;
    copy.bytes = this.bytes;
    return copy;
  }

  /** flags, ms and seq deltas, [field count, fields,] values, and the element count. */
  private entryBytes(id: StreamId, strings: number, sameFields: boolean): number {
    const fields = strings / 2;
    let bytes =
      integerBytes(sameFields ? SAME_FIELDS : 0) +
      integerBytes(BigInt.asIntN(64, msOf(id) - msOf(this.masterId))) +
      integerBytes(BigInt.asIntN(64, seqOf(id) - seqOf(this.masterId)));
    if (!sameFields) bytes += integerBytes(fields);
    const [start, end] = this.span(this.meta.length - 1);
    for (let i = start; i < end; i++) bytes += stringBytes(this.items[i] as string);
    return bytes + integerBytes(sameFields ? fields + 3 : fields * 2 + 4);
  }

  private hasMasterFields(argv: readonly string[], from: number): boolean {
    const master = this.masterFields;
    if (argv.length - from !== master.length * 2) return false;
    for (let i = 0; i < master.length; i++) if (argv[from + 2 * i] !== master[i]) return false;
    return true;
  }
}
