/** A ServerFactory with redis, jobs, webdav and ui on free ports and temp dirs, and an API client. */
import fs from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { loadConfig } from "../../src/config.js";
import { ServerFactory } from "../../src/factory.js";
import { LogBuffer } from "../../src/log-buffer.js";
import { createLogger } from "../../src/logger.js";

export const PASSWORD = "s3cret-Pa55word-for-tests";

export interface UIHarness {
  factory: ServerFactory;
  base: string;
  home: string;
  /** Every log line as written (JSON text). */
  logText: () => string;
  lines: Array<Record<string, unknown>>;
}

export async function startUI(root: string, flags: Record<string, unknown> = {}): Promise<UIHarness> {
  const home = fs.mkdtempSync(path.join(root, "f-"));
  const config = loadConfig({
    flags: {
      "redis.tcpPort": 0,
      "redis.unixSocketPath": path.join(home, "redis.sock"),
      "jobs.ourdbPath": path.join(home, "jobsdb"),
      "jobs.queuePollInterval": 20,
      "webdav.port": 0,
      "webdav.root": path.join(home, "files"),
      "ui.port": 0,
      "ui.password": PASSWORD,
      ...flags,
    },
  });
  const text: string[] = [];
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      text.push(String(chunk));
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const logs = new LogBuffer();
  const factory = new ServerFactory(config, { logger: createLogger("debug", sink, logs), logs });
  await factory.start();
  const ui = factory.status().find((s) => s.name === "ui");
  const base = String(ui?.details?.url).replace(/\/$/, "");
  return { factory, base, home, logText: () => text.join(""), lines };
}

export interface Session {
  cookie: string;
  csrf: string;
}

export async function login(base: string, password = PASSWORD): Promise<Session> {
  const response = await fetch(`${base}/api/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ password }),
  });
  if (response.status !== 200) throw new Error(`login: ${response.status} ${await response.text()}`);
  const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0] as string;
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  return { cookie, csrf: csrfToken };
}

/** A parsed reply body: JSON (loosely typed, for assertions) or text. */
// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON shapes
export type Reply = any;

export interface CallOptions {
  session?: Session;
  bearer?: string;
  json?: unknown;
  body?: string | Uint8Array | ReadableStream;
  /** Leave out the CSRF header of a cookie session. */
  noCsrf?: boolean;
}

/** Calls the API; returns the status and the parsed JSON (or text) body. */
export async function call(
  base: string,
  method: string,
  url: string,
  options: CallOptions = {},
): Promise<{ status: number; body: Reply; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (options.session) {
    headers.cookie = options.session.cookie;
    if (!options.noCsrf) headers["x-csrf-token"] = options.session.csrf;
  }
  if (options.bearer !== undefined) headers.authorization = `Bearer ${options.bearer}`;
  let body = options.body;
  if (options.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.json);
  }
  const response = await fetch(`${base}${url}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await response.text();
  let parsed: unknown = text;
  if ((response.headers.get("content-type") ?? "").includes("json")) parsed = JSON.parse(text);
  return { status: response.status, body: parsed, headers: response.headers };
}

export interface ServerEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Reads server-sent events from `response` until `until` says stop (or the stream ends). */
export async function readEvents(
  response: Response,
  until: (events: ServerEvent[]) => boolean,
): Promise<ServerEvent[]> {
  const events: ServerEvent[] = [];
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  while (!until(events)) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data) events.push({ event, data: JSON.parse(data) });
      end = buffer.indexOf("\n\n");
    }
  }
  await reader.cancel().catch(() => undefined);
  return events;
}
