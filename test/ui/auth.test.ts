/** The UI API's login, sessions, bearer tokens, CSRF, read-only mode, rate limit and secrets in logs. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { call, login, PASSWORD, startUI, type UIHarness } from "./helpers.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "heroagent-ui-auth-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const harnesses: UIHarness[] = [];
afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.factory.stop().catch(() => undefined);
});

async function start(flags: Record<string, unknown> = {}) {
  const harness = await startUI(dir, { enableJobs: false, enableRedis: false, ...flags });
  harnesses.push(harness);
  return harness;
}

describe("UI auth", () => {
  it("needs a login for /api, answers JSON errors, and opens a session with a cookie", async () => {
    const { base } = await start();
    const anonymous = await call(base, "GET", "/api/services");
    expect(anonymous).toMatchObject({ status: 401, body: { error: { code: "HEROAGENT_ERR_UNAUTHORIZED" } } });
    expect((await call(base, "GET", "/api/no-such-route")).status).toBe(401);

    const wrong = await call(base, "POST", "/api/login", { json: { password: "nope" } });
    expect(wrong).toMatchObject({ status: 401, body: { error: { code: "HEROAGENT_ERR_UNAUTHORIZED" } } });
    const invalid = await call(base, "POST", "/api/login", { json: { pass: "x" } });
    expect(invalid).toMatchObject({ status: 400, body: { error: { code: "HEROAGENT_ERR_VALIDATION" } } });

    const response = await fetch(`${base}/api/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ password: PASSWORD }),
    });
    expect(response.status).toBe(200);
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(
      /^heroagent_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/,
    );

    const session = await login(base);
    const services = await call(base, "GET", "/api/services", { session });
    expect(services.status).toBe(200);
    expect(services.body.services.map((s: { name: string }) => s.name)).toEqual([
      "redis",
      "jobs",
      "webdav",
      "ui",
    ]);
    expect(services.body.services[0]).toMatchObject({ name: "redis", enabled: false });
    expect((await call(base, "GET", "/api/session", { session })).body).toMatchObject({
      via: "cookie",
      csrfToken: session.csrf,
    });
    expect((await call(base, "GET", "/api/nope", { session })).body.error.code).toBe(
      "HEROAGENT_ERR_NOT_FOUND",
    );

    expect((await call(base, "POST", "/api/logout", { session })).status).toBe(200);
    expect((await call(base, "GET", "/api/services", { session })).status).toBe(401);
  });

  it("refuses a cookie mutation without the CSRF token, and lets a bearer one through", async () => {
    const { base } = await start();
    const session = await login(base);
    const mkdir = (options: object, name: string) =>
      call(base, "POST", "/api/files/mkdir", { ...options, json: { path: `/${name}` } });
    expect(await mkdir({ session, noCsrf: true }, "a")).toMatchObject({
      status: 403,
      body: { error: { code: "HEROAGENT_ERR_CSRF" } },
    });
    expect((await mkdir({ session: { ...session, csrf: "forged" } }, "a")).status).toBe(403);
    expect((await mkdir({ session }, "a")).status).toBe(201);
    expect((await mkdir({ bearer: PASSWORD }, "b")).status).toBe(201);
    expect((await mkdir({ bearer: "wrong" }, "c")).status).toBe(401);
    expect((await call(base, "GET", "/api/session", { bearer: PASSWORD })).body).toMatchObject({
      via: "bearer",
    });
  });

  it("lets a cookie through beside another Authorization scheme (a proxy's Basic login)", async () => {
    const { base } = await start();
    const session = await login(base);
    const headers = { cookie: session.cookie, authorization: "Basic dXNlcjpwYXNz" };
    for (let i = 0; i < 12; i++) {
      expect((await fetch(`${base}/api/services`, { headers })).status).toBe(200);
    }
    const mutation = await fetch(`${base}/api/files/mkdir`, {
      method: "POST",
      headers: { ...headers, "x-csrf-token": session.csrf, "content-type": "application/json" },
      body: JSON.stringify({ path: "/via-proxy" }),
    });
    expect(mutation.status).toBe(201);
    const alone = await fetch(`${base}/api/services`, { headers: { authorization: headers.authorization } });
    expect(alone.status).toBe(401);
  });

  it("refuses every mutation in read-only mode but login and logout", async () => {
    const { base } = await start({ "ui.readOnly": true });
    const session = await login(base);
    expect((await call(base, "GET", "/api/files", { session })).status).toBe(200);
    const refused = await call(base, "POST", "/api/files/mkdir", { session, json: { path: "/x" } });
    expect(refused).toMatchObject({ status: 403, body: { error: { code: "HEROAGENT_ERR_READ_ONLY" } } });
    expect((await call(base, "DELETE", "/api/files?path=/x", { bearer: PASSWORD })).status).toBe(403);
    expect((await call(base, "POST", "/api/services/webdav/stop", { bearer: PASSWORD })).status).toBe(403);
    expect((await call(base, "POST", "/api/logout", { session })).status).toBe(200);
  });

  it("rate-limits failed logins per address with 429", async () => {
    const { base } = await start();
    for (let i = 0; i < 10; i++) {
      expect((await call(base, "POST", "/api/login", { json: { password: `bad${i}` } })).status).toBe(401);
    }
    const limited = await call(base, "POST", "/api/login", { json: { password: PASSWORD } });
    expect(limited).toMatchObject({ status: 429, body: { error: { code: "HEROAGENT_ERR_RATE_LIMITED" } } });
    expect((await call(base, "GET", "/api/services", { bearer: PASSWORD })).status).toBe(429);
  });

  it("fails to start, naming the ui service, when its port is taken", async () => {
    const first = await start();
    const port = Number(new URL(first.base).port);
    await expect(startUI(dir, { enableJobs: false, enableRedis: false, "ui.port": port })).rejects.toThrow(
      /service "ui" failed to start: .*EADDRINUSE/,
    );
  });

  it("serves /healthz, /readyz and /metrics without a login", async () => {
    const { base } = await start();
    expect(await call(base, "GET", "/healthz")).toMatchObject({ status: 200, body: { status: "ok" } });
    expect(await call(base, "GET", "/readyz")).toMatchObject({ status: 200, body: { status: "ready" } });
    const metrics = await call(base, "GET", "/metrics");
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('heroagent_service_up{service="webdav"} 1');
  });

  it("never logs the password; a generated token is logged exactly once", async () => {
    const harness = await start();
    const session = await login(harness.base);
    await call(harness.base, "POST", "/api/login", { json: { password: "wrong-one" } });
    await call(harness.base, "GET", "/api/services", { bearer: PASSWORD });
    await call(harness.base, "POST", "/api/services/webdav/restart", { session });
    expect(harness.lines.length).toBeGreaterThan(3);
    expect(harness.logText()).not.toContain(PASSWORD);
    expect(harness.logText()).not.toContain(session.csrf);
    expect(harness.logText()).not.toContain(session.cookie.split("=")[1]);

    const open = await start({ "ui.password": "" });
    const line = open.lines.find((l) => String(l.msg).includes("log in with this token"));
    const token = String(line?.msg).split(": ").pop() as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(open.logText().split(token).length - 1).toBe(1);
    expect((await call(open.base, "GET", "/api/services", { bearer: token })).status).toBe(200);
  });
});
