/**
 * The engines bench/ourdb.ts compares, each behind the same two small interfaces: a store of records
 * under ids 1, 2, … and a store of (id, version) histories, opened at a given durability.
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import Database from "better-sqlite3";
import { ClassicLevel } from "classic-level";
import { open as openLmdb } from "lmdb";
import { OurDB } from "../../src/ourdb/index.js";
import { GroupCommit } from "../lib/group-commit.js";

export const VALUE_SIZE = 256;
export type Durability = "fsync" | "batch" | "none";
export const ENGINE_NAMES = ["ourdb", "classic-level", "lmdb", "sqlite"] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

export interface MainStore {
  /** Stores a new record under the next id; resolves when acknowledged at the store's durability. */
  insert(value: Uint8Array): Promise<unknown>;
  get(id: number): Uint8Array | undefined | Promise<Uint8Array | undefined>;
  close(): Promise<void>;
}

export interface HistoryStore {
  /** Loads version `version` (1, 2, …) of `id`; ids are loaded 1, 2, … for version 1, then each later version. */
  put(id: number, version: number, value: Uint8Array): Promise<unknown>;
  /** Reads every version of `id`, newest first; returns how many. */
  walk(id: number): number | Promise<number>;
  close(): Promise<void>;
}

export interface Engine {
  name: EngineName;
  version: string;
  openMain(dir: string, durability: Durability): Promise<MainStore>;
  openHistory(dir: string): Promise<HistoryStore>;
}

const require = createRequire(import.meta.url);
function packageVersion(name: string): string {
  let dir = path.dirname(require.resolve(name));
  while (dir !== path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === name) return pkg.version ?? "?";
    }
    dir = path.dirname(dir);
  }
  return "?";
}

const ourdbEngine: Engine = {
  name: "ourdb",
  version: "src/ourdb",
  async openMain(dir, durability) {
    const db = await OurDB.open({
      path: dir,
      incrementalMode: true,
      recordNrMax: 4_000_000,
      recordSizeMax: VALUE_SIZE,
      sync: durability === "fsync" ? "always" : durability,
    });
    return {
      insert: (value) => db.set({ data: value }),
      get: (id) => db.get(id),
      close: () => db.close(),
    };
  },
  async openHistory(dir) {
    const db = await OurDB.open({
      path: dir,
      incrementalMode: true,
      recordNrMax: 4_000_000,
      recordSizeMax: VALUE_SIZE,
      sync: "none",
    });
    return {
      async put(id, version, value) {
        if (version === 1) {
          const got = await db.set({ data: value });
          if (got !== id) throw new Error(`ourdb gave id ${got}, expected ${id}`);
        } else await db.set({ id, data: value });
      },
      walk: async (id) => (await db.getHistory(id)).length,
      close: () => db.close(),
    };
  },
};

/** 4-byte big-endian id keys (main) and 8-byte (id, version) keys (history), so that byte order is key order. */
const key4 = (id: number) => {
  const k = Buffer.allocUnsafe(4);
  k.writeUInt32BE(id, 0);
  return k;
};
const key8 = (id: number, version: number) => {
  const k = Buffer.allocUnsafe(8);
  k.writeUInt32BE(id, 0);
  k.writeUInt32BE(version, 4);
  return k;
};

const levelEngine: Engine = {
  name: "classic-level",
  version: packageVersion("classic-level"),
  async openMain(dir, durability) {
    const db = new ClassicLevel<Buffer, Buffer>(dir, { keyEncoding: "buffer", valueEncoding: "buffer" });
    await db.open();
    let nextId = 1;
    for await (const k of db.keys({ reverse: true, limit: 1 })) nextId = k.readUInt32BE(0) + 1;
    // "batch": the writes queued while the previous group commits go in one db.batch(…, { sync: true }).
    const group = new GroupCommit<{ key: Buffer; value: Uint8Array }>((items) =>
      db.batch(
        items.map(({ key, value }) => ({ type: "put" as const, key, value: value as Buffer })),
        { sync: true },
      ),
    );
    return {
      insert(value) {
        const key = key4(nextId++);
        if (durability === "batch") return group.add({ key, value });
        return db.put(key, value as Buffer, { sync: durability === "fsync" });
      },
      get: (id) => db.getSync(key4(id)),
      close: () => db.close(),
    };
  },
  async openHistory(dir) {
    const db = new ClassicLevel<Buffer, Buffer>(dir, { keyEncoding: "buffer", valueEncoding: "buffer" });
    await db.open();
    return {
      put: (id, version, value) => db.put(key8(id, version), value as Buffer),
      async walk(id) {
        const versions = await db.values({ gte: key8(id, 0), lt: key8(id + 1, 0), reverse: true }).all();
        return versions.length;
      },
      close: () => db.close(),
    };
  },
};

const lmdbEngine: Engine = {
  name: "lmdb",
  version: packageVersion("lmdb"),
  async openMain(dir, durability) {
    // overlappingSync off: a put's promise then resolves after the commit *and* its sync (with it on, the
    // promise resolves at commit and the sync is only awaited through db.flushed).
    const db = openLmdb<Buffer, number>({
      path: dir,
      keyEncoding: "uint32",
      encoding: "binary",
      noSync: durability === "none",
      overlappingSync: false,
    });
    let nextId = 1;
    for (const k of db.getKeys({ reverse: true, limit: 1 })) nextId = k + 1;
    return {
      insert: (value) => db.put(nextId++, value as Buffer),
      get: (id) => db.get(id),
      close: () => db.close(),
    };
  },
  async openHistory(dir) {
    const db = openLmdb<Buffer, [number, number]>({
      path: dir,
      encoding: "binary",
      noSync: true,
      overlappingSync: false,
    });
    return {
      put: (id, version, value) => db.put([id, version], value as Buffer),
      walk(id) {
        let n = 0;
        for (const { value } of db.getRange({ start: [id, 0xffffffff], end: [id, 0], reverse: true })) {
          if (value.length !== VALUE_SIZE) throw new Error("lmdb: bad value");
          n++;
        }
        return n;
      },
      close: () => db.close(),
    };
  },
};

const sqliteEngine: Engine = {
  name: "sqlite",
  version: packageVersion("better-sqlite3"),
  async openMain(dir, durability) {
    fs.mkdirSync(dir, { recursive: true });
    const db = new Database(path.join(dir, "db.sqlite"));
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${durability === "none" ? "OFF" : "FULL"}`);
    db.exec("CREATE TABLE IF NOT EXISTS kv (id INTEGER PRIMARY KEY, data BLOB NOT NULL)");
    const insert = db.prepare("INSERT INTO kv (data) VALUES (?)");
    const select = db.prepare("SELECT data FROM kv WHERE id = ?").pluck();
    // "batch": the writes queued by concurrent writers are committed in one transaction per group.
    const group = new GroupCommit<Uint8Array>(
      db.transaction((items: Uint8Array[]) => {
        for (const value of items) insert.run(value);
      }),
    );
    return {
      insert(value) {
        if (durability === "batch") return group.add(value);
        return Promise.resolve(insert.run(value).lastInsertRowid);
      },
      get: (id) => select.get(id) as Buffer | undefined,
      async close() {
        db.close();
      },
    };
  },
  async openHistory(dir) {
    fs.mkdirSync(dir, { recursive: true });
    const db = new Database(path.join(dir, "history.sqlite"));
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = OFF");
    db.exec(
      "CREATE TABLE hist (id INTEGER, version INTEGER, data BLOB NOT NULL, PRIMARY KEY (id, version)) WITHOUT ROWID",
    );
    const insert = db.prepare("INSERT INTO hist (id, version, data) VALUES (?, ?, ?)");
    const walk = db.prepare("SELECT data FROM hist WHERE id = ? ORDER BY version DESC").pluck();
    return {
      put: async (id, version, value) => insert.run(id, version, value),
      walk: (id) => walk.all(id).length,
      async close() {
        db.close();
      },
    };
  },
};

export const ENGINES: Record<EngineName, Engine> = {
  ourdb: ourdbEngine,
  "classic-level": levelEngine,
  lmdb: lmdbEngine,
  sqlite: sqliteEngine,
};
