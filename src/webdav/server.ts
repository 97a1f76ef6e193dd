/**
 * WebDAVServer: the handler on its own HTTP or HTTPS listener, with timeouts that never cut a
 * transfer while bytes are flowing but close idle connections.
 */
import { readFile } from "node:fs/promises";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { WebDAVUser } from "./auth.js";
import { WebDAVConfigError } from "./errors.js";
import { LocalFileSystem } from "./filesystem/local.js";
import type { FileSystem } from "./filesystem/types.js";
import { createWebDAVHandler } from "./handler.js";
import type { LockSystem } from "./locks/types.js";
import { normalizeBasePath } from "./paths.js";
import { selfSignedCertificate } from "./tls.js";

/** The subset of a pino logger the server uses. */
export interface WebDAVLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface WebDAVHttpsOptions {
  /** Serve HTTPS instead of HTTP. */
  enabled: boolean;
  /** PEM files; when both are empty a self-signed certificate is generated at start. */
  certFile?: string;
  keyFile?: string;
}

export interface WebDAVServerOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** A directory to serve (created if missing); ignored when fileSystem is given. */
  root?: string;
  fileSystem?: FileSystem;
  lockSystem?: LockSystem;
  basePath?: string;
  users?: readonly WebDAVUser[];
  allowInfinityDepth?: boolean;
  https?: WebDAVHttpsOptions;
  /** Milliseconds without any byte in either direction after which a connection is closed. */
  idleTimeoutMs?: number;
  logger?: WebDAVLogger;
}

/** Methods counted by name; any other (a client's garbage) counts as OTHER, so the map stays small. */
const COUNTED_METHODS = new Set(
  "OPTIONS GET HEAD PUT POST DELETE MKCOL COPY MOVE PROPFIND PROPPATCH LOCK UNLOCK".split(" "),
);

const silentLogger: WebDAVLogger = { info() {}, warn() {}, error() {} };

export class WebDAVServer {
  private readonly options: WebDAVServerOptions;
  private readonly logger: WebDAVLogger;
  private server?: Server;
  /** "METHOD status" → requests answered, since this server was made (for metrics). */
  private readonly answered = new Map<string, number>();

  constructor(options: WebDAVServerOptions = {}) {
    if (!options.fileSystem && !options.root)
      throw new WebDAVConfigError("WebDAVServer needs a root or a fileSystem");
    this.options = options;
    this.logger = options.logger ?? silentLogger;
  }

  async start(): Promise<void> {
    if (this.server) throw new WebDAVConfigError("WebDAVServer is already started");
    const fileSystem = this.options.fileSystem ?? new LocalFileSystem(this.options.root as string);
    const handler = createWebDAVHandler({
      fileSystem,
      basePath: this.options.basePath ?? "",
      users: this.options.users ?? [],
      allowInfinityDepth: this.options.allowInfinityDepth ?? true,
      onError: (error, req) =>
        this.logger.error({ method: req.method, url: req.url, error: String(error) }, "request failed"),
      ...(this.options.lockSystem ? { lockSystem: this.options.lockSystem } : {}),
    });
    await fileSystem.stat("/"); // fails here, not on the first request, when the root is unusable
    const tls = this.options.https?.enabled ? await this.loadCertificate() : undefined;
    const serverOptions = {
      // No limit on the whole request: a large upload over a slow link may take hours. Idle
      // connections are still closed by the socket timeout below.
      requestTimeout: 0,
      headersTimeout: 60_000,
      keepAliveTimeout: 30_000,
    };
    const counted = (req: IncomingMessage, res: ServerResponse) => {
      res.once("finish", () => {
        const method = COUNTED_METHODS.has(req.method ?? "") ? req.method : "OTHER";
        const key = `${method} ${res.statusCode}`;
        this.answered.set(key, (this.answered.get(key) ?? 0) + 1);
      });
      handler(req, res);
    };
    const server = tls
      ? createHttpsServer({ ...serverOptions, ...tls }, counted)
      : createHttpServer(serverOptions, counted);
    server.setTimeout(this.options.idleTimeoutMs ?? 120_000, (socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.options.port ?? 9999, this.options.host ?? "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.server = server;
    if (!this.options.users?.length) {
      this.logger.warn(
        { url: this.url },
        "WebDAV has no users configured: anyone who can reach it can read and write",
      );
    }
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    });
  }

  /** Requests answered so far, by method and status. */
  requestCounts(): Array<{ method: string; status: number; count: number }> {
    return [...this.answered].map(([key, count]) => {
      const [method, status] = key.split(" ");
      return { method: method as string, status: Number(status), count };
    });
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  /** "http://127.0.0.1:9999/dav/", or undefined when not started. */
  get url(): string | undefined {
    if (!this.server) return undefined;
    const scheme = this.options.https?.enabled ? "https" : "http";
    const host = this.options.host ?? "127.0.0.1";
    const shownHost = host.includes(":") ? `[${host}]` : host;
    return `${scheme}://${shownHost}:${this.port}${normalizeBasePath(this.options.basePath ?? "")}/`;
  }

  private async loadCertificate(): Promise<{ cert: string; key: string }> {
    const { certFile, keyFile } = this.options.https ?? {};
    if (!certFile && !keyFile) {
      const generated = await selfSignedCertificate(this.options.host ?? "127.0.0.1");
      this.logger.warn(
        { fingerprint: generated.fingerprint },
        "WebDAV HTTPS uses a generated self-signed certificate",
      );
      return generated;
    }
    if (!certFile || !keyFile)
      throw new WebDAVConfigError("HTTPS needs both certFile and keyFile, or neither");
    return { cert: await readFile(certFile, "utf8"), key: await readFile(keyFile, "utf8") };
  }
}
