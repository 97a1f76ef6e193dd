import { wrongType } from "../errors.js";
import type { Collection, RedisValue, TypeName } from "./values.js";

/** What a database tells the server about: WATCH needs every change, blocked clients need new data. */
export interface DatabaseEvents {
  /** A key was changed or deleted (Redis's signalModifiedKey); a key that expired is `expired`. */
  modified(db: Database, key: string): void;
  /** A key was deleted because its TTL passed (WATCH sees a change; the AOF logs a DEL). */
  expired(db: Database, key: string): void;
  /** A list, zset or stream key got elements a blocked client may be waiting for. */
  ready(db: Database, key: string): void;
  /**
   * `db` is about to be emptied (FLUSHDB, FLUSHALL) or, by SWAPDB, replaced with `replacedWith`:
   * watched keys that exist in either change.
   */
  emptying(db: Database, replacedWith?: Database): void;
}

/**
 * One of the 16 numbered keyspaces. Expiry is lazy here (a read of an expired key deletes it) and
 * active in Keyspace (sampling on a timer).
 */
export class Database {
  readonly data = new Map<string, RedisValue>();
  /** key → absolute expiry time in milliseconds, only for keys with a TTL. */
  readonly expires = new Map<string, number>();
  /** Where active expiry resumes in `expires`. */
  expireCursor: Iterator<[string, number]> | undefined;
  /**
   * Set while the AOF is replayed: nothing expires (Redis's server.loading), since a logged command
   * that ran while the key was alive may follow its PEXPIREAT.
   */
  loading = false;

  constructor(
    public id: number,
    private readonly events: DatabaseEvents,
  ) {}

  get size(): number {
    return this.data.size;
  }

  /** The value of a live key; an expired key is deleted on the way. */
  get(key: string): RedisValue | undefined {
    const value = this.data.get(key);
    if (value === undefined) return undefined;
    if (this.expires.size > 0 && this.isExpired(key)) {
      this.expire(key);
      return undefined;
    }
    return value;
  }

  /** The value if it has `type`, undefined if the key is missing; WRONGTYPE otherwise. */
  getTyped<T extends Collection>(key: string, type: Exclude<TypeName, "string">): T | undefined {
    const value = this.get(key);
    if (value === undefined) return undefined;
    if (typeof value === "string" || value.type !== type) throw wrongType();
    return value as T;
  }

  getString(key: string): string | undefined {
    const value = this.get(key);
    if (value !== undefined && typeof value !== "string") throw wrongType();
    return value;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /**
   * Stores `value` at `key`; like SET, it drops the key's TTL unless `keepTtl`. A key already past
   * its TTL is expired first (as Redis does on a write), so its old TTL never carries over.
   */
  set(key: string, value: RedisValue, keepTtl = false): void {
    if (keepTtl && this.expires.size > 0 && this.isExpired(key)) this.expire(key);
    this.data.set(key, value);
    if (!keepTtl) this.expires.delete(key);
    this.events.modified(this, key);
  }

  /** Adds a new collection at a missing key (the caller then fills it and calls `changed`). */
  create<T extends Collection>(key: string, value: T): T {
    this.data.set(key, value);
    this.expires.delete(key);
    return value;
  }

  delete(key: string): boolean {
    if (!this.data.has(key)) return false;
    if (this.expires.size > 0 && this.isExpired(key)) {
      this.expire(key);
      return false;
    }
    this.data.delete(key);
    this.expires.delete(key);
    this.events.modified(this, key);
    return true;
  }

  /** After changing a collection in place: deletes it when it became empty, and tells watchers. */
  changed(key: string, value: Collection): void {
    if (value.size === 0) {
      this.data.delete(key);
      this.expires.delete(key);
    }
    this.events.modified(this, key);
  }

  /** Signals blocked clients that `key` has new elements (after `changed`). */
  ready(key: string): void {
    this.events.ready(this, key);
  }

  /** Tells watchers of `key` that it changed without going through set/delete/changed. */
  touch(key: string): void {
    this.events.modified(this, key);
  }

  /** Absolute expiry in ms, or undefined for a persistent key. */
  expiresAt(key: string): number | undefined {
    return this.expires.get(key);
  }

  setExpiry(key: string, at: number): void {
    this.expires.set(key, at);
    this.events.modified(this, key);
  }

  persist(key: string): boolean {
    const had = this.expires.delete(key);
    if (had) this.events.modified(this, key);
    return had;
  }

  isExpired(key: string, now = Date.now()): boolean {
    if (this.loading) return false;
    const at = this.expires.get(key);
    return at !== undefined && at <= now;
  }

  /** Deletes an expired key. */
  expire(key: string): void {
    this.data.delete(key);
    this.expires.delete(key);
    this.events.expired(this, key);
  }

  /** Empties the database (FLUSHDB); watched keys that existed count as modified. */
  clear(): void {
    this.events.emptying(this);
    this.data.clear();
    this.expires.clear();
    this.expireCursor = undefined;
  }
}
