import type { Client } from "./client.js";
import type { Database } from "./keyspace/database.js";
import { getOrSet } from "./maps.js";

/** One client's watch of one key; `expired`: the key was already logically expired at WATCH time. */
interface Watch {
  expired: boolean;
}

/**
 * WATCHed keys (Redis's multi.c): any change to one makes the next EXEC of its watchers fail. Watches
 * belong to a database index, as in Redis, so SWAPDB moves the data under them, not the watches.
 */
export class WatchRegistry {
  /** dbIndex → key → watching clients, in the order they watched. */
  private readonly byDb = new Map<number, Map<string, Map<Client, Watch>>>();

  /** WATCH: `db` is the client's selected database (for the key's expiry state). */
  watch(client: Client, db: Database, key: string): void {
    const keys = getOrSet(client.watched, db.id, () => new Set<string>());
    if (keys.has(key)) return;
    keys.add(key);
    const registered = getOrSet(this.byDb, db.id, () => new Map<string, Map<Client, Watch>>());
    getOrSet(registered, key, () => new Map<Client, Watch>()).set(client, {
      expired: db.isExpired(key),
    });
  }

  /** UNWATCH, DISCARD, EXEC, RESET and disconnects: forgets the watches and the dirty flag. */
  unwatchAll(client: Client): void {
    this.release(client);
    client.watchDirty = false;
  }

  /**
   * Whether a watched key that was alive at WATCH time has logically expired since (Redis 7.0's
   * isWatchedKeyExpired, checked by EXEC even if nothing deleted the key yet).
   */
  expiredSinceWatch(client: Client, databases: readonly Database[]): boolean {
    for (const [dbIndex, keys] of client.watched) {
      const registered = this.byDb.get(dbIndex);
      const db = databases[dbIndex] as Database;
      for (const key of keys) {
        if (registered?.get(key)?.get(client)?.expired) continue;
        if (db.isExpired(key)) return true;
      }
    }
    return false;
  }

  /**
   * A key changed (touchWatchedKey): its watchers become dirty and stop watching. A watch of a key
   * that was already expired at WATCH time survives the deletion of that key (no logical change);
   * as in Redis, such a watch on a key still present ends the scan of the watchers.
   */
  modified(db: Database, key: string): void {
    if (this.byDb.size === 0) return;
    const watchers = this.byDb.get(db.id)?.get(key);
    if (!watchers) return;
    for (const [client, watch] of watchers) {
      if (watch.expired) {
        if (db.data.has(key)) break;
        watch.expired = false;
        continue;
      }
      client.watchDirty = true;
      this.release(client);
    }
  }

  /** FLUSHDB, FLUSHALL or SWAPDB (touchAllWatchedKeysInDb): watched keys present in either change. */
  emptying(db: Database, replacedWith?: Database): void {
    const keys = this.byDb.get(db.id);
    if (!keys) return;
    for (const [key, watchers] of keys) {
      const existed = db.data.has(key);
      const arrives = replacedWith?.data.has(key) ?? false;
      if (!existed && !arrives) continue;
      for (const [client, watch] of watchers) {
        if (watch.expired) {
          if (!arrives) {
            watch.expired = false; // the expired key is just deleted: no logical change
            continue;
          }
          if (replacedWith?.isExpired(key)) continue; // expired before, expired after
        } else if (!existed && replacedWith?.isExpired(key)) {
          watch.expired = true; // a missing key replaced with an expired one
          continue;
        }
        client.watchDirty = true;
      }
    }
  }

  /** Drops the client's watches, keeping its dirty flag (a dirty client has nothing left to watch). */
  private release(client: Client): void {
    for (const [dbIndex, keys] of client.watched) {
      const registered = this.byDb.get(dbIndex);
      for (const key of keys) {
        const watchers = registered?.get(key);
        watchers?.delete(client);
        if (watchers?.size === 0) registered?.delete(key);
      }
      if (registered?.size === 0) this.byDb.delete(dbIndex);
    }
    client.watched.clear();
  }
}
