/** Shared setup of the WebDAV tests: servers on free ports over each FileSystem, and raw requests. */
import { mkdtempSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalFileSystem } from "../../src/webdav/filesystem/local.js";
import { MemoryFileSystem } from "../../src/webdav/filesystem/memory.js";
import type { FileSystem } from "../../src/webdav/filesystem/types.js";
import { WebDAVServer, type WebDAVServerOptions } from "../../src/webdav/server.js";

export interface FileSystemFixture {
  name: string;
  create(): { fileSystem: FileSystem; root?: string; cleanup(): void };
}

/** Every FileSystem implementation: the conformance and protocol suites run once per entry. */
export const fileSystems: FileSystemFixture[] = [
  {
    name: "local",
    create() {
      const root = mkdtempSync(join(tmpdir(), "heroagent-webdav-"));
      return {
        fileSystem: new LocalFileSystem(root),
        root,
        cleanup: () => rmSync(root, { recursive: true, force: true }),
      };
    },
  },
  { name: "memory", create: () => ({ fileSystem: new MemoryFileSystem(), cleanup() {} }) },
];

export interface RunningServer {
  server: WebDAVServer;
  /** e.g. "http://127.0.0.1:40123/dav/" */
  url: string;
  port: number;
  root?: string;
  stop(): Promise<void>;
}

export async function startServer(
  fixture: FileSystemFixture,
  options: Omit<WebDAVServerOptions, "fileSystem" | "port" | "host"> = {},
): Promise<RunningServer> {
  const { fileSystem, root, cleanup } = fixture.create();
  const server = new WebDAVServer({ ...options, fileSystem, port: 0, host: "127.0.0.1" });
  await server.start();
  return {
    server,
    url: server.url as string,
    port: server.port,
    ...(root ? { root } : {}),
    async stop() {
      await server.stop();
      cleanup();
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A request with the path sent exactly as given (fetch would normalize "..", "%2e%2e" and
 * backslashes away before the server could be tested with them).
 */
export function rawRequest(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string | Buffer,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    // Without a Content-Length, Node sends a GET or DELETE body unframed and the server sees garbage.
    const length = body === undefined ? {} : { "Content-Length": String(Buffer.byteLength(body)) };
    const req = httpRequest(
      { host: "127.0.0.1", port, method, path, headers: { ...length, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
