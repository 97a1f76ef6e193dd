import { describe, expect, it } from "vitest";
import { OurDB } from "../../src/ourdb/index.js";
import { tempDir, text } from "./helpers.js";

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe("OurDB block cache", () => {
  it("reads the same as without a cache through sets, updates, deletes, file changes and condense", async () => {
    const common = { fileSize: 200_000, recordSizeMax: 60_000, sync: "none" as const };
    const plain = await OurDB.open({ path: tempDir(), ...common, cacheSize: 0 });
    const cached = await OurDB.open({ path: tempDir(), ...common, cacheSize: 3 * 64 * 1024 });
    const next = random(42);
    const live: number[] = [];
    const both = async <T>(op: (db: OurDB) => Promise<T>) => {
      const [a, b] = await Promise.all([op(plain), op(cached)]);
      expect(b).toEqual(a);
      return a;
    };
    for (let step = 0; step < 3000; step++) {
      const roll = next();
      // Sizes up to 40 KB so that records also straddle 64 KiB blocks.
      const size = next() < 0.1 ? Math.floor(next() * 40_000) : Math.floor(next() * 300);
      const data = `${step}:`.padEnd(size, String.fromCharCode(97 + (step % 26)));
      const pick = () => live[Math.floor(next() * live.length)] as number;
      if (roll < 0.35 || live.length === 0) live.push(await both((db) => db.set({ data })));
      else if (roll < 0.6) {
        const id = pick();
        await both((db) => db.set({ id, data }));
      } else if (roll < 0.67) {
        const id = pick();
        live.splice(live.indexOf(id), 1);
        await both((db) => db.delete(id));
      } else if (roll < 0.995) {
        const id = pick();
        await both(async (db) => (await db.getHistory(id, 3)).map(text));
      } else await both((db) => db.condense({ keepHistory: 2 }));
    }
    for (const id of live) await both(async (db) => (await db.getHistory(id)).map(text));
    expect(cached.stats().files.length).toBeGreaterThan(2);
    await plain.close();
    await cached.close();
  });
});
