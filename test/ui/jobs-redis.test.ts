/** The UI API's job and Redis routes against a real factory (redis + jobs + webdav + ui). */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embeddedRedisTarget } from "../../src/jobs-service.js";
import { escapeBytes } from "../../src/ui/routes/redis.js";
import { call, login, type Session, startUI, type UIHarness } from "./helpers.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "heroagent-ui-api-"));
let harness: UIHarness;
let session: Session;
let redis: Redis;
beforeAll(async () => {
  harness = await startUI(dir);
  session = await login(harness.base);
  const target = embeddedRedisTarget(harness.factory.config);
  redis = new Redis({ ...(typeof target === "string" ? {} : target), maxRetriesPerRequest: 0 });
});
afterAll(async () => {
  redis?.disconnect();
  await harness?.factory.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const api = (method: string, url: string, json?: unknown) =>
  call(harness.base, method, url, { session, ...(json !== undefined ? { json } : {}) });

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("timed out");
}

describe("UI jobs API", () => {
  it("creates an echo job that goes to done, with its history", async () => {
    const created = await api("POST", "/api/jobs", { topic: "echo", params: "hello <script>x</script>" });
    expect(created.status).toBe(201);
    const id = created.body.job.jobId;
    const done = await waitFor(
      () => api("GET", `/api/jobs/${id}`),
      (reply) => reply.body.job.status === "done",
    );
    expect(done.body.job).toMatchObject({ topic: "echo", result: "hello <script>x</script>" });
    const history = await api("GET", `/api/jobs/${id}/history`);
    expect(history.body.history.map((v: { status: string }) => v.status)).toEqual(["done", "active", "new"]);
  });

  it("lists with filters and a cursor, counts per topic and status", async () => {
    const waiting = [];
    for (let i = 0; i < 3; i++)
      waiting.push((await api("POST", "/api/jobs", { topic: "idle", params: `${i}` })).body.job);
    const page = await api("GET", "/api/jobs?topic=idle&status=new&limit=2");
    expect(page.status).toBe(200);
    expect(page.body.jobs.map((j: { jobId: number }) => j.jobId)).toEqual([
      waiting[2].jobId,
      waiting[1].jobId,
    ]);
    const next = await api(
      "GET",
      `/api/jobs?topic=idle&status=new,active&limit=2&cursor=${page.body.nextCursor}`,
    );
    expect(next.body.jobs.map((j: { jobId: number }) => j.jobId)).toEqual([waiting[0].jobId]);
    const none = await api("GET", `/api/jobs?topic=idle&since=${Date.now() + 60_000}`);
    expect(none.body.jobs).toEqual([]);
    expect((await api("GET", "/api/jobs?status=bogus")).status).toBe(400);
    expect((await api("GET", "/api/jobs?limit=0")).body.error.code).toBe("HEROAGENT_ERR_VALIDATION");
    expect((await api("GET", "/api/jobs?color=red")).status).toBe(400);
    const counts = await api("GET", "/api/jobs/counts");
    expect(counts.body.counts.idle).toEqual({ new: 3, active: 0, done: 0, error: 0 });
  });

  it("searches text in params and results, and cuts values in the summary view", async () => {
    const long = `{"note": "Zebra ${"z".repeat(500)}"}`;
    const created = (await api("POST", "/api/jobs", { topic: "parked", params: long })).body.job;
    await api("POST", "/api/jobs", { topic: "parked", params: '{"note": "horse"}' });
    const echoed = (await api("POST", "/api/jobs", { topic: "echo", params: "zebra crossing" })).body.job;
    await waitFor(
      () => api("GET", `/api/jobs/${echoed.jobId}`),
      (r) => r.body.job.status === "done",
    );
    const found = await api("GET", "/api/jobs?q=ZEBRA&view=summary");
    expect(found.status).toBe(200);
    expect(found.body.jobs.map((j: { jobId: number }) => j.jobId)).toEqual([echoed.jobId, created.jobId]);
    const summary = found.body.jobs[1];
    expect(summary.params).toHaveLength(201);
    expect(summary.params.endsWith("…")).toBe(true);
    expect((await api("GET", `/api/jobs?q=zebra&topic=parked`)).body.jobs[0].params).toBe(long);
    expect((await api("GET", "/api/jobs?q=unicorn")).body.jobs).toEqual([]);
    expect((await api("GET", `/api/jobs?q=${"x".repeat(201)}`)).status).toBe(400);
    expect((await api("GET", "/api/jobs?view=tiny")).status).toBe(400);
  });

  it("cancels and retries, with 409 for transitions the job does not allow", async () => {
    const job = (await api("POST", "/api/jobs", { topic: "never-runs", params: "x" })).body.job;
    const cancelled = await api("POST", `/api/jobs/${job.jobId}/cancel`);
    expect(cancelled.body.job).toMatchObject({ status: "error", error: "cancelled" });
    const again = await api("POST", `/api/jobs/${job.jobId}/cancel`);
    expect(again).toMatchObject({ status: 409, body: { error: { code: "HEROAGENT_ERR_JOB_TRANSITION" } } });
    expect((await api("POST", `/api/jobs/${job.jobId}/retry`)).body.job.status).toBe("new");
    expect((await api("POST", `/api/jobs/${job.jobId}/retry`)).status).toBe(409);
    expect((await api("GET", "/api/jobs/999999")).status).toBe(404);
    expect((await api("GET", "/api/jobs/abc")).status).toBe(400);
    expect((await api("POST", "/api/jobs", { topic: "bad:topic" })).status).toBe(400);
    expect((await api("POST", "/api/jobs", { topic: "t", extra: 1 })).status).toBe(400);
  });

  it("exposes job counts, queue depth and the duration histogram in /metrics", async () => {
    const created = (await api("POST", "/api/jobs", { topic: "echo", params: "m" })).body.job;
    await waitFor(
      () => api("GET", `/api/jobs/${created.jobId}`),
      (reply) => reply.body.job.status === "done",
    );
    const text = (await call(harness.base, "GET", "/metrics")).body as string;
    expect(text).toMatch(/heroagent_jobs\{topic="echo",status="done"\} [1-9]/);
    expect(text).toMatch(/heroagent_job_duration_seconds_count\{topic="echo",status="done"\} [1-9]/);
    expect(text).toContain('heroagent_job_duration_seconds_bucket{le="+Inf",topic="echo",status="done"}');
    expect(text).toMatch(/heroagent_queue_depth\{topic="idle"\} 3/);
    expect(text).toMatch(/heroagent_process_resident_memory_bytes \d+/);
    expect(text).toContain('heroagent_service_up{service="redis"} 1');
  });

  it("counts the embedded Redis server's commands and the WebDAV server's requests in /metrics", async () => {
    for (let i = 0; i < 3; i++) await redis.set("metrics:key", "v");
    await redis.call("incr", "metrics:key").catch(() => undefined); // not an integer: an error reply
    const webdav = harness.factory.status().find((s) => s.name === "webdav")?.details?.url as string;
    for (let i = 0; i < 2; i++) await (await fetch(`${webdav}missing.txt`)).arrayBuffer();
    await (await fetch(webdav, { method: "REPORT" })).arrayBuffer();
    const text = (await call(harness.base, "GET", "/metrics")).body as string;
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? Number.NaN);
    expect(value(/heroagent_redis_commands_total\{command="set"\} (\d+)/)).toBeGreaterThanOrEqual(3);
    expect(value(/heroagent_redis_command_errors_total\{command="incr"\} (\d+)/)).toBeGreaterThanOrEqual(1);
    expect(value(/heroagent_webdav_requests_total\{method="GET",status="404"\} (\d+)/)).toBe(2);
    expect(text).toMatch(/heroagent_webdav_requests_total\{method="OTHER",status="\d+"\} 1/);
    const services = (await api("GET", "/api/services")).body.services;
    const details = (name: string) => services.find((s: { name: string }) => s.name === name).details;
    expect(details("redis").commandsProcessed).toBeGreaterThanOrEqual(4);
    expect(details("redis").connectionsReceived).toBeGreaterThanOrEqual(1);
    expect(details("webdav").requests).toBeGreaterThanOrEqual(3);
  });
});

describe("UI jobs API across a restart of the jobs service", () => {
  it("keeps jobs and feeds the histogram from the new JobManager", async () => {
    const count = async () => {
      const text = (await call(harness.base, "GET", "/metrics")).body as string;
      return Number(
        /heroagent_job_duration_seconds_count\{topic="echo",status="done"\} (\d+)/.exec(text)?.[1] ?? 0,
      );
    };
    const before = await count();
    expect((await api("POST", "/api/services/jobs/restart")).body.service.state).toBe("running");
    await new Promise((resolve) => setTimeout(resolve, 1200)); // the UI looks for a new manager each second
    const job = (await api("POST", "/api/jobs", { topic: "echo", params: "again" })).body.job;
    await waitFor(
      () => api("GET", `/api/jobs/${job.jobId}`),
      (reply) => reply.body.job.status === "done",
    );
    expect(await count()).toBe(before + 1);
  });
});

describe("UI redis API", () => {
  it("reads INFO, scans by pattern and type, reads every type and deletes", async () => {
    await redis.set("ui:s", "text");
    await redis.rpush("ui:l", "a", "b");
    await redis.sadd("ui:set", "x", "y");
    await redis.zadd("ui:z", 1, "one", 2, "two");
    await redis.hset("ui:h", "f", "v");
    await redis.xadd("ui:x", "1-1", "k", "v");
    await redis.rpush("ui:big", ...Array.from({ length: 1500 }, (_, i) => String(i)));
    await redis.pexpire("ui:s", 60_000);

    const info = await api("GET", "/api/redis/info");
    expect(info.body.info.server).toBeDefined();
    let cursor = "0";
    const keys: string[] = [];
    do {
      const page = await api("GET", `/api/redis/keys?pattern=ui:*&cursor=${cursor}&count=3`);
      keys.push(...page.body.keys);
      cursor = page.body.cursor;
    } while (cursor !== "0");
    expect(keys.sort()).toEqual(["ui:big", "ui:h", "ui:l", "ui:s", "ui:set", "ui:x", "ui:z"]);
    const lists = await api("GET", "/api/redis/keys?pattern=ui:*&type=list&count=1000");
    expect(lists.body.keys.sort()).toEqual(["ui:big", "ui:l"]);

    const read = async (key: string) => (await api("GET", `/api/redis/keys/${encodeURIComponent(key)}`)).body;
    expect(await read("ui:s")).toMatchObject({ type: "string", value: "text", truncated: false });
    expect((await read("ui:s")).ttl).toBeGreaterThan(50_000);
    expect(await read("ui:l")).toMatchObject({ type: "list", value: ["a", "b"], ttl: -1 });
    expect((await read("ui:set")).value.sort()).toEqual(["x", "y"]);
    expect((await read("ui:z")).value).toEqual([
      { member: "one", score: 1 },
      { member: "two", score: 2 },
    ]);
    expect((await read("ui:h")).value).toEqual({ f: "v" });
    expect((await read("ui:x")).value).toEqual([{ id: "1-1", fields: { k: "v" } }]);
    const big = await read("ui:big");
    expect(big).toMatchObject({ length: 1500, truncated: true });
    expect(big.value).toHaveLength(1000);

    expect((await api("DELETE", "/api/redis/keys/ui%3Al")).body).toEqual({ deleted: 1 });
    expect(await redis.exists("ui:l")).toBe(0);
    expect((await api("DELETE", "/api/redis/keys/ui%3Al")).status).toBe(404);
    expect((await api("GET", "/api/redis/keys/ui%3Al")).status).toBe(404);
    expect((await api("GET", "/api/redis/keys?type=blob")).status).toBe(400);
  });

  it("reads and deletes keys of any length and spelling", async () => {
    const keys = [`ui:long:${"k".repeat(300)}`, "ui:odd/a b?c#d%e&f=g+h", "ui:ключ 🔑", "ui:\r\n\t"];
    for (const key of keys) {
      await redis.set(key, "v");
      const url = `/api/redis/keys/${encodeURIComponent(key)}`;
      expect((await api("GET", url)).body, key).toMatchObject({ key, type: "string", value: "v" });
      expect((await api("DELETE", url)).body, key).toEqual({ deleted: 1 });
      expect(await redis.exists(key)).toBe(0);
    }
  });

  it("lists, reads and deletes a key whose bytes are not UTF-8 by its exact bytes (key64)", async () => {
    const bin = Buffer.concat([Buffer.from("ui:bin:ab"), Buffer.from([0xff, 0xfe])]);
    const twin = "ui:bin:ab\uFFFD\uFFFD"; // what a lossy UTF-8 decoding of `bin` reads
    const key64 = bin.toString("base64url");
    await redis.set(bin, Buffer.from([0x61, 0xc3, 0x28, 0x5c, 0xff]));
    await redis.pexpire(bin, 60_000);
    await redis.set(twin, "twin");

    const listed = (await api("GET", "/api/redis/keys?pattern=ui:bin:*&count=1000")).body.keys;
    expect(listed).toHaveLength(2);
    expect(listed).toContainEqual(twin);
    expect(listed).toContainEqual({ name: "ui:bin:ab\\xff\\xfe", key64 });

    const read = await api("GET", `/api/redis/key?key64=${key64}`);
    expect(read.body).toEqual({
      key: "ui:bin:ab\\xff\\xfe",
      key64,
      type: "string",
      ttl: expect.any(Number),
      length: 5,
      value: "a\\xc3(\\\\\\xff",
      truncated: false,
      escaped: true,
    });
    expect(read.body.ttl).toBeGreaterThan(50_000);
    // The lossy name is the other key, and the UTF-8 key has no key64 or escaped flag.
    const other = (await api("GET", `/api/redis/keys/${encodeURIComponent(twin)}`)).body;
    expect(other).toEqual({ key: twin, type: "string", ttl: -1, length: 4, value: "twin", truncated: false });
    expect((await api("GET", `/api/redis/key?key=${encodeURIComponent(twin)}`)).body).toEqual(other);
    // key64 of a UTF-8 key names it as well (and the reply is the plain one).
    const twin64 = Buffer.from(twin).toString("base64url");
    expect((await api("GET", `/api/redis/key?key64=${twin64}`)).body).toEqual(other);

    expect((await api("DELETE", `/api/redis/key?key64=${key64}`)).body).toEqual({ deleted: 1 });
    expect(await redis.exists(bin)).toBe(0);
    expect(await redis.get(twin)).toBe("twin");
    const gone = await api("GET", `/api/redis/key?key64=${key64}`);
    expect(gone).toMatchObject({ status: 404, body: { error: { code: "HEROAGENT_ERR_NOT_FOUND" } } });
    expect(gone.body.error.message).toContain("ui:bin:ab\\\\xff\\\\xfe");
    expect((await api("DELETE", `/api/redis/key?key64=${key64}`)).status).toBe(404);
    expect((await api("DELETE", `/api/redis/key?key=${encodeURIComponent(twin)}`)).body).toEqual({
      deleted: 1,
    });
  });

  it("shows values whose bytes are not UTF-8 escaped, in every type", async () => {
    const ff = Buffer.from([0xff]);
    const k = (name: string) => `ui:esc:${name}`;
    await redis.rpush(k("l"), "plain", Buffer.concat([Buffer.from("x"), ff]));
    await redis.sadd(k("set"), ff);
    await redis.zadd(k("z"), 2, ff);
    // A UTF-8 field spelled like the escaped form of a binary one: both stay, told apart.
    await redis.hset(k("h"), Buffer.concat([Buffer.from("f"), ff]), "bin", "f\\xff", "text");
    await redis.xadd(k("x"), "1-1", "k", ff);
    const read = async (name: string) =>
      (await api("GET", `/api/redis/keys/${encodeURIComponent(k(name))}`)).body;
    expect(await read("l")).toMatchObject({ value: ["plain", "x\\xff"], escaped: true });
    expect(await read("set")).toMatchObject({ value: ["\\xff"], escaped: true });
    expect(await read("z")).toMatchObject({ value: [{ member: "\\xff", score: 2 }], escaped: true });
    expect(await read("h")).toMatchObject({ value: { "f\\xff": "bin", "f\\\\xff": "text" }, escaped: true });
    expect(await read("x")).toMatchObject({ value: [{ id: "1-1", fields: { k: "\\xff" } }], escaped: true });
    await redis.rpush(k("utf8"), "é", "\\xff");
    const text = await read("utf8");
    expect(text.value).toEqual(["é", "\\xff"]);
    expect(text).not.toHaveProperty("escaped");
  });

  it("keeps a long UTF-8 string text when its read ends in the middle of a character", async () => {
    await redis.set("ui:euro", "€".repeat(30_000)); // 90,000 bytes; the read stops at 65,536
    const read = (await api("GET", "/api/redis/keys/ui%3Aeuro")).body;
    expect(read).toMatchObject({ length: 90_000, truncated: true, value: "€".repeat(21_845) });
    expect(read).not.toHaveProperty("escaped");
  });

  it("refuses a key64 that is not base64url, and a key named twice or not at all (400)", async () => {
    await redis.set("ui:named", "v");
    const named64 = Buffer.from("ui:named").toString("base64url");
    for (const [query, message] of [
      ["key64=dWk6bmFtZWQ%2B%2F", "key64: must be base64url"], // standard base64's + and /
      ["key64=dWk6b%21", "key64: must be base64url"],
      ["key64=A", "key64: must be base64url"], // no byte ends there
      ["key64=QR", "key64: must be base64url"], // bits left over ("QQ" is the byte 0x41)
      ["key64=QQ%3D", "key64: must be base64url"], // a padding of the wrong length
      ["key64=", "key64"],
      [`key=ui%3Anamed&key64=${named64}`, "exactly one of key and key64"],
      ["", "exactly one of key and key64"],
    ] as const) {
      for (const method of ["GET", "DELETE"]) {
        const reply = await api(method, `/api/redis/key?${query}`);
        expect(reply.status, `${method} ${query}`).toBe(400);
        expect(reply.body.error.code).toBe("HEROAGENT_ERR_VALIDATION");
        expect(reply.body.error.message, `${method} ${query}`).toContain(message);
      }
    }
    expect(await redis.get("ui:named")).toBe("v");
    // Padding is optional: both spellings name the key.
    expect((await api("GET", "/api/redis/key?key64=QQ%3D%3D")).status).toBe(404); // "A": no such key
    expect((await api("GET", `/api/redis/key?key64=${named64}`)).body).toMatchObject({ value: "v" });
    expect((await api("DELETE", `/api/redis/key?key64=${named64}`)).body).toEqual({ deleted: 1 });
  });

  it("escapes bytes reversibly: invalid UTF-8 sequences byte by byte, backslashes doubled", () => {
    const bytes = (...b: number[]) => Buffer.from(b);
    expect(escapeBytes(Buffer.from("ключ 🔑"))).toBe("ключ 🔑");
    expect(escapeBytes(bytes(0x5c, 0x78, 0x66, 0x66, 0xff))).toBe("\\\\xff\\xff");
    expect(escapeBytes(bytes(0xc0, 0x80))).toBe("\\xc0\\x80"); // overlong NUL
    expect(escapeBytes(bytes(0xed, 0xa0, 0x80))).toBe("\\xed\\xa0\\x80"); // a UTF-16 surrogate
    expect(escapeBytes(bytes(0x61, 0xe2, 0x82))).toBe("a\\xe2\\x82"); // a cut "€"
    expect(escapeBytes(bytes(0xe2, 0x82, 0xac, 0x80, 0xf4, 0x90, 0x80, 0x80))).toBe(
      "€\\x80\\xf4\\x90\\x80\\x80",
    );
  });

  it("answers a malformed URL with the API's JSON error", async () => {
    const bad = await api("GET", "/api/redis/keys/%FF");
    expect(bad).toMatchObject({ status: 400, body: { error: { code: "HEROAGENT_ERR_VALIDATION" } } });
    expect(bad.headers.get("cache-control")).toBe("no-store");
  });

  it("browses any database, one at a time", async () => {
    const db3 = new Redis({ ...(redis.options as object), db: 3 });
    try {
      await db3.set("ui:in3", "three");
      const found = await api("GET", "/api/redis/keys?db=3&pattern=ui:in3");
      expect(found.body.keys).toEqual(["ui:in3"]);
      expect((await api("GET", "/api/redis/keys?pattern=ui:in3")).body.keys).toEqual([]);
      expect((await api("GET", "/api/redis/keys/ui%3Ain3?db=3")).body).toMatchObject({ value: "three" });
      expect((await api("GET", "/api/redis/keys/ui%3Ain3")).status).toBe(404);
      expect((await api("DELETE", "/api/redis/keys/ui%3Ain3?db=3")).body).toEqual({ deleted: 1 });
      expect(await db3.exists("ui:in3")).toBe(0);
      const outside = await api("GET", "/api/redis/keys?db=16");
      expect(outside.status).toBe(400);
      expect(outside.body.error.message).toContain("redis.databases");
    } finally {
      db3.disconnect();
    }
  });
});
