/**
 * The WebDAV request handler: authentication, path resolution and dispatch to one function per
 * method, over a FileSystem and a LockSystem. Usable with any Node HTTP(S) server:
 * `http.createServer(createWebDAVHandler({ fileSystem }))`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { BasicAuthenticator, type WebDAVUser } from "./auth.js";
import type { Principal, RequestContext } from "./context.js";
import { ForbiddenError, MethodNotAllowedError } from "./errors.js";
import type { FileSystem } from "./filesystem/types.js";
import { MemoryLockSystem } from "./locks/memory.js";
import type { LockSystem } from "./locks/types.js";
import { mkcol, remove } from "./methods/collections.js";
import { copy, move } from "./methods/copy-move.js";
import { get } from "./methods/get.js";
import { lock, unlock } from "./methods/lock.js";
import { propfind } from "./methods/propfind.js";
import { proppatch } from "./methods/proppatch.js";
import { put } from "./methods/put.js";
import { normalizeBasePath, resourcePathOf } from "./paths.js";
import { type ErrorReporter, sendEmpty, sendError } from "./respond.js";

export interface WebDAVHandlerOptions {
  fileSystem: FileSystem;
  /** Defaults to a new in-memory lock system. */
  lockSystem?: LockSystem;
  /** URL prefix the server is mounted under, e.g. "/dav". Hrefs in responses include it. */
  basePath?: string;
  /** Users allowed in with HTTP Basic. None: the server is open to anyone who can reach it. */
  users?: readonly WebDAVUser[];
  /** Answer PROPFIND with Depth: infinity (true) or refuse it with 403 (false). Default true. */
  allowInfinityDepth?: boolean;
  /** Called with unexpected errors (those answered with a 5xx status). */
  onError?: (error: unknown, req: IncomingMessage) => void;
}

type MethodHandler = (ctx: RequestContext) => Promise<void>;

const METHODS: Record<string, MethodHandler> = {
  GET: get,
  HEAD: get,
  PUT: put,
  DELETE: remove,
  MKCOL: mkcol,
  COPY: copy,
  MOVE: move,
  PROPFIND: propfind,
  PROPPATCH: proppatch,
  LOCK: lock,
  UNLOCK: unlock,
};

export const ALLOWED_METHODS = ["OPTIONS", ...Object.keys(METHODS)].join(", ");
const READ_METHODS = new Set(["GET", "HEAD", "PROPFIND", "OPTIONS"]);

export type WebDAVHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export function createWebDAVHandler(options: WebDAVHandlerOptions): WebDAVHandler {
  const basePath = normalizeBasePath(options.basePath ?? "");
  const lockSystem = options.lockSystem ?? new MemoryLockSystem();
  const authenticator = new BasicAuthenticator(options.users ?? []);
  const report: ErrorReporter = options.onError ?? (() => undefined);
  return async (req, res) => {
    try {
      const method = req.method ?? "GET";
      // Answered without credentials: Finder and Windows ask OPTIONS before they authenticate.
      if (method === "OPTIONS") return options_(res);
      const principal = authenticator.enabled ? await authenticator.authenticate(req) : undefined;
      if (principal?.readOnly && !READ_METHODS.has(method)) {
        throw new ForbiddenError(`user ${principal.username} may only read`);
      }
      const handler = METHODS[method];
      if (!handler) throw new MethodNotAllowedError(`method ${method} is not supported`);
      const path = resourcePathOf(req.url ?? "/", basePath);
      const ctx: RequestContext = {
        req,
        res,
        path,
        basePath,
        fileSystem: options.fileSystem,
        lockSystem,
        allowInfinityDepth: options.allowInfinityDepth ?? true,
        report: (error) => report(error, req),
        ...(principal ? { principal: principal as Principal } : {}),
      };
      await handler(ctx);
    } catch (error) {
      if (error instanceof MethodNotAllowedError && !res.headersSent) res.setHeader("Allow", ALLOWED_METHODS);
      sendError(req, res, error, report);
    }
  };
}

function options_(res: ServerResponse): void {
  sendEmpty(res, 200, { DAV: "1, 2", "MS-Author-Via": "DAV", Allow: ALLOWED_METHODS });
}
