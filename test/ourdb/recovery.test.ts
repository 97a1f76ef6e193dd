import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { OurDB } from "../../src/ourdb/index.js";
import { copyOf, tempDir, text } from "./helpers.js";

/** Ten records; id 3 has two versions; the last write is `lastValue` for id 11. */
async function populated(dir: string, options: { close: boolean }) {
  const db = await OurDB.open({ path: dir, sync: "always" });
  for (let n = 1; n <= 10; n++) await db.set({ data: `value ${n}` });
  await db.set({ id: 3, data: "value 3 again" });
  const last = await db.set({ data: "the last record" });
  if (options.close) await db.close();
  return { db, last };
}

const expected = new Map<number, string>([
  ...Array.from({ length: 10 }, (_, n) => [n + 1, `value ${n + 1}`] as [number, string]),
  [3, "value 3 again"],
]);

async function expectEarlierRecordsIntact(db: OurDB) {
  for (const [id, value] of expected) expect(text(await db.get(id)), `id ${id}`).toBe(value);
  expect((await db.getHistory(3)).map(text)).toEqual(["value 3 again", "value 3"]);
}

const journalPath = (dir: string) => path.join(dir, "lookup_dump.db", "journal");
const dataPath = (dir: string) => path.join(dir, "0.db");

/** Offset and length of the last entry in a journal (entries are length-prefixed at byte 4). */
function lastJournalEntry(file: string): { start: number; end: number } {
  const buf = fs.readFileSync(file);
  let offset = 16;
  let last = { start: offset, end: offset };
  while (offset + 8 <= buf.length) {
    const length = buf.readUInt32LE(offset + 4);
    if (length === 0) break;
    last = { start: offset, end: offset + 8 + length };
    offset = last.end;
  }
  return last;
}

describe("OurDB crash recovery and corruption", () => {
  it("recovers every acknowledged write after a crash", async () => {
    const dir = tempDir();
    const { db, last } = await populated(dir, { close: false });
    const copy = copyOf(dir);
    await db.close();
    const reopened = await OurDB.open({ path: copy });
    await expectEarlierRecordsIntact(reopened);
    expect(text(await reopened.get(last))).toBe("the last record");
    expect(await reopened.getNextId()).toBe(last + 1);
    await reopened.close();
  });

  it("opens with every earlier record intact when the journal's last entry is torn at any byte", async () => {
    const dir = tempDir();
    const { db, last } = await populated(dir, { close: false });
    const crashed = copyOf(dir);
    await db.close();
    const { start, end } = lastJournalEntry(journalPath(crashed));
    for (let cut = start; cut < end; cut++) {
      const copy = copyOf(crashed);
      fs.truncateSync(journalPath(copy), cut);
      const reopened = await OurDB.open({ path: copy });
      await expectEarlierRecordsIntact(reopened);
      await expect(reopened.get(last)).rejects.toThrow(/record not found/);
      if (cut > start) expect(reopened.stats().warnings.join()).toMatch(/torn entry/);
      await reopened.close();
      fs.rmSync(copy, { recursive: true });
    }
  });

  it("repairs the last data record from the journal when it is torn or damaged at any byte", async () => {
    const dir = tempDir();
    const { db, last } = await populated(dir, { close: false });
    const crashed = copyOf(dir);
    await db.close();
    await forEachDamageToLastRecord(crashed, async (reopened, where) => {
      await expectEarlierRecordsIntact(reopened);
      expect(text(await reopened.get(last)), where).toBe("the last record");
    });
  });

  it("detects a damaged last record of a closed database on open and names the id on read", async () => {
    const dir = tempDir();
    const { last } = await populated(dir, { close: true });
    await forEachDamageToLastRecord(dir, async (reopened, where, damage, byte) => {
      await expectEarlierRecordsIntact(reopened);
      if (damage === "flip" && byte >= 6 && byte < 12) {
        // The CRC covers the payload only: a damaged history link shows when history is walked.
        expect(text(await reopened.get(last)), where).toBe("the last record");
        await expect(reopened.getHistory(last), where).rejects.toThrow(new RegExp(`id ${last}\\)`));
      } else {
        await expect(reopened.get(last), where).rejects.toThrow(
          new RegExp(`data corruption detected \\(id ${last}\\)`),
        );
        expect(reopened.stats().warnings.join(), where).toMatch(new RegExp(`id ${last}`));
      }
      const report = await reopened.verify();
      expect(
        report.damaged.map((d) => d.id),
        where,
      ).toEqual([last]);
    });
  });

  it("reports a CRC mismatch with the id on read", async () => {
    const dir = tempDir();
    await populated(dir, { close: true });
    flipByte(dataPath(dir), 1 + 12 + 2); // inside the payload of id 1
    const db = await OurDB.open({ path: dir });
    await expect(db.get(1)).rejects.toMatchObject({
      code: "OURDB_ERR_CORRUPT",
      message: "CRC mismatch: data corruption detected (id 1)",
    });
    expect(text(await db.get(2))).toBe("value 2");
    await db.close();
  });

  it("rejects a lookup snapshot written with another keysize", async () => {
    const dir = tempDir();
    await populated(dir, { close: true });
    await expect(OurDB.open({ path: dir, recordNrMax: 1000, recordSizeMax: 100 })).rejects.toThrow(
      /lookup_dump.db\/data is invalid: .* not a multiple of 6 \(keysize 2\)/,
    );
  });
});

/**
 * Truncates the last record of 0.db at each of its bytes, and flips each of its bytes, in copies of
 * `dir`; `check` gets each copy opened.
 */
async function forEachDamageToLastRecord(
  dir: string,
  check: (db: OurDB, where: string, damage: "truncate" | "flip", byte: number) => Promise<void>,
): Promise<void> {
  const size = fs.statSync(dataPath(dir)).size;
  const recordStart = size - 12 - "the last record".length;
  for (let offset = recordStart; offset < size; offset++) {
    for (const damage of ["truncate", "flip"] as const) {
      const copy = copyOf(dir);
      if (damage === "truncate") fs.truncateSync(dataPath(copy), offset);
      else flipByte(dataPath(copy), offset);
      const reopened = await OurDB.open({ path: copy });
      await check(
        reopened,
        `${damage} at byte ${offset - recordStart} of the record`,
        damage,
        offset - recordStart,
      );
      await reopened.close();
      fs.rmSync(copy, { recursive: true });
    }
  }
}

function flipByte(file: string, offset: number): void {
  const fd = fs.openSync(file, "r+");
  const byte = Buffer.alloc(1);
  fs.readSync(fd, byte, 0, 1, offset);
  byte[0] = (byte[0] as number) ^ 0xff;
  fs.writeSync(fd, byte, 0, 1, offset);
  fs.closeSync(fd);
}
