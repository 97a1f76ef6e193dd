/**
 * The listing index at scale (issue #4: a page < 50 ms with 1M stored jobs, open < 5 s):
 *
 *   npx tsx bench/jobs-index.ts [--jobs 1000000] [--active 100] [--rebuild]
 *
 * Fills a temporary store (sync "none", many creates in flight) with N jobs over 20 topics, one
 * createdAt a millisecond apart; 90% end done, 5% error, `--active` active and the rest new. Then
 * closes it and measures: the open (the index loaded from its snapshot), the time of a page for a
 * set of filters (first page and a page deep down, limit 50 and 1000; median of 5), and the time to
 * enumerate every unfinished job as the start-up reconciliation does (status new+active, pages of
 * 1000). `--rebuild` also times an open without index files (the fallback: every record read).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import type { JobStatus } from "../src/jobs/job.js";
import type { JobListQuery } from "../src/jobs/job-list.js";
import { JobStore } from "../src/jobs/job-store.js";

const { values: args } = parseArgs({
  options: {
    jobs: { type: "string", default: "1000000" },
    active: { type: "string", default: "100" },
    rebuild: { type: "boolean", default: false },
  },
});
const N = Number(args.jobs);
const ACTIVE = Number(args.active);
const T0 = 1_800_000_000_000;
const TOPICS = Array.from({ length: 20 }, (_, i) => `topic-${i}`);
const INFLIGHT = 2000;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobs-index-bench-"));
const ms = (t: number) => `${t.toFixed(t < 10 ? 2 : 0)} ms`;

/** Runs `work` for every i < n with INFLIGHT calls in flight. */
async function pool(n: number, work: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: INFLIGHT }, async () => {
      while (next < n) await work(next++);
    }),
  );
}

function finalStatus(id: number): JobStatus[] {
  if (id % 20 === 7) return ["active", "error"]; // 5%
  if (id % 10 === 3) return []; // 10% stay new, but for the actives below
  return ["active", "done"];
}

async function fill(): Promise<void> {
  const store = await JobStore.open({ path: dir, sync: "none" });
  let t = performance.now();
  await pool(N, (i) => store.create(TOPICS[i % TOPICS.length] as string, `{"n":${i}}`, {}, T0 + i));
  console.log(`created ${N} jobs in ${ms(performance.now() - t)}`);
  t = performance.now();
  const activeIds = new Set(
    Array.from({ length: ACTIVE }, (_, k) => 3 + 10 * Math.floor((k * N) / ACTIVE / 10)),
  );
  await pool(N, async (i) => {
    const id = i + 1;
    const steps = activeIds.has(id) ? ["active" as const] : finalStatus(id);
    for (const status of steps) await store.update(id, () => ({ status }));
  });
  console.log(`status changes in ${ms(performance.now() - t)}`);
  t = performance.now();
  await store.close();
  console.log(`close (snapshot written) in ${ms(performance.now() - t)}`);
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const value = await fn();
  return [value, performance.now() - t];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

async function pages(store: JobStore): Promise<void> {
  const mid = T0 + N / 2;
  const filters: [string, JobListQuery][] = [
    ["no filter", {}],
    ["topic", { topic: "topic-3" }],
    ["status done", { status: "done" }],
    [`status active (${ACTIVE} of ${N})`, { status: "active" }],
    ["status new+active", { status: ["new", "active"] }],
    ["time range (10% of the ids)", { since: mid, until: mid + N / 10 }],
    ["topic + status error + time", { topic: "topic-6", status: "error", since: T0, until: mid }],
    ["worst: topic-3 + error (none match)", { topic: "topic-3", status: "error" }],
    ["worst: until before every job", { until: T0 - 1 }],
  ];
  console.log("\npage times (median of 5): first page / a page below the middle");
  for (const [name, q] of filters) {
    const row: string[] = [];
    for (const limit of [50, 1000]) {
      for (const cursor of [undefined, String(Math.floor(N / 2))]) {
        const times: number[] = [];
        let count = 0;
        for (let r = 0; r < 5; r++) {
          const [page, t] = await timed(() => store.list({ ...q, limit, ...(cursor ? { cursor } : {}) }));
          times.push(t);
          count = page.jobs.length;
        }
        row.push(`${ms(median(times))} (${count})`);
      }
    }
    console.log(`  ${name.padEnd(40)} limit 50: ${row[0]} / ${row[1]}   limit 1000: ${row[2]} / ${row[3]}`);
  }
}

async function unfinished(store: JobStore): Promise<void> {
  const [count, t] = await timed(async () => {
    let n = 0;
    let cursor: string | undefined;
    do {
      const page = await store.list({
        status: ["new", "active"],
        limit: 1000,
        ...(cursor ? { cursor } : {}),
      });
      n += page.jobs.length;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return n;
  });
  console.log(`\nenumerate unfinished jobs (new+active, pages of 1000): ${count} jobs in ${ms(t)}`);
}

try {
  await fill();
  const [store, openMs] = await timed(() => JobStore.open({ path: dir, sync: "none" }));
  console.log(`\nopen with ${N} jobs: ${ms(openMs)}`, store.indexReport);
  console.log(`heap used: ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
  await pages(store);
  await unfinished(store);
  await store.close();
  if (args.rebuild) {
    fs.rmSync(path.join(dir, "index"), { recursive: true });
    const [rebuilt, t] = await timed(() => JobStore.open({ path: dir, sync: "none", log: () => {} }));
    console.log(`\nopen without index files (rebuild from the records): ${ms(t)}`, rebuilt.indexReport);
    await rebuilt.close();
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
