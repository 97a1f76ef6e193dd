/**
 * The WebDAV error catalogue. Every error the handler can answer with is a WebDAVError carrying a
 * stable code and its HTTP status; `statusOf` maps anything thrown (including Node's fs errors) to
 * the status the client gets, in this one place.
 */

export class WebDAVError extends Error {
  readonly code: string;
  readonly status: number;
  /** RFC 4918 precondition element (DAV: namespace) sent as the error body, e.g. "lock-token-submitted". */
  readonly condition?: string;

  constructor(code: string, status: number, message: string, condition?: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    if (condition) this.condition = condition;
  }
}

export class BadRequestError extends WebDAVError {
  constructor(message: string) {
    super("WEBDAV_ERR_BAD_REQUEST", 400, message);
  }
}

export class UnauthorizedError extends WebDAVError {
  constructor(message = "authentication required") {
    super("WEBDAV_ERR_UNAUTHORIZED", 401, message);
  }
}

/** Outside the root, a reserved name, or a write by a read-only user. */
export class ForbiddenError extends WebDAVError {
  constructor(message: string, condition?: string) {
    super("WEBDAV_ERR_FORBIDDEN", 403, message, condition);
  }
}

export class NotFoundError extends WebDAVError {
  constructor(path: string) {
    super("WEBDAV_ERR_NOT_FOUND", 404, `not found: ${path}`);
  }
}

export class MethodNotAllowedError extends WebDAVError {
  constructor(message: string) {
    super("WEBDAV_ERR_METHOD_NOT_ALLOWED", 405, message);
  }
}

/** A parent collection is missing, or the operation would make the namespace inconsistent. */
export class ConflictError extends WebDAVError {
  constructor(message: string, condition?: string) {
    super("WEBDAV_ERR_CONFLICT", 409, message, condition);
  }
}

export class PreconditionFailedError extends WebDAVError {
  constructor(message: string, condition?: string) {
    super("WEBDAV_ERR_PRECONDITION_FAILED", 412, message, condition);
  }
}

export class PayloadTooLargeError extends WebDAVError {
  constructor(message: string) {
    super("WEBDAV_ERR_PAYLOAD_TOO_LARGE", 413, message);
  }
}

export class UnsupportedMediaTypeError extends WebDAVError {
  constructor(message: string) {
    super("WEBDAV_ERR_UNSUPPORTED_MEDIA_TYPE", 415, message);
  }
}

export class RangeNotSatisfiableError extends WebDAVError {
  readonly size: number;

  constructor(size: number) {
    super("WEBDAV_ERR_RANGE_NOT_SATISFIABLE", 416, "requested range not satisfiable");
    this.size = size;
  }
}

export class LockedError extends WebDAVError {
  constructor(message: string, condition = "lock-token-submitted") {
    super("WEBDAV_ERR_LOCKED", 423, message, condition);
  }
}

export class BadGatewayError extends WebDAVError {
  constructor(message: string) {
    super("WEBDAV_ERR_BAD_GATEWAY", 502, message);
  }
}

export class InsufficientStorageError extends WebDAVError {
  constructor(message: string) {
    super("WEBDAV_ERR_INSUFFICIENT_STORAGE", 507, message);
  }
}

/** A WebDAVServer option or configured user that cannot work (bad hash, missing certificate …). */
export class WebDAVConfigError extends WebDAVError {
  constructor(message: string) {
    super("WEBDAV_ERR_CONFIG", 500, message);
  }
}

const FS_ERROR_STATUS: Record<string, number> = {
  ENOENT: 404,
  ENOTDIR: 409,
  EEXIST: 405,
  ENOTEMPTY: 409,
  EISDIR: 405,
  EACCES: 403,
  EPERM: 403,
  ELOOP: 403,
  ENAMETOOLONG: 400,
  EINVAL: 400,
  ENOSPC: 507,
  EDQUOT: 507,
  EFBIG: 413,
  EXDEV: 502,
};

/** The HTTP status for anything thrown while serving a request. */
export function statusOf(error: unknown): number {
  if (error instanceof WebDAVError) return error.status;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && code in FS_ERROR_STATUS) return FS_ERROR_STATUS[code] as number;
  return 500;
}

/** True when `error` means "the resource does not exist" (our NotFoundError or an fs ENOENT). */
export function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404;
}
