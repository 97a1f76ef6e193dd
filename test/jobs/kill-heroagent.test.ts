/**
 * kill -9 of the whole heroagent process under load, then a restart on the same data, 10 rounds
 * (issue #4): every created job ends done or error, none is lost, and every history is intact.
 *
 * Each round starts `heroagent start` on one job store folder and one socket, creates jobs through
 * a JobClient (echo and short sleep jobs) for 200–800 ms and SIGKILLs the process mid-load. A job
 * counts as created once its createJob call returned. With the embedded Redis the queues die with
 * the process, so recovery is OurDB → Redis reconciliation at the next start; with redis-server
 * (jobs.redisUrl) they survive, so it is the reaper (the dead in-process worker's lease).
 */
import path from "node:path";
import { Redis } from "ioredis";
import { expect, it } from "vitest";
import { canTransition, type Job } from "../../src/jobs/job.js";
import { JobClient } from "../../src/jobs/job-client.js";
import { type Heroagent, startHeroagent, tempFolder } from "../helpers/heroagent.js";
import { itWithTools } from "../helpers/tools.js";
import { startRealRedis } from "../redis/helpers.js";

const ROUNDS = 10;
const CREATORS = 3;
const LEASE_MS = 1000;

interface Created {
  topic: string;
  params: string;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function runRounds(redisUrl?: string): Promise<void> {
  const started = Date.now();
  const dir = tempFolder("heroagent-kill-");
  const ourdbPath = path.join(dir, "jobsdb");
  const socket = path.join(dir, "redis.sock");
  const flags = [
    "--jobs-worker-count",
    "4",
    "--jobs-lease-timeout",
    String(LEASE_MS),
    ...(redisUrl ? ["--jobs-redis-url", redisUrl] : []),
  ];
  const target = redisUrl ?? { path: socket };
  const created = new Map<number, Created>();
  let seq = 0;
  const perRound: string[] = [];

  const start = () => startHeroagent({ ourdbPath, socket, flags });

  for (let round = 1; round <= ROUNDS; round++) {
    const t0 = Date.now();
    const server: Heroagent = await start();
    const t1 = Date.now();
    const client = await JobClient.connect(target, { timeoutMs: 2000 });
    const before = created.size;
    let loading = true;
    const creators = Array.from({ length: CREATORS }, async () => {
      while (loading) {
        const n = seq++;
        const topic = n % 10 === 0 ? "sleep" : "echo";
        const params =
          topic === "sleep" ? JSON.stringify({ ms: 10 + (n % 5) * 10 }) : `round ${round} job ${n}`;
        try {
          const job = await client.createJob(topic, params, {
            backoff: { type: "fixed", delay: 20, jitter: false },
          });
          created.set(job.jobId, { topic, params });
        } catch {
          // The process was killed while this call was in flight: it does not count as created.
        }
      }
    });
    await pause(200 + Math.floor(Math.random() * 600));
    server.cli.child.kill("SIGKILL");
    await server.cli.exited;
    loading = false;
    await client.close(); // in-flight calls fail now instead of waiting for their timeout
    await Promise.all(creators);
    perRound.push(`${created.size - before} jobs (start ${t1 - t0} ms, load+kill ${Date.now() - t1} ms)`);
  }
  const loadDone = Date.now();

  // One more start: everything created must finish.
  const server = await start();
  const client = await JobClient.connect(target, { timeoutMs: 5000 });
  try {
    const ids = [...created.keys()].sort((a, b) => a - b);
    expect(ids.length).toBeGreaterThan(ROUNDS * 10);
    const finished = new Map<number, Job>();
    const unfinished: string[] = [];
    const drainDeadline = Date.now() + 15_000;
    await inParallel(ids, 8, async (jobId) => {
      try {
        const timeoutMs = Math.max(0, drainDeadline - Date.now());
        finished.set(jobId, await client.waitForJob(jobId, { timeoutMs }));
      } catch (error) {
        const history = await client.getJobHistory(jobId);
        const redis = typeof target === "string" ? new Redis(target) : new Redis(target);
        const topic = history[0]?.topic as string;
        const hash = await redis.hgetall(`herojobs:${topic}:${jobId}`);
        const lane = await redis.lpos(`heroqueue:${topic}`, String(jobId));
        const processing = await redis.keys("heroprocessing:*");
        redis.disconnect();
        unfinished.push(
          `redis: hash ${JSON.stringify(hash)}, in lane at ${lane}, processing lists ${processing.join(",")}`,
        );
        unfinished.push(
          `${(error as Error).message}; history: ${JSON.stringify(history.map((v) => [v.version, v.status, v.workerId, v.attempts, v.error, v.runAt - v.updatedAt]))}`,
        );
      }
    });
    expect(unfinished.slice(0, 10)).toEqual([]);
    const drained = Date.now();

    const problems: string[] = [];
    let recovered = 0;
    await inParallel(ids, 8, async (jobId) => {
      const history = await client.getJobHistory(jobId);
      problems.push(...checkHistory(jobId, created.get(jobId) as Created, history, finished.get(jobId)));
      // A run the kill interrupted: active → new (lease expired, or Redis lost it).
      if (history.some((v, i) => v.status === "new" && history[i + 1]?.status === "active")) recovered++;
    });
    expect(problems.slice(0, 20)).toEqual([]);
    expect(recovered).toBeGreaterThan(0); // the kills did hit running jobs
    const counts = { done: 0, error: 0 };
    for (const job of finished.values()) counts[job.status as "done" | "error"]++;
    console.log(
      `kill -9 × ${ROUNDS} (${redisUrl ? "redis-server" : "embedded Redis"}): ${ids.length} jobs created, ` +
        `${counts.done} done, ${counts.error} error, ${recovered} recovered from a killed run; load ${loadDone - started} ms, ` +
        `drain ${drained - loadDone} ms, checks ${Date.now() - drained} ms; rounds: ${perRound.join(", ")}`,
    );
  } finally {
    await client.close();
    server.cli.child.kill("SIGTERM");
    await server.cli.exited;
  }
}

/** Problems with one job's history (newest first); empty when it is a valid chain. */
function checkHistory(jobId: number, sent: Created, history: Job[], final: Job | undefined): string[] {
  const problems: string[] = [];
  const say = (what: string) => problems.push(`job ${jobId}: ${what}`);
  const newest = history[0];
  if (!newest) return [`job ${jobId}: no history`];
  if (newest.status !== "done" && newest.status !== "error") say(`ends ${newest.status}`);
  if (final && final.version !== newest.version) {
    // waitForJob answers with the first finished version; nothing may follow it but done → error.
    if (!(final.status === "done" && newest.status === "error")) say(`versions after the finished one`);
  }
  if (newest.version !== history.length) say(`newest version ${newest.version} of ${history.length}`);
  const oldest = history[history.length - 1] as Job;
  if (oldest.status !== "new" || oldest.version !== 1)
    say(`first version is ${oldest.status} v${oldest.version}`);
  for (let i = 0; i < history.length; i++) {
    const v = history[i] as Job;
    if (v.jobId !== jobId) say(`v${v.version} has jobId ${v.jobId}`);
    if (v.topic !== sent.topic || v.params !== sent.params) say(`v${v.version} topic/params changed`);
    if (v.createdAt !== oldest.createdAt) say(`v${v.version} createdAt changed`);
    const older = history[i + 1];
    if (!older) continue;
    if (v.version !== older.version + 1) say(`v${v.version} follows v${older.version}`);
    if (!canTransition(older.status, v.status)) say(`v${v.version}: ${older.status} → ${v.status}`);
  }
  if (newest.status === "done" && sent.topic === "echo" && newest.result !== sent.params) {
    say(`result ${JSON.stringify(newest.result)}`);
  }
  return problems;
}

async function inParallel<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

it("kill -9 of heroagent under load, 10 rounds (embedded Redis): no job lost, histories intact", async () => {
  await runRounds();
}, 90_000);

itWithTools(["redis-server"])(
  "kill -9 of heroagent under load, 10 rounds (redis-server via jobs.redisUrl): no job lost, histories intact",
  async () => {
    const port = await startRealRedis();
    await runRounds(`redis://127.0.0.1:${port}`);
  },
  90_000,
);
