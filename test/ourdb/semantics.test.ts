import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { OurDB, type OurDBError } from "../../src/ourdb/index.js";
import { tempDir, text } from "./helpers.js";

const code = (err: unknown) => (err as OurDBError).code;

describe("OurDB semantics", () => {
  it("hands out incremental ids and keeps every version", async () => {
    const db = await OurDB.open({ path: tempDir() });
    expect(await db.getNextId()).toBe(1);
    const id = await db.set({ data: "v1" });
    await db.set({ id, data: "v2" });
    await db.set({ id, data: new Uint8Array([0, 255, 10]) });
    expect([...(await db.get(id))]).toEqual([0, 255, 10]);
    expect((await db.getHistory(id, 2)).length).toBe(2);
    expect((await db.getHistory(id)).slice(1).map(text)).toEqual(["v2", "v1"]);
    expect(await db.getNextId()).toBe(2);
    await db.close();
  });

  it("refuses ids it did not hand out in incremental mode", async () => {
    const db = await OurDB.open({ path: tempDir() });
    await expect(db.set({ id: 5, data: "x" })).rejects.toThrow(
      /cannot set id for insertions when incremental mode/,
    );
    expect(await db.getNextId()).toBe(1);
    await db.close();
  });

  it("requires an id in key-value mode, 0 included, within recordNrMax", async () => {
    const db = await OurDB.open({ path: tempDir(), incrementalMode: false, recordNrMax: 100 });
    await expect(db.set({ data: "x" })).rejects.toThrow(/id must be provided when incremental is disabled/);
    expect(await db.set({ id: 0, data: "zero" })).toBe(0);
    expect(await db.set({ id: 99, data: "last" })).toBe(99);
    await expect(db.set({ id: 100, data: "x" })).rejects.toThrow(/id must be an integer from 0 to 99/);
    await expect(db.getNextId()).rejects.toThrow(/incremental mode is not enabled/);
    expect(text(await db.get(0))).toBe("zero");
    await db.close();
  });

  it("reports missing ids and deletes without handing the id out again", async () => {
    const dir = tempDir();
    const db = await OurDB.open({ path: dir });
    await expect(db.get(1)).rejects.toMatchObject({
      code: "OURDB_ERR_NOT_FOUND",
      message: "record not found: id 1",
    });
    const a = await db.set({ data: "a" });
    const b = await db.set({ data: "b" });
    await db.delete(b);
    await expect(db.get(b)).rejects.toThrow(/record not found/);
    await expect(db.delete(b)).rejects.toThrow(/record not found/);
    await db.close();
    const again = await OurDB.open({ path: dir });
    expect(await again.set({ data: "c" })).toBe(3);
    expect(text(await again.get(a))).toBe("a");
    await again.close();
  });

  it("refuses an oversized payload before writing anything", async () => {
    const dir = tempDir();
    const db = await OurDB.open({ path: dir, recordSizeMax: 100 });
    await db.set({ data: "x".repeat(100) });
    const before = fs.readFileSync(path.join(dir, "0.db"));
    let error: unknown;
    try {
      await db.set({ data: "x".repeat(101) });
    } catch (err) {
      error = err;
    }
    expect(code(error)).toBe("OURDB_ERR_TOO_LARGE");
    expect((error as Error).message).toMatch(/101 bytes exceeds the record size limit of 100 bytes/);
    expect(fs.readFileSync(path.join(dir, "0.db"))).toEqual(before);
    expect(await db.getNextId()).toBe(2);
    await db.close();
    await expect(OurDB.open({ path: tempDir(), recordSizeMax: 65_536 })).rejects.toThrow(
      /recordSizeMax must be an integer from 1 to 65535/,
    );
  });

  it("stores a 65535-byte payload, the u16 limit", async () => {
    const db = await OurDB.open({ path: tempDir(), recordSizeMax: 65_535 });
    const big = Buffer.alloc(65_535, 7);
    const id = await db.set({ data: big });
    expect(Buffer.from(await db.get(id)).equals(big)).toBe(true);
    await db.close();
  });

  it.each([
    { keysize: 2, recordNrMax: 1000, recordSizeMax: 100 },
    { keysize: 3, recordNrMax: 100_000, recordSizeMax: 100 },
    { keysize: 4, recordNrMax: 16_777_216, recordSizeMax: 1 },
    { keysize: 6, recordNrMax: 16_777_215, recordSizeMax: 4096 },
  ])(
    "keeps history across a reopen with keysize $keysize",
    async ({ keysize, recordNrMax, recordSizeMax }) => {
      const dir = tempDir();
      const payload = (n: number) => String(n % 10);
      let db = await OurDB.open({ path: dir, recordNrMax, recordSizeMax });
      expect(db.options.keysize).toBe(keysize);
      const id = await db.set({ data: payload(0) });
      const other = await db.set({ data: "o" });
      for (let n = 1; n < 5; n++) await db.set({ id, data: payload(n) });
      await db.close();
      db = await OurDB.open({ path: dir, recordNrMax, recordSizeMax });
      expect((await db.getHistory(id, 10)).map(text)).toEqual(["4", "3", "2", "1", "0"]);
      expect(text(await db.get(other))).toBe("o");
      await db.close();
    },
  );

  it("continues in the last data file after a reopen and never truncates one", async () => {
    const dir = tempDir();
    let db = await OurDB.open({ path: dir, fileSize: 64 });
    const id = await db.set({ data: "first version".padEnd(40, ".") });
    for (let n = 0; n < 5; n++) await db.set({ id, data: `version ${n}`.padEnd(40, ".") });
    await db.close();
    const files = fs.readdirSync(dir).filter((f) => f.endsWith(".db") && f !== "lookup_dump.db");
    expect(files.length).toBe(3);
    const sizes = Object.fromEntries(files.map((f) => [f, fs.statSync(path.join(dir, f)).size]));
    db = await OurDB.open({ path: dir, fileSize: 64 });
    await db.set({ id, data: "after reopen" });
    for (const [f, size] of Object.entries(sizes)) {
      expect(fs.statSync(path.join(dir, f)).size, f).toBeGreaterThanOrEqual(size);
    }
    expect(fs.existsSync(path.join(dir, `${files.length}.db`))).toBe(true);
    expect((await db.getHistory(id)).map(text)).toEqual([
      "after reopen",
      ...[4, 3, 2, 1, 0].map((n) => `version ${n}`.padEnd(40, ".")),
      "first version".padEnd(40, "."),
    ]);
    await db.close();
  });

  it("refuses writes past what a small keysize can address, keeping what it has", async () => {
    const db = await OurDB.open({ path: tempDir(), recordNrMax: 1000, recordSizeMax: 100 });
    expect(db.options.keysize).toBe(2);
    const ids: number[] = [];
    let error: unknown;
    try {
      for (let n = 0; n < 1000; n++) ids.push(await db.set({ data: "y".repeat(100) }));
    } catch (err) {
      error = err;
    }
    expect(code(error)).toBe("OURDB_ERR_FULL");
    expect(ids.length).toBe(Math.ceil(65_535 / 112));
    expect(text(await db.get(ids.at(-1) as number))).toBe("y".repeat(100));
    await db.close();
  });

  it("serializes concurrent writers and gives each its own id", async () => {
    const db = await OurDB.open({ path: tempDir() });
    const ids = await Promise.all(Array.from({ length: 500 }, (_, n) => db.set({ data: `w${n}` })));
    expect(new Set(ids).size).toBe(500);
    for (let n = 0; n < 500; n++) expect(text(await db.get(ids[n] as number))).toBe(`w${n}`);
    const target = ids[0] as number;
    await Promise.all(Array.from({ length: 50 }, (_, n) => db.set({ id: target, data: `u${n}` })));
    expect((await db.getHistory(target, 51)).map(text)).toEqual([
      ...Array.from({ length: 50 }, (_, n) => `u${49 - n}`),
      "w0",
    ]);
    await db.close();
  });

  it.each([
    { sync: "always", expected: (writes: number) => writes },
    { sync: "batch", expected: () => 1 },
    { sync: "none", expected: () => 0 },
  ] as const)("syncs $sync: fsyncs for 100 concurrent writes", async ({ sync, expected }) => {
    const db = await OurDB.open({ path: tempDir(), sync });
    const fdatasync = fs.fdatasync;
    let syncs = 0;
    fs.fdatasync = ((fd: number, callback: (err: NodeJS.ErrnoException | null) => void) => {
      syncs++;
      fdatasync(fd, callback);
    }) as typeof fs.fdatasync;
    try {
      await Promise.all(Array.from({ length: 100 }, (_, n) => db.set({ data: `w${n}` })));
    } finally {
      fs.fdatasync = fdatasync;
    }
    expect(syncs).toBe(expected(100));
    await db.close();
  });

  it("keeps lookup memory proportional to the ids in use", async () => {
    const before = process.memoryUsage().arrayBuffers;
    const db = await OurDB.open({ path: tempDir(), incrementalMode: false, recordNrMax: 2 ** 32 });
    await db.set({ id: 0, data: "a" });
    await db.set({ id: 4_000_000_000, data: "b" });
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
    expect(text(await db.get(4_000_000_000))).toBe("b");
    await db.close();
  });

  it("holds the folder against a second writer, and lets a reader in", async () => {
    const dir = tempDir();
    const db = await OurDB.open({ path: dir });
    await db.set({ data: "shared" });
    await expect(OurDB.open({ path: dir })).rejects.toMatchObject({ code: "OURDB_ERR_LOCKED" });
    const reader = await OurDB.open({ path: dir, readOnly: true });
    expect(text(await reader.get(1))).toBe("shared");
    await expect(reader.set({ data: "no" })).rejects.toThrow(/read-only/);
    await reader.close();
    await db.close();
    await (await OurDB.open({ path: dir })).close();
  });

  it("takes over the lock of a process that died", async () => {
    const dir = tempDir();
    await (await OurDB.open({ path: dir })).close();
    fs.writeFileSync(path.join(dir, "LOCK"), "999999999");
    const db = await OurDB.open({ path: dir });
    expect(fs.readFileSync(path.join(dir, "LOCK"), "utf8")).toBe(String(process.pid));
    await db.close();
    expect(fs.existsSync(path.join(dir, "LOCK"))).toBe(false);
  });

  it("refuses use after close and removes everything on destroy", async () => {
    const dir = tempDir();
    const db = await OurDB.open({ path: dir });
    await db.set({ data: "x" });
    await db.close();
    await db.close();
    await expect(db.get(1)).rejects.toMatchObject({ code: "OURDB_ERR_CLOSED" });
    const again = await OurDB.open({ path: dir });
    await again.destroy();
    expect(fs.existsSync(dir)).toBe(false);
  });

  it("wipes the folder with reset", async () => {
    const dir = tempDir();
    const db = await OurDB.open({ path: dir });
    await db.set({ data: "old" });
    await db.close();
    const fresh = await OurDB.open({ path: dir, reset: true });
    expect(fresh.size).toBe(0);
    expect(await fresh.getNextId()).toBe(1);
    await fresh.close();
  });
});
