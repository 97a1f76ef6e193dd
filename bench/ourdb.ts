/**
 * OurDB against lmdb, classic-level (LevelDB) and better-sqlite3 (WAL) at the same durability.
 *
 *   npx tsx bench/ourdb.ts [--records 100000] [--reps 5] [--engines ourdb,classic-level,lmdb,sqlite]
 *                          [--rows set1,set100,get,history] [--quick] [--json out.json]
 *
 * Rows (each engine in its own fresh folder under os.tmpdir(), removed at the end):
 *  - sets/s with one writer and with 100 concurrent writers, at two durabilities:
 *      "fsync per write": each write is its own synced commit (lmdb and LevelDB still fold concurrent ones
 *        together by themselves: see FOOTNOTES);
 *      "batched": group commit, concurrent writes share one commit + sync, each acknowledged after it.
 *  - gets/s of random ids over `--records` records of 256 bytes (loaded without syncing first).
 *  - history walk: records/10 ids × 10 versions, the full history of random ids, newest first, in versions/s.
 * Each row: one warm-up run per engine, then `--reps` rounds of one run per engine (order rotating), median
 * reported. bench/RESULTS.md has a run and the configuration of each peer.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { describeMachine } from "./lib/machine.js";
import { concurrentRate, formatRate, median, randomIds, serialRate } from "./lib/measure.js";
import {
  type Durability,
  ENGINE_NAMES,
  ENGINES,
  type EngineName,
  type HistoryStore,
  type MainStore,
  VALUE_SIZE,
} from "./ourdb/engines.js";

// ---------------------------------------------------------------------------------------------------------
// Options

const { values: args } = parseArgs({
  options: {
    records: { type: "string", default: "100000" },
    reps: { type: "string", default: "5" },
    engines: { type: "string", default: "ourdb,classic-level,lmdb,sqlite" },
    rows: { type: "string", default: "set1,set100,get,history" },
    quick: { type: "boolean", default: false },
    json: { type: "string" },
  },
});

const RECORDS = Number(args.records);
const REPS = Math.max(1, Number(args.reps));
const WRITERS = 100;
const VERSIONS = 10;
const HISTORY_IDS = Math.max(1, Math.floor(RECORDS / VERSIONS));
const scale = args.quick ? 0.1 : 1;
/** Writes per measured run. Fsync-per-write rows are bounded by count and by time (~150 µs+ per sync). */
const COUNTS = {
  fsync1: Math.round(3_000 * scale),
  fsync100: Math.round(5_000 * scale),
  batch1: Math.round(3_000 * scale),
  batch100: Math.round(20_000 * scale),
  gets: Math.round(200_000 * scale),
  walks: Math.round(20_000 * scale),
};
const MAX_RUN_MS = 10_000;

type RowKey = "set1" | "set100" | "get" | "history";

const engineNames = args.engines.split(",").map((s) => s.trim()) as EngineName[];
for (const name of engineNames) {
  if (!ENGINE_NAMES.includes(name)) throw new Error(`unknown engine ${name}; use ${ENGINE_NAMES.join(",")}`);
}
const rowKeys = new Set(args.rows.split(",").map((s) => s.trim()) as RowKey[]);

// ---------------------------------------------------------------------------------------------------------
// Values: a pool of random 256-byte payloads (incompressible, so LevelDB's Snappy gains nothing).

const POOL = Array.from({ length: 1024 }, () => {
  const b = Buffer.allocUnsafe(VALUE_SIZE);
  for (let i = 0; i < VALUE_SIZE; i++) b[i] = Math.floor(Math.random() * 256);
  return b;
});
const valueFor = (i: number) => POOL[i & 1023] as Buffer;

// ---------------------------------------------------------------------------------------------------------
// Rows

interface Row {
  key: string;
  label: string;
  durability: string;
  /** The issue pairs one writer with fsync per write and 100 writers with batching; the crossed rows inform. */
  goal: boolean;
}
const ROWS: Row[] = [
  { key: "set1-fsync", label: "sets/s, 1 writer", durability: "fsync per write", goal: true },
  { key: "set100-batch", label: "sets/s, 100 writers", durability: "batched (group commit) ²", goal: true },
  {
    key: "get",
    label: `gets/s, random ids of ${RECORDS.toLocaleString("en-US")} × 256 B`,
    durability: "–",
    goal: true,
  },
  {
    key: "history",
    label: `history walk, versions/s (${HISTORY_IDS.toLocaleString("en-US")} ids × ${VERSIONS} versions)`,
    durability: "–",
    goal: true,
  },
  { key: "set1-batch", label: "sets/s, 1 writer", durability: "batched (group commit)", goal: false },
  { key: "set100-fsync", label: "sets/s, 100 writers", durability: "fsync per write ¹", goal: false },
];

const FOOTNOTES = [
  "¹ lmdb and classic-level coalesce concurrent synced writes by themselves (lmdb commits every put of an " +
    "event turn in one synced transaction; LevelDB's writer queue joins the sync writes waiting together, " +
    "up to the 4 libuv threads), so their figure in this row is in effect a group commit; OurDB " +
    'sync "always" and SQLite autocommit do one fsync per write.',
  '² OurDB: sync "batch"; lmdb: the same awaited puts as in ¹; classic-level and SQLite: the writes queued ' +
    "while the previous group commits go in one db.batch({ sync: true }) / one transaction.",
  "³ Not a goal row: the goal pairs one writer with fsync per write and 100 writers with batching. Shown " +
    'for information; OurDB "always" keeps one fsync per write by design, its group commit is "batch".',
];

const DISPLAY: Record<EngineName, string> = {
  ourdb: "OurDB",
  "classic-level": "classic-level",
  lmdb: "lmdb",
  sqlite: "sqlite (WAL)",
};

type Results = Record<string, Partial<Record<EngineName, number>>>;
const results: Results = {};
const samples: Record<string, Partial<Record<EngineName, number[]>>> = {};

function record(row: string, engine: EngineName, runs: number[]): void {
  results[row] ??= {};
  samples[row] ??= {};
  (results[row] as Partial<Record<EngineName, number>>)[engine] = median(runs);
  (samples[row] as Partial<Record<EngineName, number[]>>)[engine] = runs;
  const shown = runs.map((r) => formatRate(r)).join(", ");
  console.error(
    `  ${engine.padEnd(13)} ${row.padEnd(13)} ${formatRate(median(runs)).padStart(9)}  [${shown}]`,
  );
}

type Run = (count: number) => Promise<number>;

/**
 * Measures one row on every engine: a warm-up run each (a fifth of the count), then REPS rounds in which
 * every engine runs once, the order rotating each round, so that drifts in disk latency hit all alike.
 */
async function measureRow(row: string, count: number, runs: Partial<Record<EngineName, Run>>): Promise<void> {
  const names = engineNames.filter((e) => runs[e]);
  const got: Partial<Record<EngineName, number[]>> = {};
  for (const e of names) {
    await (runs[e] as Run)(Math.max(1, Math.round(count / 5)));
    got[e] = [];
  }
  for (let rep = 0; rep < REPS; rep++) {
    for (let j = 0; j < names.length; j++) {
      const e = names[(rep + j) % names.length] as EngineName;
      got[e]?.push(await (runs[e] as Run)(count));
    }
  }
  for (const e of names) record(row, e, got[e] as number[]);
}

async function load(insert: (i: number) => Promise<unknown>, count: number, inFlight = 1000): Promise<void> {
  for (let start = 0; start < count; start += inFlight) {
    const end = Math.min(count, start + inFlight);
    const batch: Promise<unknown>[] = [];
    for (let i = start; i < end; i++) batch.push(insert(i));
    await Promise.all(batch);
  }
}

type PerEngine<T> = Partial<Record<EngineName, T>>;

async function openAll(roots: PerEngine<string>, durability: Durability): Promise<PerEngine<MainStore>> {
  const stores: PerEngine<MainStore> = {};
  for (const e of engineNames)
    stores[e] = await ENGINES[e].openMain(path.join(roots[e] as string, "main"), durability);
  return stores;
}

async function closeAll(stores: PerEngine<{ close(): Promise<void> }>): Promise<void> {
  for (const e of engineNames) await stores[e]?.close();
}

function perEngine<T>(make: (e: EngineName) => T): PerEngine<T> {
  return Object.fromEntries(engineNames.map((e) => [e, make(e)])) as PerEngine<T>;
}

async function benchAll(roots: PerEngine<string>): Promise<void> {
  // Load the records without syncing, so that the read rows do not wait for 100k fsyncs.
  console.error(`loading ${RECORDS.toLocaleString("en-US")} records`);
  let stores = await openAll(roots, "none");
  for (const e of engineNames) {
    const s = stores[e] as MainStore;
    await load((i) => s.insert(valueFor(i)), RECORDS);
  }
  await closeAll(stores);

  for (const durability of ["fsync", "batch"] as const) {
    stores = await openAll(roots, durability);
    if (durability === "fsync" && rowKeys.has("get")) {
      const ids = randomIds(COUNTS.gets, RECORDS, 42);
      const runs = perEngine((e): Run => {
        const s = stores[e] as MainStore;
        const check = (v: Uint8Array | undefined) => {
          if (v?.length !== VALUE_SIZE) throw new Error(`${e}: bad value`);
        };
        const get = (i: number) => {
          const r = s.get(ids[i] as number);
          if (r instanceof Promise) return r.then(check);
          check(r);
          return undefined;
        };
        return (n) => serialRate(n, get, MAX_RUN_MS);
      });
      await measureRow("get", COUNTS.gets, runs);
    }
    const inserts = perEngine((e) => {
      const s = stores[e] as MainStore;
      return (i: number) => s.insert(valueFor(i));
    });
    if (rowKeys.has("set1")) {
      const n = durability === "fsync" ? COUNTS.fsync1 : COUNTS.batch1;
      const runs = perEngine(
        (e): Run =>
          (c) =>
            serialRate(c, inserts[e] as (i: number) => Promise<unknown>, MAX_RUN_MS),
      );
      await measureRow(`set1-${durability}`, n, runs);
    }
    if (rowKeys.has("set100")) {
      const n = durability === "fsync" ? COUNTS.fsync100 : COUNTS.batch100;
      const runs = perEngine(
        (e): Run =>
          (c) =>
            concurrentRate(WRITERS, c, inserts[e] as (i: number) => Promise<unknown>, MAX_RUN_MS),
      );
      await measureRow(`set100-${durability}`, n, runs);
    }
    await closeAll(stores);
  }

  if (rowKeys.has("history")) {
    console.error(`loading ${HISTORY_IDS.toLocaleString("en-US")} ids × ${VERSIONS} versions`);
    const hs: PerEngine<HistoryStore> = {};
    for (const e of engineNames) {
      const h = await ENGINES[e].openHistory(path.join(roots[e] as string, "history"));
      hs[e] = h;
      for (let version = 1; version <= VERSIONS; version++) {
        await load((i) => h.put(i + 1, version, valueFor(i * VERSIONS + version)), HISTORY_IDS);
      }
    }
    const ids = randomIds(COUNTS.walks, HISTORY_IDS, 7);
    const runs = perEngine((e): Run => {
      const h = hs[e] as HistoryStore;
      let walks = 0;
      let versions = 0;
      const count = (n: number) => {
        walks++;
        versions += n;
      };
      const walk = (i: number) => {
        const r = h.walk(ids[i] as number);
        if (r instanceof Promise) return r.then(count);
        count(r);
        return undefined;
      };
      return async (n) => {
        walks = 0;
        versions = 0;
        const walksPerSec = await serialRate(n, walk, MAX_RUN_MS);
        if (versions !== walks * VERSIONS) throw new Error(`${e}: ${versions} versions in ${walks} walks`);
        return walksPerSec * VERSIONS;
      };
    });
    await measureRow("history", COUNTS.walks, runs);
    await closeAll(hs);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Report

function ratio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined ? "–" : `${(a / b).toFixed(2)}×`;
}

function goal(row: Partial<Record<EngineName, number>>): string {
  const { ourdb, lmdb } = row;
  const level = row["classic-level"];
  if (ourdb === undefined || level === undefined || lmdb === undefined) return "–";
  const misses: string[] = [];
  if (ourdb < level) misses.push(`${(ourdb / level).toFixed(2)}× level`);
  if (ourdb < 0.5 * lmdb) misses.push(`${(ourdb / lmdb).toFixed(2)}× lmdb`);
  return misses.length === 0 ? "yes" : `**no** (${misses.join(", ")})`;
}

function table(): string {
  const head = [
    "row",
    "durability",
    ...engineNames.map((e) => DISPLAY[e]),
    "OurDB / classic-level",
    "OurDB / lmdb",
    "OurDB / sqlite",
    "goal met",
  ];
  const lines = [
    `| ${head.join(" | ")} |`,
    `|${head.map((_, i) => (i < 2 ? " --- " : " ---: ")).join("|")}|`,
  ];
  for (const row of ROWS) {
    const r = results[row.key];
    if (!r) continue;
    const cells = [
      row.label,
      row.durability,
      ...engineNames.map((e) => formatRate(r[e])),
      ratio(r.ourdb, r["classic-level"]),
      ratio(r.ourdb, r.lmdb),
      ratio(r.ourdb, r.sqlite),
      row.goal ? goal(r) : "– ³",
    ];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const machine = describeMachine(os.tmpdir());
  const created: string[] = [];
  const cleanup = () => {
    for (const dir of created) fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once("SIGINT", () => {
    cleanup();
    process.exit(130);
  });
  const started = Date.now();
  try {
    const roots = perEngine((e) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ourdb-bench-${e}-`));
      created.push(dir);
      return dir;
    });
    await benchAll(roots);
  } finally {
    cleanup();
  }
  const versions = engineNames.map((e) => `${e} ${ENGINES[e].version}`).join(", ");
  const out = [
    "",
    `date: ${new Date().toISOString()}   duration: ${Math.round((Date.now() - started) / 1000)} s`,
    ...Object.entries(machine).map(([k, v]) => `${k}: ${v}`),
    `engines: ${versions}`,
    `records: ${RECORDS.toLocaleString("en-US")} × ${VALUE_SIZE} B; median of ${REPS} runs after a warm-up; ` +
      `writes per run: fsync 1 writer ${COUNTS.fsync1}, fsync ${WRITERS} writers ${COUNTS.fsync100}, ` +
      `batched 1 writer ${COUNTS.batch1}, batched ${WRITERS} writers ${COUNTS.batch100}; ` +
      `gets per run ${COUNTS.gets}; history walks per run ${COUNTS.walks}`,
    "goal: OurDB ≥ 1× classic-level and ≥ 0.5× lmdb on every goal row",
    "",
    table(),
    "",
    ...FOOTNOTES,
    "",
  ];
  console.log(out.join("\n"));
  if (args.json) {
    fs.writeFileSync(
      args.json,
      JSON.stringify({ machine, versions, counts: COUNTS, results, samples }, null, 2),
    );
  }
}

await main();
