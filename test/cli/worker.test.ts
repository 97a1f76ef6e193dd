import { afterEach, describe, expect, it } from "vitest";
import { type CliProcess, runCli, runCliOnce } from "../helpers/cli.js";
import { eventually, openManager } from "../jobs/backends.js";
import { socketPath, startServer } from "../redis/helpers.js";

const running: CliProcess[] = [];

afterEach(() => {
  for (const cli of running.splice(0)) if (cli.child.exitCode === null) cli.child.kill("SIGKILL");
});

function worker(args: string[]): CliProcess {
  const cli = runCli(["worker", "--poll-interval", "20", "--lease-timeout", "1000", ...args]);
  running.push(cli);
  return cli;
}

describe("heroagent worker", () => {
  it("runs built-in jobs, logs without the password, and stops cleanly on SIGTERM", async () => {
    const redis = await startServer({ password: "s3cret-pw" });
    const url = `redis://:s3cret-pw@127.0.0.1:${redis.port}`;
    const manager = await openManager(url, { workerCount: 0 });
    const cli = worker([
      "--redis",
      url,
      "--topics",
      "echo, sleep",
      "--concurrency",
      "3",
      "--worker-id",
      "w1",
    ]);
    const started = await cli.waitForLog("worker started");
    expect(started).toMatchObject({
      level: 30,
      workerId: "w1",
      topics: ["echo", "sleep"],
      concurrency: 3,
      redis: `redis://127.0.0.1:${redis.port}`,
    });

    const echo = await manager.createJob("echo", "from afar");
    expect(await manager.waitForJob(echo.jobId, { timeoutMs: 5000 })).toMatchObject({
      status: "done",
      result: "from afar",
      workerId: "w1",
    });
    // A running job is given back when the worker stops, without counting the run.
    const sleep = await manager.createJob("sleep", '{"ms": 30000}');
    await eventually(async () => (await manager.getJob(sleep.jobId)).status === "active");
    cli.child.kill("SIGTERM");
    const exit = await cli.exited;
    expect(exit).toMatchObject({ code: 0, stderr: "" });
    expect(exit.stdout).not.toContain("s3cret-pw");
    expect(cli.logs().map((line) => line.msg)).toEqual(["worker started", "stopping", "worker stopped"]);
    await eventually(async () => (await manager.getJob(sleep.jobId)).status === "new");
    expect(await manager.getJob(sleep.jobId)).toMatchObject({ attempts: 0, error: "worker stopped" });
  });

  it("takes a Unix socket, and every built-in topic by default", async () => {
    const socket = socketPath();
    const redis = await startServer({ unixSocketPath: socket });
    const manager = await openManager({ path: socket }, { workerCount: 0 });
    const cli = worker(["--redis-socket", socket, "--enable-shell"]);
    expect(await cli.waitForLog("worker started")).toMatchObject({
      topics: ["echo", "sleep", "shell"],
      redis: `unix:${socket}`,
    });
    const shell = await manager.createJob("shell", '{"command": "echo shell works"}');
    expect(await manager.waitForJob(shell.jobId, { timeoutMs: 5000 })).toMatchObject({
      status: "done",
      result: "shell works\n",
    });
    expect(redis.port).toBeGreaterThan(0);
    cli.child.kill("SIGINT");
    expect(await cli.exited).toMatchObject({ code: 0 });
  });

  it("refuses unknown topics and bad flags with one line", async () => {
    const results = await Promise.all([
      runCliOnce(["worker", "--topics", "echo,email"]),
      runCliOnce(["worker", "--topics", "shell"]),
      runCliOnce(["worker", "--concurrency", "0"]),
      runCliOnce(["worker", "--worker-id", "a:b"]),
    ]);
    for (const result of results) {
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^heroagent: [^\n]+\n$/);
    }
    expect(results.map((r) => r.stderr)).toEqual([
      'heroagent: no built-in handler for topic "email": available echo, sleep (shell with --enable-shell)\n',
      'heroagent: no built-in handler for topic "shell": available echo, sleep (shell with --enable-shell)\n',
      expect.stringMatching(/--concurrency.*'0' is invalid\. must be an integer from 1 to 10000/),
      expect.stringMatching(/workerId must be letters, digits/),
    ]);
  });
});
