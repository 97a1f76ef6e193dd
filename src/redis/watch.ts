import type { Client } from "./client.js";
import type { Database } from "./keyspace/database.js";
import { getOrSet } from "./maps.js";

/** WATCHed keys: any change to one makes the next EXEC of its watchers fail. */
export class WatchRegistry {
  /** dbIndex → key → watching clients. */
  private readonly byDb = new Map<number, Map<string, Set<Client>>>();

  watch(client: Client, dbIndex: number, key: string): void {
    const keys = getOrSet(this.byDb, dbIndex, () => new Map<string, Set<Client>>());
    getOrSet(keys, key, () => new Set<Client>()).add(client);
    getOrSet(client.watched, dbIndex, () => new Set<string>()).add(key);
  }

  unwatchAll(client: Client): void {
    for (const [dbIndex, keys] of client.watched) {
      const registered = this.byDb.get(dbIndex);
      for (const key of keys) {
        const clients = registered?.get(key);
        clients?.delete(client);
        if (clients?.size === 0) registered?.delete(key);
      }
      if (registered?.size === 0) this.byDb.delete(dbIndex);
    }
    client.watched.clear();
    client.watchDirty = false;
  }

  modified(db: Database, key: string): void {
    if (this.byDb.size === 0) return;
    const clients = this.byDb.get(db.id)?.get(key);
    if (clients) for (const client of clients) client.watchDirty = true;
  }

  /** FLUSH or SWAPDB: watched keys that exist in the old or the new content change. */
  emptying(db: Database, replacedWith?: Database): void {
    const keys = this.byDb.get(db.id);
    if (!keys) return;
    for (const [key, clients] of keys) {
      if (!db.data.has(key) && !replacedWith?.data.has(key)) continue;
      for (const client of clients) client.watchDirty = true;
    }
  }
}
