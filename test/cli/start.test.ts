import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { type CliProcess, runCli } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "heroagent-cli-"));
const running: CliProcess[] = [];
const allServicesOff = ["--no-enable-redis", "--no-enable-webdav", "--no-enable-ui", "--no-enable-jobs"];

function start(args: string[], env: Record<string, string> = {}): CliProcess {
  const cli = runCli(["start", ...args], env);
  running.push(cli);
  return cli;
}

afterEach(() => {
  // A failed assertion must not leave a server running.
  for (const cli of running.splice(0)) if (cli.child.exitCode === null) cli.child.kill("SIGKILL");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("heroagent start", () => {
  it("runs with every service disabled until SIGTERM, then exits 0", async () => {
    const cli = start(allServicesOff);
    const started = await cli.waitForLog("heroagent started");
    expect(started).toMatchObject({ level: 30, running: 0, services: 0 });
    // Still running after logging: a server does not exit on its own.
    expect(cli.child.exitCode).toBeNull();

    cli.child.kill("SIGTERM");
    const result = await cli.exited;
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(cli.logs().map((line) => line.msg)).toEqual([
      "heroagent started",
      "stopping",
      "heroagent stopped",
    ]);
  });

  it("reads a config file, logs one line per service, and exits 0 on SIGINT", async () => {
    const file = join(dir, "heroagent.yaml");
    const socket = join(dir, "redis.sock");
    const jobsdb = join(dir, "jobsdb");
    writeFileSync(
      file,
      `logLevel: debug\nenableWebDAV: false\nredis:\n  tcpPort: 0\n  unixSocketPath: ${socket}\njobs:\n  ourdbPath: ${jobsdb}\n`,
    );
    const cli = start(["--config", file, "--no-enable-ui"]);
    await cli.waitForLog("heroagent started");
    const effective = cli.logs().find((line) => line.msg === "effective config");
    expect(effective?.config).toMatchObject({ enableWebDAV: false, enableUI: false, redis: { tcpPort: 0 } });
    const jobs = cli.logs().find((line) => line.msg === "job system ready");
    expect(jobs).toMatchObject({
      service: "jobs",
      redis: "embedded (in-process)",
      ourdbPath: jobsdb,
      shell: false,
    });
    expect(cli.logs().filter((line) => line.msg === "service not available in this build")).toEqual([]);

    cli.child.kill("SIGINT");
    expect(await cli.exited).toMatchObject({ code: 0, stderr: "" });
  });

  it("exits 1 with one stderr line when the environment has an invalid value", async () => {
    const result = await start(allServicesOff, { HEROAGENT_REDIS_TCP_PORT: "abc" }).exited;
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'heroagent: invalid config: redis.tcpPort must be an integer from 0 to 65535 (got "abc" from HEROAGENT_REDIS_TCP_PORT)\n',
    );
    expect(result.stdout).toBe("");
  });

  it("exits 1 with one stderr line naming a config file that cannot be read", async () => {
    const missing = join(dir, "missing.yaml");
    const result = await start(["--config", missing]).exited;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`^heroagent: cannot read config file ${missing}: .*ENOENT[^\\n]*\\n$`),
    );
  });

  it("exits 1 with one stderr line for a bad flag value", async () => {
    const result = await start(["--jobs-worker-count", "many", ...allServicesOff]).exited;
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'heroagent: invalid config: jobs.workerCount must be an integer >= 0 (got "many" from --jobs-worker-count)\n',
    );
  });
});

describe("heroagent", () => {
  it("prints the package version", async () => {
    const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    const result = await runCli(["--version"]).exited;
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n` });
  });
});
