/**
 * The embedded Redis server against Debian's redis-server (7.0), with redis-benchmark:
 *
 *   npx tsx bench/redis.ts [--requests 200000] [--clients 50] [--pipelines 1,16] [--reps 3]
 *                          [--tests ping,set,get,incr,lpush,rpop,hset,lrange_100] [--keys 1000000]
 *                          [--no-memory] [--no-throughput] [--quick] [--profile] [--json out.json]
 *
 * Throughput: for each pipeline depth and test, `redis-benchmark -t <test> -c 50 -n <requests> -P <p>
 * --csv` against each server in turn (the order alternating every round, FLUSHALL before each run),
 * `--reps` rounds after an unmeasured warm-up run, median reported with the embedded/redis ratio. Each server runs in its own process
 * (the embedded one in a Node child), so the client never shares the server's event loop. A test
 * whose command a server refuses, or whose run fails, is n/a.
 * Memory: `--keys` small keys loaded with redis-cli --pipe into a fresh server of each kind; RSS.
 * --profile: runs the tests against the embedded server only, under `node --cpu-prof`, and prints
 * where its CPU time goes.
 * Goal (issue #3): ≥ 0.8× redis without pipelining, ≥ 0.5× with -P 16, memory ≤ 2×.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { describeMachine } from "./lib/machine.js";
import { formatRate, median } from "./lib/measure.js";
import { type BenchmarkOptions, command, runBenchmark, supports, TESTS } from "./redis/benchmark.js";
import { loadKeys } from "./redis/load.js";
import { mainProfile, topFunctions } from "./redis/profile.js";
import { rssOf, type ServerUnderTest, startEmbedded, startRedis } from "./redis/servers.js";

const { values: args } = parseArgs({
  options: {
    requests: { type: "string", default: "200000" },
    clients: { type: "string", default: "50" },
    pipelines: { type: "string", default: "1,16" },
    reps: { type: "string", default: "3" },
    tests: { type: "string", default: Object.keys(TESTS).join(",") },
    keys: { type: "string", default: "1000000" },
    "no-memory": { type: "boolean", default: false },
    "no-throughput": { type: "boolean", default: false },
    quick: { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    json: { type: "string" },
  },
});

const REQUESTS = args.quick ? 20_000 : Number(args.requests);
const REPS = args.quick ? 1 : Math.max(1, Number(args.reps));
const WARMUP = Math.max(10_000, Math.round(REQUESTS / 10));
const KEYS = args.quick ? 100_000 : Number(args.keys);
const PIPELINES = args.pipelines.split(",").map(Number);
const tests = args.tests.split(",").map((t) => t.trim());
for (const test of tests)
  if (!TESTS[test]) throw new Error(`unknown test ${test}; use ${Object.keys(TESTS)}`);

interface Row {
  pipeline: number;
  row: string;
  embedded: number | undefined;
  redis: number | undefined;
}

const optionsFor = (pipeline: number): BenchmarkOptions => ({
  requests: REQUESTS,
  clients: Number(args.clients),
  pipeline,
  timeoutMs: Math.max(60_000, REQUESTS / 2),
});

const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? "n/a" : `${(a / b).toFixed(2)}×`;
const rate = (value: number | undefined) => (value === undefined ? "n/a" : formatRate(value));

/** Runs one test on both servers `REPS` times, alternating which goes first; medians per CSV row. */
async function measureTest(servers: ServerUnderTest[], test: string, pipeline: number): Promise<Row[]> {
  const samples = new Map<string, Map<string, number[]>>();
  const usable = new Map<string, boolean>();
  for (const server of servers) usable.set(server.name, await supports(server.port, test));
  // A short unmeasured run first: the embedded server's hot paths get compiled by the JIT.
  for (const server of servers) {
    if (usable.get(server.name))
      await runBenchmark(server.port, test, { ...optionsFor(pipeline), requests: WARMUP });
  }
  for (let rep = 0; rep < REPS; rep++) {
    const order = rep % 2 === 0 ? servers : [...servers].reverse();
    for (const server of order) {
      if (!usable.get(server.name)) continue;
      await command(server.port, ["FLUSHALL"]);
      const rows = await runBenchmark(server.port, test, optionsFor(pipeline));
      for (const [row, rps] of rows) {
        const byServer = samples.get(row) ?? new Map<string, number[]>();
        samples.set(row, byServer);
        byServer.set(server.name, [...(byServer.get(server.name) ?? []), rps]);
      }
    }
  }
  return (TESTS[test] as { rows: string[] }).rows.map((row) => {
    const of = (name: string) => {
      const values = samples.get(row)?.get(name);
      return values && values.length === REPS ? median(values) : undefined;
    };
    return { pipeline, row, embedded: of("embedded"), redis: of("redis") };
  });
}

async function throughput(): Promise<Row[]> {
  const servers = [await startEmbedded(), await startRedis()];
  const rows: Row[] = [];
  try {
    for (const pipeline of PIPELINES) {
      console.log(`\n-P ${pipeline}: ${REQUESTS} requests, ${args.clients} clients, ${REPS} round(s)`);
      for (const test of tests) {
        for (const row of await measureTest(servers, test, pipeline)) {
          rows.push(row);
          console.log(
            `  ${row.row.padEnd(32)} embedded ${rate(row.embedded).padStart(8)}  redis ${rate(row.redis).padStart(8)}  ${ratio(row.embedded, row.redis)}`,
          );
        }
      }
    }
  } finally {
    for (const server of servers) await server.stop();
  }
  return rows;
}

interface MemoryResult {
  server: string;
  emptyRss: number;
  loadedRss: number;
  seconds: number;
}

async function memory(): Promise<MemoryResult[]> {
  console.log(`\nmemory: ${KEYS.toLocaleString("en-US")} keys (key:NNNNNNNN → value:NNNNNNNN)`);
  const results: MemoryResult[] = [];
  for (const start of [startEmbedded, startRedis]) {
    const server = await start();
    try {
      await new Promise((r) => setTimeout(r, 500));
      const emptyRss = rssOf(server.pid);
      const started = performance.now();
      await loadKeys(server.port, KEYS);
      const seconds = (performance.now() - started) / 1000;
      const size = await command(server.port, ["DBSIZE"]);
      if (size !== `:${KEYS}`) throw new Error(`${server.name}: DBSIZE ${size} after loading ${KEYS} keys`);
      await new Promise((r) => setTimeout(r, 1000));
      const loadedRss = rssOf(server.pid);
      results.push({ server: server.name, emptyRss, loadedRss, seconds });
      console.log(
        `  ${server.name.padEnd(9)} RSS empty ${mib(emptyRss)}, loaded ${mib(loadedRss)} (+${mib(loadedRss - emptyRss)}); load ${seconds.toFixed(1)} s`,
      );
    } finally {
      await server.stop();
    }
  }
  const [ours, theirs] = results as [MemoryResult, MemoryResult];
  console.log(
    `  ratio: RSS ${(ours.loadedRss / theirs.loadedRss).toFixed(2)}×, growth ${((ours.loadedRss - ours.emptyRss) / (theirs.loadedRss - theirs.emptyRss)).toFixed(2)}×`,
  );
  return results;
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

async function profile(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-profile-"));
  const server = await startEmbedded(["--cpu-prof", `--cpu-prof-dir=${dir}`]);
  try {
    for (const pipeline of PIPELINES) {
      for (const test of tests) {
        if (await supports(server.port, test)) await runBenchmark(server.port, test, optionsFor(pipeline));
      }
    }
  } finally {
    await server.stop();
  }
  const file = mainProfile(dir);
  if (!file) throw new Error(`no profile written in ${dir}`);
  console.log(`\nprofile ${file} (self time):`);
  for (const line of topFunctions(file, 30)) console.log(`  ${line}`);
}

console.log("machine:", describeMachine(os.tmpdir()));
if (args.profile) await profile();
else {
  const rows = args["no-throughput"] ? [] : await throughput();
  const mem = args["no-memory"] ? [] : await memory();
  printMarkdown(rows, mem);
  if (args.json) fs.writeFileSync(args.json, JSON.stringify({ rows, memory: mem }, null, 2));
}

function printMarkdown(rows: Row[], mem: MemoryResult[]): void {
  console.log("\n| test | -P | embedded req/s | redis req/s | embedded / redis | goal |");
  console.log("| --- | --: | --: | --: | --: | --: |");
  for (const row of rows) {
    const goal = row.pipeline === 1 ? 0.8 : 0.5;
    const met =
      row.embedded === undefined || row.redis === undefined
        ? "n/a"
        : row.embedded / row.redis >= goal
          ? "yes"
          : "no";
    console.log(
      `| ${row.row} | ${row.pipeline} | ${rate(row.embedded)} | ${rate(row.redis)} | ${ratio(row.embedded, row.redis)} | ≥ ${goal}×: ${met} |`,
    );
  }
  if (mem.length === 2) {
    const [ours, theirs] = mem as [MemoryResult, MemoryResult];
    const r = ours.loadedRss / theirs.loadedRss;
    console.log(
      `| RSS with ${KEYS.toLocaleString("en-US")} keys | – | ${mib(ours.loadedRss)} | ${mib(theirs.loadedRss)} | ${r.toFixed(2)}× | ≤ 2×: ${r <= 2 ? "yes" : "no"} |`,
    );
  }
}
