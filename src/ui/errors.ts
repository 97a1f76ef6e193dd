/**
 * Every error the REST API answers, in one place: anything thrown by a route or by the services it
 * calls becomes `{ error: { code, message } }` with its HTTP status. Unknown errors are a 500 whose
 * message says nothing about internals (the details go to the log).
 */
import { z } from "zod";
import {
  FactoryStateError,
  HeroAgentError,
  JobInvalidError,
  JobNotFoundError,
  JobParamsTooLargeError,
  JobTransitionError,
  ServiceDependencyError,
  ServiceNotEnabledError,
  ServiceStartError,
  UIRequestError,
} from "../errors.js";
import { WebDAVError } from "../webdav/index.js";

export interface ErrorReply {
  status: number;
  code: string;
  message: string;
}

export const badRequest = (message: string) => new UIRequestError(400, "HEROAGENT_ERR_VALIDATION", message);
export const notFound = (message: string) => new UIRequestError(404, "HEROAGENT_ERR_NOT_FOUND", message);
export const conflict = (message: string) => new UIRequestError(409, "HEROAGENT_ERR_CONFLICT", message);
export const notRunning = (service: string) =>
  new UIRequestError(503, "HEROAGENT_ERR_SERVICE_NOT_RUNNING", `service "${service}" is not running`);

/** WebDAV statuses as API codes (the API speaks HEROAGENT_ERR_*, never WEBDAV_ERR_*). */
const WEBDAV_CODES: Record<number, string> = {
  400: "HEROAGENT_ERR_VALIDATION",
  403: "HEROAGENT_ERR_FORBIDDEN",
  404: "HEROAGENT_ERR_NOT_FOUND",
  405: "HEROAGENT_ERR_CONFLICT",
  409: "HEROAGENT_ERR_CONFLICT",
  413: "HEROAGENT_ERR_PAYLOAD_TOO_LARGE",
  507: "HEROAGENT_ERR_INSUFFICIENT_STORAGE",
};

/** Node fs errors a FileSystem may throw, as statuses. */
const FS_STATUS: Record<string, number> = {
  ENOENT: 404,
  ENOTDIR: 409,
  EEXIST: 409,
  ENOTEMPTY: 409,
  EISDIR: 409,
  EACCES: 403,
  EPERM: 403,
  ENOSPC: 507,
};

export function errorReply(error: unknown): ErrorReply {
  if (error instanceof UIRequestError)
    return { status: error.status, code: error.code, message: error.message };
  if (error instanceof z.ZodError) {
    return { status: 400, code: "HEROAGENT_ERR_VALIDATION", message: describeZodError(error) };
  }
  if (error instanceof WebDAVError) {
    const status = error.status === 405 ? 409 : error.status;
    const code = WEBDAV_CODES[error.status] ?? "HEROAGENT_ERR_INTERNAL";
    return status >= 500 && !WEBDAV_CODES[error.status]
      ? internal()
      : { status, code, message: error.message };
  }
  if (error instanceof HeroAgentError) {
    const status = heroAgentStatus(error);
    if (status !== undefined) return { status, code: error.code, message: error.message };
  }
  const fsCode = (error as { code?: unknown } | null)?.code;
  if (typeof fsCode === "string" && FS_STATUS[fsCode] !== undefined) {
    const status = FS_STATUS[fsCode] as number;
    return { status, code: WEBDAV_CODES[status] ?? "HEROAGENT_ERR_CONFLICT", message: fsCode };
  }
  // fastify's own errors (malformed JSON, body too large, unsupported media type) carry a 4xx.
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof statusCode === "number" && statusCode >= 400 && statusCode < 500) {
    const code = statusCode === 413 ? "HEROAGENT_ERR_PAYLOAD_TOO_LARGE" : "HEROAGENT_ERR_VALIDATION";
    return { status: statusCode, code, message: (error as Error).message };
  }
  return internal();
}

function heroAgentStatus(error: HeroAgentError): number | undefined {
  if (error instanceof JobNotFoundError) return 404;
  if (error instanceof JobTransitionError || error instanceof ServiceDependencyError) return 409;
  if (error instanceof JobInvalidError) return 400;
  if (error instanceof JobParamsTooLargeError) return 413;
  if (error instanceof ServiceNotEnabledError || error instanceof FactoryStateError) return 503;
  if (error instanceof ServiceStartError) return 500;
  return undefined;
}

const internal = (): ErrorReply => ({
  status: 500,
  code: "HEROAGENT_ERR_INTERNAL",
  message: "internal error (see the server log)",
});

function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? `${issue.path.join(".")}: ` : ""}${issue.message}`)
    .join("; ");
}
