/** The benchmark's HTTP client: keep-alive requests, streamed bodies, and a peak-RSS sampler. */
import { execFile } from "node:child_process";
import { createReadStream } from "node:fs";
import { Agent, request } from "node:http";
import type { Readable } from "node:stream";

/** Keep-alive connections, at most 64 per server (more than the bench's concurrency). */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

export interface Reply {
  status: number;
  bytes: number;
}

/** One request; the response body is counted and dropped. */
export function send(
  url: string,
  method: string,
  body?: Buffer | string | Readable,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const length =
      typeof body === "string" || Buffer.isBuffer(body)
        ? { "Content-Length": String(Buffer.byteLength(body)) }
        : {};
    const req = request(url, { method, agent, headers: { ...length, ...headers } }, (res) => {
      let bytes = 0;
      res.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, bytes }));
      res.on("error", reject);
    });
    req.on("error", reject);
    if (body === undefined || typeof body === "string" || Buffer.isBuffer(body)) req.end(body);
    else body.pipe(req);
  });
}

export function putFile(url: string, file: string, size: number): Promise<Reply> {
  return send(url, "PUT", createReadStream(file, { highWaterMark: 1024 * 1024 }), {
    "Content-Length": String(size),
  });
}

/** Samples `rss()` every 50 ms while `work` runs; returns its result and the peak. */
export async function withPeakRss<T>(
  rss: () => number,
  work: () => Promise<T>,
): Promise<{ result: T; peak: number }> {
  let peak = rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, rss());
  }, 50);
  try {
    const result = await work();
    peak = Math.max(peak, rss());
    return { result, peak };
  } finally {
    clearInterval(timer);
  }
}

export function expectStatus(reply: Reply, allowed: number[], what: string): void {
  if (!allowed.includes(reply.status)) throw new Error(`${what}: unexpected status ${reply.status}`);
}

/**
 * GET with curl (body to /dev/null): a C client needs a fifth of the CPU of Node's for a large
 * body, so it does not cap the servers' rate (Node's needs most of a core at ~1 GiB/s).
 * Undefined when curl is not installed.
 */
export function curlGet(url: string): Promise<Reply | undefined> {
  return new Promise((resolve, reject) => {
    execFile(
      "curl",
      ["-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", url],
      (error, stdout) => {
        if ((error as NodeJS.ErrnoException | null)?.code === "ENOENT") return resolve(undefined);
        if (error) return reject(error);
        const [status, bytes] = stdout.trim().split(" ").map(Number);
        resolve({ status: status ?? 0, bytes: bytes ?? 0 });
      },
    );
  });
}
