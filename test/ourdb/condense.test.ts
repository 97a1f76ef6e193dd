import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { OurDB } from "../../src/ourdb/index.js";
import { copyOf, tempDir, text } from "./helpers.js";

const options = { fileSize: 256, sync: "none" as const };

/** 20 ids with 1–4 versions each, ids 5–12 deleted, spread over several small data files. */
async function populate(dir: string): Promise<Map<number, string[]>> {
  const db = await OurDB.open({ path: dir, ...options });
  const live = new Map<number, string[]>();
  for (let n = 0; n < 20; n++) {
    const id = await db.set({ data: `id-${n} v0` });
    const versions = [`id-${n} v0`];
    for (let v = 1; v <= n % 4; v++) {
      await db.set({ id, data: `id-${n} v${v}` });
      versions.unshift(`id-${n} v${v}`);
    }
    live.set(id, versions);
  }
  for (let id = 5; id <= 12; id++) {
    await db.delete(id);
    live.delete(id);
  }
  await db.close();
  return live;
}

async function expectContents(
  dir: string,
  live: Map<number, string[]>,
  keepHistory = Number.POSITIVE_INFINITY,
  nextId = 21,
) {
  const db = await OurDB.open({ path: dir, ...options });
  expect([...db.ids()]).toEqual([...live.keys()]);
  for (const [id, versions] of live) {
    expect((await db.getHistory(id)).map(text), `id ${id}`).toEqual(versions.slice(0, keepHistory + 1));
  }
  for (let id = 5; id <= 12; id++) await expect(db.get(id)).rejects.toThrow(/record not found/);
  expect(await db.getNextId()).toBe(nextId);
  await db.close();
}

const totalSize = (dir: string) =>
  fs
    .readdirSync(dir)
    .filter((f) => /^\d+\.db$/.test(f))
    .reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0);

describe("OurDB condense", () => {
  it("rewrites the live records with their history and reclaims the rest", async () => {
    const dir = tempDir();
    const live = await populate(dir);
    const before = totalSize(dir);
    const db = await OurDB.open({ path: dir, ...options });
    await db.condense();
    expect(await db.set({ data: "after condense" })).toBe(21);
    await db.delete(21);
    await db.close();
    expect(totalSize(dir)).toBeLessThan(before);
    expect(fs.existsSync(path.join(dir, "condense.tmp"))).toBe(false);
    await expectContents(dir, live, Number.POSITIVE_INFINITY, 22);
  });

  it("keeps at most keepHistory older versions", async () => {
    const dir = tempDir();
    const live = await populate(dir);
    const db = await OurDB.open({ path: dir, ...options });
    await db.condense({ keepHistory: 1 });
    await db.close();
    await expectContents(dir, live, 1);
  });

  it("opens with all data whichever step a crash interrupts", async () => {
    const dir = tempDir();
    const live = await populate(dir);
    const crashPoints = await atEveryCrashPoint(dir, {
      action: (db) => db.condense(),
      steps: [
        [fs, "renameSync"],
        [fs, "rmSync"],
      ],
      check: (crashed) => expectContents(crashed, live),
    });
    expect(crashPoints).toBeGreaterThan(5);
  });

  it("opens with all data whichever step of a checkpoint a crash interrupts", async () => {
    const dir = tempDir();
    const live = await populate(dir);
    const expected = new Map(live);
    expected.set(1, ["id-0 v1", ...(live.get(1) as string[])]);
    const crashPoints = await atEveryCrashPoint(dir, {
      prepare: async (db) => void (await db.set({ id: 1, data: "id-0 v1" })),
      action: (db) => db.close(),
      steps: [
        [fs, "renameSync"],
        [fs.promises, "rm"],
      ],
      check: (crashed) => expectContents(crashed, expected),
    });
    expect(crashPoints).toBeGreaterThan(3);
  });
});

type Spyable = Record<string, unknown>;

/**
 * Runs `action` on a fresh copy of `dir` once per crash point: on the n-th call of any of `steps`
 * the call throws, the folder is copied as a crash would leave it, and `check` opens the copy.
 * Returns how many crash points there were before the action completed.
 */
async function atEveryCrashPoint(
  dir: string,
  run: {
    prepare?: (db: OurDB) => Promise<void>;
    action: (db: OurDB) => Promise<void>;
    steps: [object, string][];
    check: (crashed: string) => Promise<void>;
  },
): Promise<number> {
  for (let crashAt = 1; crashAt < 50; crashAt++) {
    const db = await OurDB.open({ path: copyOf(dir), ...options });
    await run.prepare?.(db);
    let calls = 0;
    const restore = run.steps.map(([target, name]) => {
      const fns = target as Spyable;
      const original = fns[name] as (...args: unknown[]) => unknown;
      fns[name] = (...args: unknown[]) => {
        if (++calls === crashAt) throw new Error(`simulated crash at step ${crashAt}`);
        return original.apply(target, args);
      };
      return () => {
        fns[name] = original;
      };
    });
    let completed = false;
    try {
      await run.action(db);
      completed = true;
    } catch (err) {
      expect((err as Error).message).toBe(`simulated crash at step ${crashAt}`);
    } finally {
      for (const undo of restore) undo();
    }
    await run.check(copyOf(db.options.path));
    await db.close().catch(() => {});
    if (completed) return crashAt - 1;
  }
  throw new Error("the action never completed");
}
