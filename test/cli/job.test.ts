import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Job } from "../../src/jobs/job.js";
import { JobClient } from "../../src/jobs/job-client.js";
import { runCliOnce } from "../helpers/cli.js";
import { type Heroagent, startHeroagent, tempFolder } from "../helpers/heroagent.js";

// Each CLI run costs ~2 s (node + tsx), so setup and polling go through a JobClient instead.
let server: Heroagent;
let client: JobClient;

beforeAll(async () => {
  server = await startHeroagent();
  client = await JobClient.connect({ path: server.socket });
});
afterAll(async () => {
  await client?.close();
  server?.cli.child.kill("SIGTERM");
  await server?.cli.exited;
});

/** `heroagent job <args…>` against the test server; fails the test unless it exits 0 with no stderr. */
async function job(args: string[], input?: string): Promise<string> {
  const result = await runCliOnce(["job", ...args, ...server.connect], { input });
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return result.stdout;
}

async function jobJson(args: string[], input?: string): Promise<Job[]> {
  const out = await job([...args, "--json"], input);
  return out
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Job);
}

/** Exit 1 and exactly one stderr line. */
async function jobFails(args: string[], connect = server.connect): Promise<string> {
  const result = await runCliOnce(["job", ...args, ...connect]);
  expect(result.code).toBe(1);
  expect(result.stdout).toBe("");
  expect(result.stderr).toMatch(/^heroagent: [^\n]+\n$/);
  return result.stderr;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("heroagent job", () => {
  it("creates, gets, lists and shows the history of jobs", async () => {
    const [created] = await jobJson(["create", "echo", "hello world"]);
    expect(created).toMatchObject({ topic: "echo", params: "hello world", status: "new", version: 1 });
    const id = created?.jobId as number;
    const [waited] = await jobJson(["wait", String(id), "--timeout", "5000"]);
    expect(waited).toMatchObject({ jobId: id, status: "done", result: "hello world", attempts: 1 });

    const [human, history, historyJson, list] = await Promise.all([
      job(["get", String(id)]),
      job(["history", String(id)]),
      jobJson(["history", String(id)]),
      job(["list", "--topic", "echo", "--status", "done,error"]),
    ]);
    expect(human).toMatch(new RegExp(`^jobId: +${id}$`, "m"));
    expect(human).toMatch(/^status: +done$/m);
    expect(human).toMatch(/^result: +hello world$/m);
    expect(human).toMatch(/^attempts: +1\/3$/m);
    expect(await client.getJob(id)).toEqual(waited);
    expect(history.trimEnd().split("\n")).toEqual([
      expect.stringMatching(/^v3 .* done +attempts 1\/3 +worker \S+ +result hello world$/),
      expect.stringMatching(/^v2 .* active +attempts 1\/3/),
      expect.stringMatching(/^v1 .* new +attempts 0\/3 +worker -$/),
    ]);
    expect(historyJson.map((v) => [v.version, v.status])).toEqual([
      [3, "done"],
      [2, "active"],
      [1, "new"],
    ]);
    const lines = list.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID +TOPIC +STATUS +ATTEMPTS +CREATED +FINISHED$/);
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^${id} +echo +done +1/3 +\\d{4}-.*Z +\\d{4}-.*Z$`)),
    );
  });

  it("cancels, retries and waits; takes params from stdin; creates and waits in one go", async () => {
    const delayed = await client.createJob("echo", "later", { delay: 60_000, priority: -5 });
    const id = String(delayed.jobId);
    expect(await jobJson(["cancel", id])).toMatchObject([{ status: "error", error: "cancelled" }]);
    const retried = await job(["retry", id]);
    expect(retried).toMatch(/^status: +new$/m);
    expect(retried).toMatch(/^attempts: +0\/3$/m);
    expect(retried).toMatch(/^priority: +-5$/m);

    // A running job is cancelled through its worker.
    const long = await client.createJob("sleep", '{"ms": 60000}');
    for (let i = 0; i < 100 && (await client.getJob(long.jobId)).status !== "active"; i++) await pause(50);
    const [waited, fromStdin, slept] = await Promise.all([
      jobJson(["wait", id]),
      jobJson(["create", "echo", "-", "--wait", "5000", "--priority", "-3"], '{"line": 1}\nline 2\n'),
      job(["create", "sleep", '{"ms": 200}', "--wait", "--max-attempts", "1", "--timeout", "5"]),
      job(["cancel", String(long.jobId)]),
    ]);
    expect(waited).toMatchObject([{ status: "done", result: "later" }]);
    expect(fromStdin).toMatchObject([{ status: "done", priority: -3, result: '{"line": 1}\nline 2\n' }]);
    expect(slept).toMatch(/^result: +slept 200 ms$/m);
    expect(slept).toMatch(/^attempts: +1\/1$/m);
    expect(slept).toMatch(/^timeout: +5 s$/m);
    expect(await client.waitForJob(long.jobId, { timeoutMs: 5000 })).toMatchObject({
      status: "error",
      error: "cancelled",
    });
  });

  it("pages a list with --limit and --cursor, and filters by time", async () => {
    const created: Job[] = [];
    for (let i = 0; i < 3; i++) created.push(await client.createJob("paged", String(i), { delay: 60_000 }));
    const since = String(created[0]?.createdAt);
    const first = await job(["list", "--topic", "paged", "--limit", "2", "--since", since]);
    const cursor = /^next page: --cursor (\S+)$/m.exec(first)?.[1];
    expect(cursor).toBeTruthy();
    expect(first.split("\n").filter((line) => / paged /.test(line))).toHaveLength(2);
    const iso = new Date((created[2]?.createdAt as number) + 1).toISOString();
    const [second, none] = await Promise.all([
      jobJson(["list", "--topic", "paged", "--cursor", cursor as string]),
      job(["list", "--topic", "paged", "--since", iso]),
    ]);
    expect(second.map((j) => j.params)).toEqual(["0"]);
    expect(none).toBe("no jobs\n");
    const searched = await jobJson(["list", "--topic", "paged", "--search", "1"]);
    expect(searched.map((j) => j.jobId)).toEqual([created[1]?.jobId]);
  });

  it("exits 1 with one line for bad input, missing jobs and no server", async () => {
    const delayed = await client.createJob("echo", "x", { delay: 60_000 });
    const nowhere = path.join(tempFolder(), "none.sock");
    const errors = await Promise.all([
      jobFails(["get", "999999"]),
      jobFails(["get", "abc"]),
      jobFails(["list", "--status", "bogus"]),
      jobFails(["create", "bad topic", "x"]),
      jobFails(["retry", String(delayed.jobId)]),
      jobFails(["nosuch"]),
      jobFails(["wait", "1", "--redis", "http://x"]),
      jobFails(["wait", String(delayed.jobId), "--timeout", "100"]),
      jobFails(["get", "1", "--request-timeout", "300"], ["--redis-socket", nowhere]),
    ]);
    expect(errors).toEqual([
      "heroagent: job 999999 not found\n",
      expect.stringMatching(/'abc' is invalid for argument 'id'\. must be an integer >= 1/),
      expect.stringMatching(/'bogus' is invalid.*"bogus" is not one of new, active, done, error/),
      expect.stringMatching(/topic/),
      expect.stringMatching(/only a job in error can be retried/),
      expect.stringMatching(/unknown command 'nosuch'/),
      expect.stringMatching(/must be a redis:\/\/ or rediss:\/\/ URL/),
      `heroagent: job ${delayed.jobId} did not finish within 100 ms\n`,
      expect.stringMatching(/^heroagent: cannot reach Redis at unix:.*none\.sock: .*ENOENT/),
    ]);
  });
});
