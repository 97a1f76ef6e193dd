/** The in-memory LockSystem: locks live as long as the process, or until their timeout. */
import { randomUUID } from "node:crypto";
import { LockedError, PreconditionFailedError } from "../errors.js";
import { isWithin } from "../paths.js";
import type { ActiveLock, LockRequest, LockSystem } from "./types.js";

export class MemoryLockSystem implements LockSystem {
  private readonly locks = new Map<string, ActiveLock>();

  constructor(private readonly now: () => number = Date.now) {}

  create(request: LockRequest): ActiveLock {
    this.expire();
    const conflict = [...this.locks.values()].find((lock) => conflicts(lock, request));
    if (conflict) throw new LockedError(`${request.root} is locked`, "no-conflicting-lock");
    const lock: ActiveLock = { ...request, token: `urn:uuid:${randomUUID()}` };
    this.setTimeout(lock, request.timeoutSeconds);
    this.locks.set(lock.token, lock);
    return lock;
  }

  refresh(token: string, timeoutSeconds?: number): ActiveLock {
    const lock = this.get(token);
    if (!lock) throw new PreconditionFailedError("no such lock to refresh", "lock-token-matches-request-uri");
    this.setTimeout(lock, timeoutSeconds);
    return lock;
  }

  unlock(token: string): boolean {
    this.expire();
    return this.locks.delete(token);
  }

  get(token: string): ActiveLock | undefined {
    this.expire();
    return this.locks.get(token);
  }

  covering(path: string): ActiveLock[] {
    this.expire();
    return [...this.locks.values()].filter(
      (lock) => lock.root === path || (lock.depth === "infinity" && isWithin(path, lock.root)),
    );
  }

  inside(path: string): ActiveLock[] {
    this.expire();
    return [...this.locks.values()].filter((lock) => lock.root !== path && isWithin(lock.root, path));
  }

  removeTree(path: string): void {
    for (const lock of [...this.locks.values()]) if (isWithin(lock.root, path)) this.locks.delete(lock.token);
  }

  private setTimeout(lock: ActiveLock, timeoutSeconds: number | undefined): void {
    lock.timeoutSeconds = timeoutSeconds;
    lock.expiresAt = timeoutSeconds === undefined ? undefined : this.now() + timeoutSeconds * 1000;
  }

  private expire(): void {
    const now = this.now();
    for (const lock of this.locks.values()) {
      if (lock.expiresAt !== undefined && lock.expiresAt <= now) this.locks.delete(lock.token);
    }
  }
}

/** Two locks conflict when their scopes overlap and at least one is exclusive. */
function conflicts(held: ActiveLock, wanted: LockRequest): boolean {
  if (held.scope === "shared" && wanted.scope === "shared") return false;
  const heldCovers =
    held.root === wanted.root || (held.depth === "infinity" && isWithin(wanted.root, held.root));
  const wantedCovers = wanted.depth === "infinity" && isWithin(held.root, wanted.root);
  return heldCovers || wantedCovers;
}
