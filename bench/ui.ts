/**
 * The UI's API at scale (issue #6: a Jobs page in < 200 ms server time and a text search in < 1 s
 * with 1M stored jobs):
 *
 *   npx tsx bench/ui.ts [--jobs 1000000]
 *
 * Fills a job store (sync "none") with N finished jobs over 20 topics whose params hold an address
 * and a word from a list of 50; one job in the middle holds the word "zanzibar". Then starts a
 * ServerFactory (redis, jobs, ui) on that store and times, over HTTP on loopback with a bearer
 * token (median of 5; "first" is the first call), the Jobs page as the web UI asks for it
 * (view=summary, 50 a page) under several filters, and text searches: a word in one job, a word
 * in 2% of the jobs, an absent word, with and without filters, and the next page of a search.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { loadConfig } from "../src/config.js";
import { ServerFactory } from "../src/factory.js";
import { JobStore } from "../src/jobs/job-store.js";
import { createLogger } from "../src/logger.js";

interface JobPage {
  jobs: Array<{ createdAt: number }>;
  nextCursor: string | null;
}

const { values: args } = parseArgs({ options: { jobs: { type: "string", default: "1000000" } } });
const N = Number(args.jobs);
const TOPICS = Array.from({ length: 20 }, (_, i) => `topic-${i}`);
const WORDS = Array.from({ length: 50 }, (_, i) => `word${String.fromCharCode(97 + (i % 26))}${i}`);
const RARE_ID = Math.floor(N / 2);
const INFLIGHT = 2000;
const PASSWORD = "bench-password";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ui-bench-"));
const ms = (t: number) => `${t.toFixed(t < 10 ? 1 : 0)} ms`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

async function pool(n: number, work: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: INFLIGHT }, async () => {
      while (next < n) await work(next++);
    }),
  );
}

async function fill(): Promise<void> {
  const store = await JobStore.open({ path: path.join(dir, "jobsdb"), sync: "none" });
  const t = performance.now();
  await pool(N, async (i) => {
    const word = i + 1 === RARE_ID ? "zanzibar" : WORDS[i % WORDS.length];
    const params = JSON.stringify({ to: `user${i}@example.com`, subject: `${word} report ${i}` });
    const job = await store.create(TOPICS[i % TOPICS.length] as string, params);
    await store.update(job.jobId, () => ({ status: "active", startedAt: Date.now(), attempts: 1 }));
    const failed = i % 20 === 7;
    await store.update(job.jobId, () =>
      failed
        ? { status: "error", error: `SMTP refused user${i}`, finishedAt: Date.now() }
        : { status: "done", result: `sent ${i} ok`, finishedAt: Date.now() },
    );
  });
  await store.close();
  console.log(`filled ${N} jobs (3 versions each) in ${ms(performance.now() - t)}`);
}

async function startServer(): Promise<{ factory: ServerFactory; base: string; startMs: number }> {
  const config = loadConfig({
    flags: {
      "redis.tcpPort": 0,
      "redis.unixSocketPath": path.join(dir, "redis.sock"),
      "jobs.ourdbPath": path.join(dir, "jobsdb"),
      enableWebDAV: false,
      "ui.port": 0,
      "ui.password": PASSWORD,
    },
  });
  const factory = new ServerFactory(config, { logger: createLogger("warn") });
  const t = performance.now();
  await factory.start();
  const startMs = performance.now() - t;
  const ui = factory.status().find((s) => s.name === "ui");
  return { factory, base: String(ui?.details?.url).replace(/\/$/, ""), startMs };
}

async function get(base: string, url: string): Promise<{ ms: number; body: JobPage }> {
  const t = performance.now();
  const response = await fetch(`${base}${url}`, { headers: { authorization: `Bearer ${PASSWORD}` } });
  const body = (await response.json()) as JobPage;
  if (response.status !== 200) throw new Error(`${url}: ${response.status} ${JSON.stringify(body)}`);
  return { ms: performance.now() - t, body };
}

async function measure(base: string, name: string, url: string): Promise<string | null> {
  const times: number[] = [];
  let first = 0;
  let count = 0;
  let next: string | null = null;
  for (let r = 0; r < 5; r++) {
    const { ms: took, body } = await get(base, url);
    if (r === 0) first = took;
    times.push(took);
    count = body.jobs.length;
    next = body.nextCursor;
  }
  console.log(
    `  ${name.padEnd(46)} first ${ms(first).padStart(7)}  median ${ms(median(times)).padStart(7)}  (${count} jobs)`,
  );
  return next;
}

try {
  await fill();
  const { factory, base, startMs } = await startServer();
  console.log(`factory start (redis, jobs, ui) with ${N} stored jobs: ${ms(startMs)}`);
  try {
    const page = "/api/jobs?view=summary&limit=50";
    console.log("\nJobs page (view=summary, 50 a page):");
    const cursor = await measure(base, "no filter, first page", page);
    await measure(base, "no filter, next page", `${page}&cursor=${cursor}`);
    await measure(base, "deep page (cursor in the middle)", `${page}&cursor=${Math.floor(N / 2)}`);
    await measure(base, "status error", `${page}&status=error`);
    await measure(base, "topic + status done", `${page}&topic=topic-3&status=done`);
    const tenth = (await get(base, `/api/jobs?limit=1&cursor=${Math.floor(N * 0.1)}`)).body.jobs[0] as {
      createdAt: number;
    };
    await measure(base, "time range (the oldest 10%)", `${page}&until=${tenth.createdAt}`);
    console.log("\ntext search (q=):");
    await measure(base, "a word in one job (zanzibar)", `${page}&q=zanzibar`);
    const common = await measure(base, `a word in 2% of the jobs (${WORDS[7]})`, `${page}&q=${WORDS[7]}`);
    await measure(base, "its next page", `${page}&q=${WORDS[7]}&cursor=${common}`);
    await measure(base, "an absent word", `${page}&q=nowhere-to-be-found`);
    await measure(base, "a word + topic + status error", `${page}&q=smtp&topic=topic-7&status=error`);
    await measure(base, "a result word (every done job: 'ok')", `${page}&q=ok`);
    console.log(`\nheap used: ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
  } finally {
    await factory.stop();
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
