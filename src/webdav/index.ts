/** heroagent/webdav: a WebDAV class 1 and 2 server over a FileSystem and a LockSystem. */
export { BasicAuthenticator, type BasicAuthenticatorOptions, type WebDAVUser } from "./auth.js";
export type { Principal, RequestContext } from "./context.js";
export * from "./errors.js";
export { LocalFileSystem } from "./filesystem/local.js";
export { MemoryFileSystem } from "./filesystem/memory.js";
export type {
  ByteRange,
  DeadProperty,
  FileSystem,
  PropertyPatch,
  ResourceInfo,
} from "./filesystem/types.js";
export {
  ALLOWED_METHODS,
  createWebDAVHandler,
  type WebDAVHandler,
  type WebDAVHandlerOptions,
} from "./handler.js";
export { MemoryLockSystem } from "./locks/memory.js";
export type { ActiveLock, LockDepth, LockRequest, LockScope, LockSystem } from "./locks/types.js";
export { hashPassword, isPasswordHash, verifyPassword } from "./password-hash.js";
export { resourcePathOf } from "./paths.js";
export {
  type WebDAVHttpsOptions,
  type WebDAVLogger,
  WebDAVServer,
  type WebDAVServerOptions,
} from "./server.js";
