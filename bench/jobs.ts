/**
 * The job system against BullMQ (issue #4):
 *
 *   npx tsx bench/jobs.ts [--jobs N] [--reps 3] [--concurrency 1,10,100] [--inflight 100]
 *                         [--pickups 200] [--systems child,in-process,local,redis,bullmq] [--quick]
 *                         [--no-pickup] [--no-throughput] [--commands] [--durable-redis] [--json out.json]
 *
 * Throughput: no-op jobs end to end. For each worker concurrency C, each system opens a fresh queue
 * (empty Redis, fresh OurDB folder) with C worker slots in this process, the producer creates N
 * jobs keeping `--inflight` create calls in flight (ours: `createJob`, BullMQ: `queue.add`, one
 * job a call, no bulk for either), and the time runs from the first create to the last completion:
 * ours when the job's "done" version is stored in OurDB (the JobManager's "job" event), BullMQ when
 * its Worker emits "completed" (the job is marked completed in Redis; removeOnComplete is left at
 * its default, so completed jobs are kept, like our history). One unmeasured warm-up run per
 * system first; at each C an unmeasured calibration run of 500 jobs sets the system's N (its rate
 * × 3 s, at least 1,000; `--jobs N` fixes N for all), then `--reps` rounds with the order of the
 * systems reversed every round; medians.
 * Pickup: on an idle queue (C = 10), one job at a time; the job is waited for, then 20 ms of idle,
 * `--pickups` times after 20 unmeasured ones. Pickup is from the moment the job is queued (create
 * resolved) until its handler starts (a timestamp taken in the handler): what a worker adds. The
 * whole path from just before create is shown beside it (ours writes the job to OurDB, synced,
 * before it queues it in Redis; that sync is most of the create).
 * Systems: ours against the embedded server in a child process (Unix socket), the embedded server
 * in this process over a Unix socket and over local connections (as `heroagent start` runs it),
 * and redis-server (TCP); BullMQ against
 * the same redis-server (TCP). BullMQ needs Lua (EVALSHA), which the embedded server does not have.
 * --commands: Redis commands per job for the systems on redis-server (MONITOR during 1,000 jobs at
 * C = 10), sent by clients and run inside Lua scripts.
 * --durable-redis: redis-server keeps an AOF fsync'd before every reply (`appendfsync always`), so
 * BullMQ's jobs are as durable as ours in OurDB (the default compares against an in-memory Redis).
 * Goal: throughput ≥ 1.5× BullMQ with the full OurDB history; pickup p99 < 5 ms.
 */
import fs from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import { countCommands, describeCounts } from "./jobs/commands.js";
import { startServers } from "./jobs/servers.js";
import { bullmq, type Instance, ours, type System } from "./jobs/systems.js";
import { describeMachine } from "./lib/machine.js";
import { formatRate, median } from "./lib/measure.js";
import { cpuTimeOf } from "./redis/servers.js";

const { values: args } = parseArgs({
  options: {
    jobs: { type: "string" },
    reps: { type: "string", default: "3" },
    concurrency: { type: "string", default: "1,10,100" },
    inflight: { type: "string", default: "100" },
    pickups: { type: "string", default: "200" },
    systems: { type: "string", default: "child,in-process,local,redis,bullmq" },
    quick: { type: "boolean", default: false },
    "no-pickup": { type: "boolean", default: false },
    "no-throughput": { type: "boolean", default: false },
    commands: { type: "boolean", default: false },
    "durable-redis": { type: "boolean", default: false },
    json: { type: "string" },
  },
});

/** Without --jobs, each system's N at each C is its calibration rate × this (≥ 1,000 jobs). */
const TARGET_SECONDS = args.quick ? 0.5 : 3;
const CALIBRATION_JOBS = args.quick ? 200 : 500;
const jobsFor = (rate: number) =>
  args.jobs
    ? Number(args.jobs)
    : Math.min(100_000, Math.max(args.quick ? 200 : 1000, Math.round((rate * TARGET_SECONDS) / 500) * 500));
const REPS = args.quick ? 1 : Math.max(1, Number(args.reps));
const CONCURRENCY = args.concurrency.split(",").map(Number);
const INFLIGHT = Math.max(1, Number(args.inflight));
const PICKUPS = args.quick ? 50 : Math.max(1, Number(args.pickups));
const PICKUP_CONCURRENCY = 10;
const BULLMQ = "BullMQ · redis-server";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface RunResult {
  /** Jobs/s from the first create to the last completion. */
  rate: number;
  /** CPU time (user + system) of this process per job, µs: producer, workers, manager (and, for
   * the in-process system, the Redis server); the Redis server in its own process is not in it. */
  cpuPerJob: number;
  /** CPU time per job, µs, of the Redis server's own process (redis-server, the child); 0 in-process. */
  serverCpuPerJob: number;
}

/** Creates `n` jobs with `INFLIGHT` creates in flight and waits for all of them to complete. */
async function throughputRun(instance: Instance, n: number, serverPid?: number): Promise<RunResult> {
  const completed = instance.completions(n, 120_000 + n * 20);
  const serverCpu = serverPid ? cpuTimeOf(serverPid) : 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  let next = 0;
  const producer = async () => {
    while (next < n) {
      next++;
      await instance.create();
    }
  };
  await Promise.all(Array.from({ length: Math.min(INFLIGHT, n) }, producer));
  await completed;
  const rate = (n * 1000) / (performance.now() - start);
  const used = process.cpuUsage(cpu);
  const serverUsed = serverPid ? cpuTimeOf(serverPid) - serverCpu : 0;
  return { rate, cpuPerJob: (used.user + used.system) / n, serverCpuPerJob: serverUsed / n };
}

async function withInstance<T>(system: System, c: number, use: (i: Instance) => Promise<T>): Promise<T> {
  const instance = await system.open(c);
  try {
    return await use(instance);
  } finally {
    await instance.close();
  }
}

interface ThroughputRow {
  system: string;
  concurrency: number;
  jobs: number;
  samples: number[];
  median: number;
  /** Median CPU µs per job of this process. */
  cpuPerJob: number;
  /** Median CPU µs per job of the Redis server's own process (0: it runs in this one). */
  serverCpuPerJob: number;
}

async function throughput(systems: System[]): Promise<ThroughputRow[]> {
  console.log("\nwarm-up (unmeasured): 1,000 jobs, C = 10, each system");
  for (const system of systems) await withInstance(system, 10, (i) => throughputRun(i, 1000));
  const rows: ThroughputRow[] = [];
  for (const c of CONCURRENCY) {
    console.log(
      `\nC = ${c}, ${INFLIGHT} creates in flight; calibration (unmeasured): ${CALIBRATION_JOBS} jobs`,
    );
    const jobs = new Map<string, number>();
    for (const system of systems) {
      const { rate } = await withInstance(system, c, (i) => throughputRun(i, CALIBRATION_JOBS));
      jobs.set(system.name, jobsFor(rate));
      console.log(
        `  ${system.name.padEnd(36)} ${formatRate(rate).padStart(7)} jobs/s → ${jobsFor(rate)} jobs a run`,
      );
    }
    const samples = new Map<string, RunResult[]>(systems.map((s) => [s.name, []]));
    for (let rep = 0; rep < REPS; rep++) {
      const order = rep % 2 === 0 ? systems : [...systems].reverse();
      for (const system of order) {
        const n = jobs.get(system.name) as number;
        const run = await withInstance(system, c, (i) => throughputRun(i, n, system.serverPid));
        samples.get(system.name)?.push(run);
        console.log(
          `  ${system.name.padEnd(36)} ${formatRate(run.rate).padStart(7)} jobs/s, ${Math.round(run.cpuPerJob)} µs CPU/job here, ${Math.round(run.serverCpuPerJob)} in the server`,
        );
      }
    }
    for (const system of systems) {
      const runs = samples.get(system.name) ?? [];
      const values = runs.map((r) => r.rate);
      rows.push({
        system: system.name,
        concurrency: c,
        jobs: jobs.get(system.name) as number,
        samples: values,
        median: median(values),
        cpuPerJob: median(runs.map((r) => r.cpuPerJob)),
        serverCpuPerJob: median(runs.map((r) => r.serverCpuPerJob)),
      });
    }
  }
  return rows;
}

interface PickupRow {
  system: string;
  samples: number;
  /** From the job queued (create resolved) until its handler starts. */
  pickupP50: number;
  pickupP99: number;
  /** From just before create until the handler starts. */
  p50: number;
  p99: number;
  max: number;
  /** The part spent in create (until the call resolved): ours stores the job in OurDB first. */
  createP50: number;
  createP99: number;
}

const percentile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;

/** Milliseconds from just before create until the handler starts, and until create resolved. */
async function pickupOnce(instance: Instance): Promise<{ total: number; create: number; queued: number }> {
  const started = instance.nextHandlerStart();
  const completed = instance.completions(1, 30_000);
  const t0 = performance.now();
  await instance.create();
  const created = performance.now();
  const handler = await started;
  await completed;
  await sleep(20);
  return {
    total: handler - t0,
    create: Math.min(created, handler) - t0,
    queued: Math.max(0, handler - created),
  };
}

async function pickup(systems: System[]): Promise<PickupRow[]> {
  console.log(`\npickup latency on an idle queue (C = ${PICKUP_CONCURRENCY}), ${PICKUPS} jobs one at a time`);
  const rows: PickupRow[] = [];
  for (const system of systems) {
    const samples = await withInstance(system, PICKUP_CONCURRENCY, async (instance) => {
      for (let i = 0; i < 20; i++) await pickupOnce(instance);
      const out: { total: number; create: number; queued: number }[] = [];
      for (let i = 0; i < PICKUPS; i++) out.push(await pickupOnce(instance));
      return out;
    });
    const sorted = samples.map((s) => s.total).sort((a, b) => a - b);
    const creates = samples.map((s) => s.create).sort((a, b) => a - b);
    const queued = samples.map((s) => s.queued).sort((a, b) => a - b);
    const row = {
      system: system.name,
      samples: sorted.length,
      pickupP50: percentile(queued, 0.5),
      pickupP99: percentile(queued, 0.99),
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      max: sorted[sorted.length - 1] as number,
      createP50: percentile(creates, 0.5),
      createP99: percentile(creates, 0.99),
    };
    rows.push(row);
    console.log(
      `  ${system.name.padEnd(36)} pickup p50 ${ms(row.pickupP50)}  p99 ${ms(row.pickupP99)};  with create p50 ${ms(row.p50)}  p99 ${ms(row.p99)}  max ${ms(row.max)}`,
    );
  }
  return rows;
}

/** Commands per job of the systems that run against redis-server (MONITOR sees all of them). */
async function commands(systems: System[]): Promise<{ system: string; client: string; lua: string }[]> {
  const out = [];
  console.log("\nRedis commands per job (MONITOR on redis-server, 1,000 jobs, C = 10)");
  for (const system of systems.filter((s) => s.name.endsWith("redis-server"))) {
    const counts = await withInstance(system, 10, (i) =>
      countCommands(servers.redis, 1000, () => throughputRun(i, 1000)),
    );
    const row = {
      system: system.name,
      client: describeCounts(counts.client),
      lua: describeCounts(counts.lua),
    };
    console.log(`  ${system.name}\n    sent by clients: ${row.client}\n    inside Lua:      ${row.lua}`);
    out.push(row);
  }
  return out;
}

const ms = (value: number) => `${value.toFixed(2)} ms`;

function printMarkdown(rows: ThroughputRow[], pickups: PickupRow[]): void {
  if (rows.length > 0) {
    console.log(
      "\n| system | C | jobs a run | jobs/s (median) | runs | vs BullMQ | goal ≥ 1.5× | CPU µs/job (bench process) | + server process | total |",
    );
    console.log("| --- | --: | --: | --: | --- | --: | --: | --: | --: | --: |");
    for (const row of rows) {
      const base = rows.find((r) => r.system === BULLMQ && r.concurrency === row.concurrency)?.median;
      const ratio = base === undefined ? undefined : row.median / base;
      const goal = row.system === BULLMQ || ratio === undefined ? "–" : ratio >= 1.5 ? "yes" : "no";
      const runs = row.samples.map((s) => formatRate(s)).join(", ");
      console.log(
        `| ${row.system} | ${row.concurrency} | ${row.jobs.toLocaleString("en-US")} | ${formatRate(row.median)} | ${runs} | ${ratio === undefined ? "n/a" : `${ratio.toFixed(2)}×`} | ${goal} | ${Math.round(row.cpuPerJob)} | ${Math.round(row.serverCpuPerJob)} | ${Math.round(row.cpuPerJob + row.serverCpuPerJob)} |`,
      );
    }
  }
  if (pickups.length > 0) {
    console.log(
      "\n| system | pickup p50 | pickup p99 | goal p99 < 5 ms | with create p50 | p99 | max | create alone p50 / p99 |",
    );
    console.log("| --- | --: | --: | --: | --: | --: | --: | --: |");
    for (const row of pickups) {
      const goal = row.system === BULLMQ ? "–" : row.pickupP99 < 5 ? "yes" : "no";
      console.log(
        `| ${row.system} | ${ms(row.pickupP50)} | ${ms(row.pickupP99)} | ${goal} | ${ms(row.p50)} | ${ms(row.p99)} | ${ms(row.max)} | ${ms(row.createP50)} / ${ms(row.createP99)} |`,
      );
    }
  }
}

// Ctrl-C: exit through process.exit, whose "exit" hooks kill the servers and remove the temp folders.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));

const machine = describeMachine(os.tmpdir());
console.log("machine:", machine);
const servers = await startServers([], args["durable-redis"]);
if (args["durable-redis"]) console.log("redis-server: AOF with appendfsync always");
let failed = false;
try {
  const all: Record<string, System> = {
    child: ours("ours · embedded, child process", () => servers.child, undefined, servers.childPid),
    "in-process": ours("ours · embedded, in-process, socket", () => servers.inProcess),
    local: ours(
      "ours · embedded, in-process, local",
      () => ({ local: servers.inProcessServer }),
      () => servers.inProcess,
    ),
    redis: ours("ours · redis-server", () => servers.redis, undefined, servers.redisPid),
    bullmq: bullmq(BULLMQ, () => servers.redis, servers.redisPid),
  };
  const systems = args.systems.split(",").map((key) => {
    const system = all[key.trim()];
    if (!system) throw new Error(`unknown system ${key}; use ${Object.keys(all).join(",")}`);
    return system;
  });
  const rows = args["no-throughput"] ? [] : await throughput(systems);
  const pickups = args["no-pickup"] ? [] : await pickup(systems);
  const counts = args.commands ? await commands(systems) : [];
  printMarkdown(rows, pickups);
  if (args.json) fs.writeFileSync(args.json, JSON.stringify({ machine, rows, pickups, counts }, null, 2));
} catch (error) {
  failed = true;
  console.error(error);
} finally {
  await servers.stop();
}
// ioredis/BullMQ timers must not keep a failed run alive.
process.exit(failed ? 1 : 0);
