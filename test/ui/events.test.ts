/** Live updates: GET /api/events streams job state changes and stats (Server-Sent Events). */
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, login, readEvents, type Session, startUI, type UIHarness } from "./helpers.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "heroagent-ui-events-"));
let harness: UIHarness;
let session: Session;
beforeAll(async () => {
  harness = await startUI(dir);
  session = await login(harness.base);
});
afterAll(async () => {
  await harness?.factory.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("UI live events", () => {
  it("needs a login", async () => {
    expect((await call(harness.base, "GET", "/api/events")).status).toBe(401);
  });

  it("streams a job's state changes as they happen, and stats every second", async () => {
    const response = await fetch(`${harness.base}/api/events`, { headers: { cookie: session.cookie } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    let jobId: number | undefined;
    const create = call(harness.base, "POST", "/api/jobs", {
      session,
      json: { topic: "echo", params: "live" },
    }).then((reply) => {
      jobId = reply.body.job.jobId;
    });
    const events = await readEvents(response, (seen) => {
      const mine = seen.filter((e) => e.event === "job" && e.data.jobId === jobId);
      return (
        mine.some((e) => e.data.status === "done") && seen.filter((e) => e.event === "stats").length >= 2
      );
    });
    await create;
    const transitions = events
      .filter((e) => e.event === "job" && e.data.jobId === jobId)
      .map((e) => [e.data.previous, e.data.status]);
    expect(transitions).toEqual([
      [null, "new"],
      ["new", "active"],
      ["active", "done"],
    ]);
    const stats = events.filter((e) => e.event === "stats").at(-1)?.data as Record<string, unknown>;
    expect(stats.services).toEqual(expect.arrayContaining([{ name: "jobs", state: "running" }]));
    expect((stats.jobs as Record<string, Record<string, number>>).echo?.done).toBeGreaterThanOrEqual(1);
  }, 15_000);

  it("streams the progress a handler reports", async () => {
    const response = await fetch(`${harness.base}/api/events`, { headers: { cookie: session.cookie } });
    let jobId: number | undefined;
    const create = call(harness.base, "POST", "/api/jobs", {
      session,
      json: { topic: "sleep", params: '{"ms": 300}' },
    }).then((reply) => {
      jobId = reply.body.job.jobId;
    });
    const events = await readEvents(response, (seen) =>
      seen.some((e) => e.event === "job" && e.data.jobId === jobId && e.data.status === "done"),
    );
    await create;
    const progress = events.filter((e) => e.event === "progress" && e.data.jobId === jobId);
    expect(progress.length).toBeGreaterThanOrEqual(3);
    const values = progress.map((e) => e.data.progress as number);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(values.every((v) => v > 0 && v <= 100)).toBe(true);
  }, 15_000);

  it("answers HEAD with the headers only, leaving the connection free for the next request", async () => {
    const { port } = new URL(harness.base);
    const socket = net.connect(Number(port), "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    let received = "";
    socket.on("data", (chunk) => {
      received += String(chunk);
    });
    const until = async (done: () => boolean) => {
      for (let i = 0; i < 60 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
    };
    for (const target of ["/api/events", "/api/logs/stream"]) {
      socket.write(`HEAD ${target} HTTP/1.1\r\nhost: x\r\ncookie: ${session.cookie}\r\n\r\n`);
      socket.write("GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n");
      await until(() => received.includes('{"status":"ok"}'));
      expect(received, target).toMatch(/^HTTP\/1\.1 200 [\s\S]*text\/event-stream[\s\S]*HTTP\/1\.1 200 /);
      expect(received, target).toContain('{"status":"ok"}');
      received = "";
    }
    socket.destroy();
  });

  it("ends open streams when the UI stops", async () => {
    const other = await startUI(dir);
    const otherSession = await login(other.base);
    const response = await fetch(`${other.base}/api/events`, { headers: { cookie: otherSession.cookie } });
    const reading = readEvents(response, () => false); // until the stream ends
    await new Promise((resolve) => setTimeout(resolve, 100));
    await other.factory.stop();
    const events = await reading;
    expect(events.some((e) => e.event === "stats")).toBe(true);
  }, 15_000);
});
