/** The UI API's file routes, service control, readiness and OpenAPI document. */
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, login, PASSWORD, type Session, startUI, type UIHarness } from "./helpers.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "heroagent-ui-files-"));
let harness: UIHarness;
let session: Session;
beforeAll(async () => {
  harness = await startUI(dir, { "ui.maxUploadSize": 1024 * 1024 });
  session = await login(harness.base);
});
afterAll(async () => {
  await harness?.factory.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const api = (method: string, url: string, json?: unknown) =>
  call(harness.base, method, url, { session, ...(json !== undefined ? { json } : {}) });

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

describe("UI files API", () => {
  it("makes folders, uploads, lists, downloads and deletes", async () => {
    const root = path.join(harness.home, "files");
    expect((await api("POST", "/api/files/mkdir", { path: "/docs" })).status).toBe(201);
    expect((await api("POST", "/api/files/mkdir", { path: "/docs" })).status).toBe(409);
    const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
    const upload = await call(harness.base, "PUT", "/api/files/content?path=/docs/a%20b.bin", {
      session,
      body: bytes,
    });
    expect(upload).toMatchObject({ status: 201, body: { path: "/docs/a b.bin", size: bytes.length } });
    expect(fs.readFileSync(path.join(root, "docs", "a b.bin")).equals(bytes)).toBe(true);

    const listing = await api("GET", "/api/files?path=/docs");
    expect(listing.body.entries).toMatchObject([
      { path: "/docs/a b.bin", isCollection: false, size: 300_000 },
    ]);
    expect((await api("GET", "/api/files")).body.entries.map((e: { path: string }) => e.path)).toEqual([
      "/docs",
    ]);

    const response = await fetch(
      `${harness.base}/api/files/content?path=${encodeURIComponent("/docs/a b.bin")}`,
      {
        headers: { cookie: session.cookie },
      },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toContain("a%20b.bin");
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);

    expect((await api("DELETE", "/api/files?path=/docs")).body).toEqual({ deleted: "/docs" });
    expect(fs.existsSync(path.join(root, "docs"))).toBe(false);
    expect((await api("DELETE", "/api/files?path=/docs")).status).toBe(404);
    expect((await api("GET", "/api/files/content?path=/nothing")).status).toBe(404);
  });

  it("stores an upload sent as application/json byte for byte", async () => {
    const text = '{"not": "parsed",   "kept": true}';
    const response = await fetch(`${harness.base}/api/files/content?path=/data.json`, {
      method: "PUT",
      headers: { cookie: session.cookie, "x-csrf-token": session.csrf, "content-type": "application/json" },
      body: text,
    });
    expect(response.status).toBe(201);
    expect(fs.readFileSync(path.join(harness.home, "files", "data.json"), "utf8")).toBe(text);
    const tooBig = await api("POST", "/api/files/mkdir", { path: "x".repeat(5 * 1024 * 1024) });
    expect(tooBig).toMatchObject({
      status: 413,
      body: { error: { code: "HEROAGENT_ERR_PAYLOAD_TOO_LARGE" } },
    });
    expect((await fetch(`${harness.base}/healthz`, { method: "HEAD" })).status).toBe(200);
  });

  it("refuses uploads over ui.maxUploadSize with 413", async () => {
    const big = Buffer.alloc(1024 * 1024 + 1);
    const reply = await call(harness.base, "PUT", "/api/files/content?path=/big.bin", { session, body: big });
    expect(reply).toMatchObject({
      status: 413,
      body: { error: { code: "HEROAGENT_ERR_PAYLOAD_TOO_LARGE" } },
    });
    expect(fs.existsSync(path.join(harness.home, "files", "big.bin"))).toBe(false);
  });

  it("names downloads in a Content-Disposition any client can parse (RFC 8187 attr-chars only)", async () => {
    const name = "it's (1) *ü* 50%;\".txt";
    const url = `/api/files/content?path=${encodeURIComponent(`/${name}`)}`;
    expect((await call(harness.base, "PUT", url, { session, body: "x" })).status).toBe(201);
    const response = await fetch(`${harness.base}${url}`, { headers: { cookie: session.cookie } });
    const header = response.headers.get("content-disposition") ?? "";
    const value = /^attachment; filename\*=UTF-8''([A-Za-z0-9!#$&+.^_`|~%-]+)$/.exec(header)?.[1];
    expect(value, header).toBeDefined();
    expect(decodeURIComponent(value as string)).toBe(name);
    await response.arrayBuffer();
  });

  it("closes the connection of an upload refused midway (chunked, past ui.maxUploadSize)", async () => {
    // The rest of the body is never read: a connection left open would sit paused, never notice
    // its client leaving, and hold the UI's stop forever.
    const { port } = new URL(harness.base);
    const socket = net.connect(Number(port), "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    let reply = "";
    socket.on("data", (chunk) => {
      reply += String(chunk);
    });
    const closed = new Promise<boolean>((resolve) => {
      socket.once("close", () => resolve(true));
      setTimeout(() => resolve(false), 3000);
    });
    socket.write(
      "PUT /api/files/content?path=/chunked.bin HTTP/1.1\r\nhost: x\r\n" +
        `cookie: ${session.cookie}\r\nx-csrf-token: ${session.csrf}\r\n` +
        "content-type: application/octet-stream\r\ntransfer-encoding: chunked\r\n\r\n",
    );
    const piece = Buffer.alloc(256 * 1024, 97);
    for (let i = 0; i < 6 && !reply; i++) {
      socket.write(`${piece.length.toString(16)}\r\n`);
      socket.write(piece);
      socket.write("\r\n");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const wasClosed = await closed;
    socket.destroy();
    expect(reply).toMatch(/^HTTP\/1\.1 413 /);
    expect(wasClosed).toBe(true);
    expect(fs.existsSync(path.join(harness.home, "files", "chunked.bin"))).toBe(false);
  });

  it("stops at once while a client holds a download open without reading it", async () => {
    const other = await startUI(dir);
    const otherSession = await login(other.base);
    const big = Buffer.alloc(8 * 1024 * 1024, 1);
    const put = await call(other.base, "PUT", "/api/files/content?path=/big.bin", {
      session: otherSession,
      body: big,
    });
    expect(put.status).toBe(201);
    const { port } = new URL(other.base);
    const socket = net.connect(Number(port), "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.pause(); // a stalled reader: the reply fills the socket's buffers and waits
    socket.write(
      `GET /api/files/content?path=/big.bin HTTP/1.1\r\nhost: x\r\ncookie: ${otherSession.cookie}\r\n\r\n`,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stopped = await Promise.race([
      other.factory.stop().then(() => "stopped"),
      new Promise((resolve) => setTimeout(() => resolve("still stopping"), 3000)),
    ]);
    socket.destroy();
    expect(stopped).toBe("stopped");
  });

  it("refuses a path that is not well-formed Unicode with 400", async () => {
    const lone = await api("POST", "/api/files/mkdir", { path: "/a\ud800b" });
    expect(lone).toMatchObject({ status: 400, body: { error: { code: "HEROAGENT_ERR_VALIDATION" } } });
  });

  it("refuses paths that climb out of the root: .., encoded, backslash, NUL, the reserved folder", async () => {
    const outside = path.join(harness.home, "outside.txt");
    fs.writeFileSync(outside, "secret");
    // What the server sees after the query string is decoded.
    const attempts = [
      "../outside.txt",
      "/../outside.txt",
      "/a/../../outside.txt",
      "..\\outside.txt",
      "/x\u0000y",
      "/.heroagent",
    ];
    for (const attempt of attempts) {
      const url = `/api/files/content?path=${encodeURIComponent(attempt)}`;
      const get = await api("GET", url);
      expect([400, 403], `${attempt}: ${get.status}`).toContain(get.status);
      expect(JSON.stringify(get.body)).not.toContain("secret");
      const put = await call(harness.base, "PUT", url, { session, body: "pwned" });
      expect([400, 403], `${attempt}: ${put.status}`).toContain(put.status);
      expect(
        (await api("DELETE", `/api/files?path=${encodeURIComponent(attempt)}`)).status,
      ).toBeGreaterThanOrEqual(400);
    }
    // Encoded on the wire: the query string decodes them to the forms above.
    for (const raw of ["%2e%2e/outside.txt", "%2E%2E%2Foutside.txt", "..%00", "%2e%2e%5coutside.txt"]) {
      expect([400, 403]).toContain((await api("GET", `/api/files/content?path=${raw}`)).status);
    }
    // A name that only looks encoded is a plain name inside the root, never decoded twice.
    const literal = await call(
      harness.base,
      "PUT",
      `/api/files/content?path=${encodeURIComponent("..%2Foutside.txt")}`,
      {
        session,
        body: "inside",
      },
    );
    expect(literal.status).toBe(201);
    expect(fs.readFileSync(path.join(harness.home, "files", "..%2Foutside.txt"), "utf8")).toBe("inside");
    expect(fs.readFileSync(outside, "utf8")).toBe("secret");
    expect(fs.readdirSync(harness.home).sort()).toEqual(["files", "jobsdb", "outside.txt", "redis.sock"]);
  });
});

describe("UI services API", () => {
  it("stops and starts webdav (its port closes and reopens); readyz is 503 meanwhile", async () => {
    const webdav = () =>
      harness.factory.status().find((s) => s.name === "webdav") as { address?: string; state: string };
    const port = Number(webdav().address?.split(":")[1]);
    expect(await canConnect(port)).toBe(true);

    const stopped = await api("POST", "/api/services/webdav/stop");
    expect(stopped).toMatchObject({ status: 200, body: { service: { name: "webdav", state: "stopped" } } });
    expect(await canConnect(port)).toBe(false);
    const ready = await call(harness.base, "GET", "/readyz");
    expect(ready).toMatchObject({
      status: 503,
      body: { notRunning: [{ name: "webdav", state: "stopped" }] },
    });
    expect((await api("GET", "/api/files")).body.error.code).toBe("HEROAGENT_ERR_SERVICE_NOT_RUNNING");
    expect((await call(harness.base, "GET", "/metrics")).body).toContain(
      'heroagent_service_up{service="webdav"} 0',
    );

    expect((await api("POST", "/api/services/webdav/start")).body.service.state).toBe("running");
    expect(await canConnect(Number(webdav().address?.split(":")[1]))).toBe(true);
    expect((await call(harness.base, "GET", "/readyz")).status).toBe(200);
    expect((await api("POST", "/api/services/webdav/restart")).body.service.state).toBe("running");
    expect((await api("GET", "/api/files")).status).toBe(200);
  });

  it("refuses to stop the UI itself or redis under jobs (409), and unknown names (400)", async () => {
    expect(await api("POST", "/api/services/ui/stop")).toMatchObject({
      status: 409,
      body: { error: { code: "HEROAGENT_ERR_CONFLICT" } },
    });
    expect(await api("POST", "/api/services/redis/stop")).toMatchObject({
      status: 409,
      body: { error: { code: "HEROAGENT_ERR_SERVICE_DEPENDENCY" } },
    });
    expect((await api("POST", "/api/services/nope/stop")).status).toBe(400);
    expect((await api("POST", "/api/services/webdav/explode")).status).toBe(400);
  });

  it("reports the host and the process in /api/system", async () => {
    const system = (await api("GET", "/api/system")).body;
    expect(system.process).toMatchObject({ pid: process.pid });
    expect(system.process.rss).toBeGreaterThan(0);
    expect(system.host.cpus).toBeGreaterThan(0);
    expect(system.disks[0].total).toBeGreaterThan(0);
    expect(Array.isArray(system.network)).toBe(true);
  });
});

describe("UI reply compression", () => {
  /** The raw reply (no automatic decoding, unlike fetch). */
  function rawGet(url: string, acceptEncoding?: string) {
    return new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const headers: Record<string, string> = { authorization: `Bearer ${PASSWORD}` };
      if (acceptEncoding) headers["accept-encoding"] = acceptEncoding;
      http
        .get(`${harness.base}${url}`, { headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        })
        .on("error", reject);
    });
  }

  it("compresses large JSON replies for clients that accept br or gzip, and not small ones", async () => {
    const plain = await rawGet("/api/openapi.json");
    expect(plain.headers["content-encoding"]).toBeUndefined();
    const doc = JSON.parse(plain.body.toString("utf8"));
    const br = await rawGet("/api/openapi.json", "gzip, br");
    expect(br.headers["content-encoding"]).toBe("br");
    expect(br.headers.vary).toContain("accept-encoding");
    expect(br.body.length).toBeLessThan(plain.body.length / 3);
    expect(JSON.parse(zlib.brotliDecompressSync(br.body).toString("utf8"))).toEqual(doc);
    const gz = await rawGet("/api/openapi.json", "gzip;q=1, br;q=0");
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(JSON.parse(zlib.gunzipSync(gz.body).toString("utf8"))).toEqual(doc);
    const small = await rawGet("/healthz", "br");
    expect(small.headers["content-encoding"]).toBeUndefined();
    expect(JSON.parse(small.body.toString("utf8"))).toEqual({ status: "ok" });
  });
});

describe("UI OpenAPI document", () => {
  it("lists every route with its parameters, and needs a login", async () => {
    expect((await call(harness.base, "GET", "/api/openapi.json")).status).toBe(401);
    const doc = (await api("GET", "/api/openapi.json")).body;
    expect(doc.openapi).toBe("3.1.0");
    const operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([url, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${url}`),
    );
    expect(operations.sort()).toEqual(
      [
        "POST /api/login",
        "POST /api/logout",
        "GET /api/session",
        "GET /api/services",
        "POST /api/services/{name}/{action}",
        "POST /api/jobs",
        "GET /api/jobs",
        "GET /api/jobs/counts",
        "GET /api/jobs/timeline",
        "GET /api/jobs/{id}",
        "GET /api/jobs/{id}/history",
        "POST /api/jobs/{id}/cancel",
        "POST /api/jobs/{id}/retry",
        "GET /api/redis/info",
        "GET /api/redis/keys",
        "GET /api/redis/keys/{key}",
        "DELETE /api/redis/keys/{key}",
        "GET /api/redis/key",
        "DELETE /api/redis/key",
        "GET /api/files",
        "GET /api/files/content",
        "PUT /api/files/content",
        "POST /api/files/mkdir",
        "DELETE /api/files",
        "GET /api/system",
        "GET /api/system/history",
        "GET /api/logs",
        "GET /api/logs/stream",
        "GET /api/events",
        "GET /healthz",
        "GET /readyz",
        "GET /metrics",
        "GET /api/openapi.json",
      ].sort(),
    );
    const list = doc.paths["/api/jobs"].get;
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual([
      "topic",
      "status",
      "since",
      "until",
      "limit",
      "cursor",
      "q",
      "view",
    ]);
    expect(doc.paths["/api/jobs"].post.requestBody.content["application/json"].schema.required).toEqual([
      "topic",
    ]);
    expect(doc.paths["/healthz"].get.security).toEqual([]);
  });
});
