import { OurDBError } from "./errors.js";
import { type Location, readLocation, writeLocation } from "./record.js";

const PAGE_BITS = 12;
const PAGE_SIZE = 1 << PAGE_BITS;

/**
 * id → location of the newest version. Pages of 4096 slots are allocated on first use, so memory
 * grows with the ids in use rather than with recordNrMax (the originals allocated the whole table).
 */
export class Lookup {
  private readonly pages = new Map<number, Float64Array>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(id: number): Location {
    return this.pages.get(Math.floor(id / PAGE_SIZE))?.[id % PAGE_SIZE] ?? 0;
  }

  set(id: number, loc: Location): void {
    const pageNo = Math.floor(id / PAGE_SIZE);
    let page = this.pages.get(pageNo);
    if (!page) {
      if (loc === 0) return;
      page = new Float64Array(PAGE_SIZE);
      this.pages.set(pageNo, page);
    }
    const slot = id % PAGE_SIZE;
    const before = page[slot] as number;
    if (before === 0 && loc !== 0) this.count++;
    else if (before !== 0 && loc === 0) this.count--;
    page[slot] = loc;
  }

  /** The largest live id, or -1. */
  maxId(): number {
    const pageNos = [...this.pages.keys()].sort((a, b) => b - a);
    for (const pageNo of pageNos) {
      const page = this.pages.get(pageNo) as Float64Array;
      for (let slot = PAGE_SIZE - 1; slot >= 0; slot--)
        if (page[slot] !== 0) return pageNo * PAGE_SIZE + slot;
    }
    return -1;
  }

  /** The live entry with the highest location: the last record appended that is still current. */
  newest(): [id: number, loc: Location] | undefined {
    let best: [number, Location] | undefined;
    for (const entry of this.entries()) if (!best || entry[1] > best[1]) best = entry;
    return best;
  }

  /** Live entries in ascending id order. */
  *entries(): Generator<[id: number, loc: Location]> {
    for (const pageNo of [...this.pages.keys()].sort((a, b) => a - b)) {
      const page = this.pages.get(pageNo) as Float64Array;
      for (let slot = 0; slot < PAGE_SIZE; slot++) {
        const loc = page[slot] as number;
        if (loc !== 0) yield [pageNo * PAGE_SIZE + slot, loc];
      }
    }
  }

  /** The persisted sparse form: `[id u32 LE][location: keysize bytes BE]` per live slot, ascending. */
  serialize(keysize: number): Buffer {
    const entrySize = 4 + keysize;
    const out = Buffer.allocUnsafe(this.count * entrySize);
    let offset = 0;
    for (const [id, loc] of this.entries()) {
      out.writeUInt32LE(id, offset);
      writeLocation(out, offset + 4, loc, keysize);
      offset += entrySize;
    }
    return out;
  }

  static deserialize(data: Buffer, keysize: number, recordNrMax: number): Lookup {
    const entrySize = 4 + keysize;
    if (data.length % entrySize !== 0) {
      throw new OurDBError(
        "OURDB_ERR_CORRUPT",
        `lookup_dump.db/data is invalid: ${data.length} bytes is not a multiple of ${entrySize} (keysize ${keysize}); ` +
          "was the database written with other recordNrMax/recordSizeMax settings?",
      );
    }
    const lookup = new Lookup();
    for (let offset = 0; offset < data.length; offset += entrySize) {
      const id = data.readUInt32LE(offset);
      if (id >= recordNrMax) {
        throw new OurDBError(
          "OURDB_ERR_CORRUPT",
          `lookup_dump.db/data is invalid: id ${id} is not below recordNrMax ${recordNrMax}`,
        );
      }
      lookup.set(id, readLocation(data, offset + 4, keysize));
    }
    return lookup;
  }
}
