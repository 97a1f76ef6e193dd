import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { keysizeFor, OurDB } from "../../src/ourdb/index.js";
import { hex, tempDir, text } from "./helpers.js";

describe("OurDB file format", () => {
  it("writes the spec's worked example byte for byte", async () => {
    const dir = tempDir();
    const db = await OurDB.open({ path: dir });
    expect(db.options.keysize).toBe(6);
    expect(await db.set({ data: "Hello" })).toBe(1);
    expect(await db.set({ id: 1, data: "World" })).toBe(1);
    expect(await db.set({ data: "X" })).toBe(2);
    await db.delete(2);
    await db.close();
    const expected = hex(`
      00
      05 00 82 89 d1 f7 00 00 00 00 00 00 48 65 6c 6c 6f
      05 00 47 3e b6 fb 00 00 00 00 00 01 57 6f 72 6c 64
      ${"00 ".repeat(13)}`);
    expect(fs.readFileSync(path.join(dir, "0.db"))).toEqual(expected);
    // The persisted lookup: one live slot (id 1 → file 0, position 18) and the next id.
    expect(fs.readFileSync(path.join(dir, "lookup_dump.db", "data"))).toEqual(hex("01000000 0000 00000012"));
    expect(fs.readFileSync(path.join(dir, "lookup_dump.db", ".inc"), "utf8")).toBe("3");
  });

  it("opens a folder written by hand in the designed format", async () => {
    const dir = tempDir();
    // keysize 2 (recordNrMax 1000, recordSizeMax 100): id 7 has two versions, id 9 one.
    const one = hex("03 00 f1 86 6c 7a 00 00 00 00 00 00 6f 6e 65");
    const two = hex("03 00 66 8a ca 11 00 00 00 00 00 01 74 77 6f");
    const nine = hex("04 00 7d 7c 1d 7b 00 00 00 00 00 00 6e 69 6e 65");
    fs.writeFileSync(path.join(dir, "0.db"), Buffer.concat([hex("00"), one, two, nine]));
    fs.mkdirSync(path.join(dir, "lookup_dump.db"));
    fs.writeFileSync(path.join(dir, "lookup_dump.db", "data"), hex("07000000 0010  09000000 001f"));
    fs.writeFileSync(path.join(dir, "lookup_dump.db", ".inc"), "10");
    const db = await OurDB.open({ path: dir, recordNrMax: 1000, recordSizeMax: 100 });
    expect(db.options.keysize).toBe(2);
    expect(text(await db.get(7))).toBe("two");
    expect((await db.getHistory(7, 5)).map(text)).toEqual(["two", "one"]);
    expect(text(await db.get(9))).toBe("nine");
    expect(await db.getNextId()).toBe(10);
    expect(await db.set({ data: "ten" })).toBe(10);
    await db.close();
    // It kept appending to the same file.
    expect(fs.statSync(path.join(dir, "0.db")).size).toBe(1 + 15 + 15 + 16 + 15);
  });

  it("chooses the keysize like the originals, u32 wrap included", () => {
    expect(keysizeFor(16_777_215, 4096)).toBe(6); // the defaults: the product wraps and still gives 6
    expect(keysizeFor(1000, 100)).toBe(2);
    expect(keysizeFor(65_536, 100)).toBe(3);
    expect(keysizeFor(16_777_216, 1)).toBe(4);
    expect(keysizeFor(1_048_576, 4096)).toBe(3); // 2^20 × 2^12 wraps to 0 in u32
    expect(keysizeFor(1_048_576, 4095)).toBe(6);
  });
});
