/** Shared setup of the WebDAV tests: servers on free ports over each FileSystem, and raw requests. */
import { mkdtempSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { LocalFileSystem } from "../../src/webdav/filesystem/local.js";
import { MemoryFileSystem } from "../../src/webdav/filesystem/memory.js";
import type { ByteRange, FileSystem, PropertyPatch } from "../../src/webdav/filesystem/types.js";
import { isWithin } from "../../src/webdav/paths.js";
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

/**
 * A FileSystem that fails with an errno code (EACCES, as a chmod 000 would; ENOSPC …) for the
 * chosen paths: any operation on them or inside them, and removing or moving an ancestor (which
 * would have to touch them). stat, and listing their parent, still work, as on a real disk.
 */
export class FailingFileSystem implements FileSystem {
  /** `failing`: resource path → errno code; the map may change while the server runs. */
  constructor(
    private readonly inner: FileSystem,
    private readonly failing: ReadonlyMap<string, string>,
  ) {}

  private check(path: string, options: { ancestors?: boolean } = {}): void {
    for (const [failing, code] of this.failing) {
      const hit = isWithin(path, failing) || (options.ancestors === true && isWithin(failing, path));
      if (hit) throw Object.assign(new Error(`${code}: ${failing}`), { code });
    }
  }

  stat(path: string) {
    return this.inner.stat(path);
  }
  async list(path: string) {
    this.check(path);
    return this.inner.list(path);
  }
  async read(path: string, range?: ByteRange) {
    this.check(path);
    return this.inner.read(path, range);
  }
  async write(path: string, source: Readable) {
    this.check(path);
    return this.inner.write(path, source);
  }
  async mkcol(path: string) {
    this.check(path);
    return this.inner.mkcol(path);
  }
  async remove(path: string) {
    this.check(path, { ancestors: true });
    return this.inner.remove(path);
  }
  async move(path: string, destination: string) {
    this.check(path, { ancestors: true });
    return this.inner.move(path, destination);
  }
  async copyFile(path: string, destination: string) {
    this.check(path);
    return this.inner.copyFile(path, destination);
  }
  async getProperties(path: string) {
    this.check(path);
    return this.inner.getProperties(path);
  }
  async patchProperties(path: string, patches: readonly PropertyPatch[]) {
    this.check(path);
    return this.inner.patchProperties(path, patches);
  }
}

/** `fixture` with its FileSystem wrapped in a FailingFileSystem. */
export function failingFixture(
  fixture: FileSystemFixture,
  failing: ReadonlyMap<string, string>,
): FileSystemFixture {
  return {
    name: `${fixture.name}, failing`,
    create() {
      const created = fixture.create();
      return { ...created, fileSystem: new FailingFileSystem(created.fileSystem, failing) };
    },
  };
}
