/**
 * The LockSystem interface (shaped after golang.org/x/net/webdav's LockSystem): write locks on
 * resource paths, exclusive or shared, depth 0 or infinity, with timeouts. Synchronous, so a check
 * and the write it guards are not interleaved with another request's lock.
 */

export type LockScope = "exclusive" | "shared";
export type LockDepth = 0 | "infinity";

export interface LockRequest {
  /** The locked resource path. */
  root: string;
  scope: LockScope;
  depth: LockDepth;
  /** The DAV:owner element as XML text, returned as given in lock discovery. */
  owner?: string;
  /** Seconds; undefined means infinite. */
  timeoutSeconds?: number;
  /** The authenticated user who took the lock, if any. */
  principal?: string;
}

export interface ActiveLock extends LockRequest {
  token: string;
  /** Epoch ms; undefined means never. */
  expiresAt?: number;
}

export interface LockSystem {
  /** Takes a lock; throws LockedError when it conflicts with one already held. */
  create(request: LockRequest): ActiveLock;
  /** Extends a lock's timeout; throws PreconditionFailedError for an unknown or expired token. */
  refresh(token: string, timeoutSeconds?: number): ActiveLock;
  /** Releases a lock; false when the token is unknown. */
  unlock(token: string): boolean;
  get(token: string): ActiveLock | undefined;
  /** Locks whose scope includes `path`: on it, or on an ancestor with depth infinity. */
  covering(path: string): ActiveLock[];
  /** Locks rooted strictly inside `path` (they are affected when `path` is deleted or moved). */
  inside(path: string): ActiveLock[];
  /** Drops locks rooted at or inside `path`, after the resource was deleted or moved away. */
  removeTree(path: string): void;
}
