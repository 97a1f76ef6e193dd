/** The UI's data over time: recent logs and their live tail, the jobs timeline, system history. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, login, type Reply, readEvents, type Session, startUI, type UIHarness } from "./helpers.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "heroagent-ui-live-"));
let harness: UIHarness;
let session: Session;
const api = (method: string, url: string, json?: unknown) =>
  call(harness.base, method, url, { session, ...(json !== undefined ? { json } : {}) });

beforeAll(async () => {
  // No ui.password: the start log carries a generated token, which the Logs page must not show.
  harness = await startUI(dir, { "ui.password": "" });
  const token = /shown once\): ([\w-]+)/.exec(harness.logText())?.[1] as string;
  session = await login(harness.base, token);
});
afterAll(async () => {
  await harness?.factory.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("UI logs", () => {
  it("answers the recent lines, filtered, with the generated token masked", async () => {
    const token = /shown once\): ([\w-]+)/.exec(harness.logText())?.[1] as string;
    expect(token.length).toBeGreaterThan(20);
    const all = await api("GET", "/api/logs?limit=1000&level=trace");
    expect(all.status).toBe(200);
    const text = JSON.stringify(all.body.lines);
    expect(text).toContain("service started");
    expect(text).toContain("shown once): [redacted]");
    expect(text).not.toContain(token);
    const warnings = (await api("GET", "/api/logs?level=warn")).body.lines;
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.every((l: { level: string }) => ["warn", "error", "fatal"].includes(l.level))).toBe(true);
    const webdav = (await api("GET", "/api/logs?service=webdav&q=STARTED")).body.lines;
    expect(webdav.map((l: { service: string; msg: string }) => [l.service, l.msg])).toContainEqual([
      "webdav",
      "service started",
    ]);
    expect((await api("GET", "/api/logs?level=loud")).status).toBe(400);
    expect((await call(harness.base, "GET", "/api/logs")).status).toBe(401);
  });

  it("tails new lines live", async () => {
    const response = await fetch(`${harness.base}/api/logs/stream?level=info&service=webdav`, {
      headers: { cookie: session.cookie },
    });
    expect(response.status).toBe(200);
    const reading = readEvents(response, (events) => events.some((e) => e.data.msg === "service started"));
    await api("POST", "/api/services/webdav/restart");
    const events = await reading;
    expect(events.every((e) => e.event === "log" && e.data.service === "webdav")).toBe(true);
    const messages = events.map((e) => e.data.msg);
    expect(messages.indexOf("service stopped")).toBeGreaterThanOrEqual(0);
    expect(messages.indexOf("service stopped")).toBeLessThan(messages.indexOf("service started"));
  });
});

describe("UI timeline and system history", () => {
  it("counts the jobs that ran, with their run and wait times", async () => {
    const created = [];
    for (let i = 0; i < 5; i++)
      created.push((await api("POST", "/api/jobs", { topic: "echo", params: `${i}` })).body.job);
    // Until the five are done (each is counted when its done version is stored).
    let body: Reply = {};
    for (let tries = 0; tries < 200; tries++) {
      body = (await api("GET", "/api/jobs/timeline?range=15m")).body;
      if (body.points.reduce((n: number, p: { done: number }) => n + p.done, 0) >= 5) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(created).toHaveLength(5);
    expect(body.bucketMs).toBe(10_000);
    const sum = (key: string) =>
      body.points.reduce((n: number, p: Record<string, number>) => n + (p[key] ?? 0), 0);
    expect(sum("created")).toBe(5);
    expect(sum("done")).toBe(5);
    const busy = body.points.filter((p: { done: number }) => p.done > 0);
    expect(busy.every((p: { runP50Ms: number | null }) => p.runP50Ms !== null && p.runP50Ms < 5000)).toBe(
      true,
    );
    expect((await api("GET", "/api/jobs/timeline?range=24h")).body.bucketMs).toBe(300_000);
    expect((await api("GET", "/api/jobs/timeline?range=2d")).status).toBe(400);
  });

  it("keeps samples of the host and the process every 2 s", async () => {
    await new Promise((resolve) => setTimeout(resolve, 2300));
    const { body } = await api("GET", "/api/system/history");
    expect(body.intervalMs).toBe(2000);
    expect(body.samples.length).toBeGreaterThanOrEqual(1);
    const sample = body.samples.at(-1);
    expect(sample.cpu).toBeGreaterThanOrEqual(0);
    expect(sample.cpu).toBeLessThanOrEqual(1);
    expect(sample.rss).toBeGreaterThan(10 * 1024 * 1024);
    expect(sample.memTotal).toBe(os.totalmem());
    const newer = await api("GET", `/api/system/history?since=${sample.time}`);
    expect(newer.body.samples).toEqual([]);
    expect((await api("GET", "/api/system/history?since=soon")).status).toBe(400);
  });
});
