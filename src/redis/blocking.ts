import type { BlockedState, Client } from "./client.js";
import type { Database } from "./keyspace/database.js";
import { typeOf } from "./keyspace/values.js";

/**
 * Clients blocked on keys (BLPOP, BZPOPMIN, XREAD BLOCK …), served in arrival order when a write
 * makes a key ready, as Redis's handleClientsBlockedOnKeys does after each command.
 */
export class BlockingRegistry {
  /** "dbIndex\0key" → blocked clients, oldest first. */
  private readonly waiting = new Map<string, Client[]>();
  private readonly readyKeys = new Set<string>();
  private serveScheduled = false;
  /** Blocked clients (one waiting on several keys counts once, as in INFO's blocked_clients). */
  private clients = 0;
  /** Blocked clients with wakeWhenNot (XREADGROUP): only they make `changed` look at a key. */
  private deletionWatchers = 0;

  constructor(private readonly flush: (client: Client) => void) {}

  get blockedCount(): number {
    return this.clients;
  }

  /** Parks `client` until `state.serve()` succeeds or the timeout (ms, 0 = forever) passes. */
  block(client: Client, state: Omit<BlockedState, "timer">, timeoutMs: number): void {
    const blocked: BlockedState = { ...state, timer: undefined };
    client.blocked = blocked;
    this.clients++;
    if (state.wakeWhenNot !== undefined) this.deletionWatchers++;
    for (const key of state.keys) {
      const id = slot(state.dbIndex, key);
      const list = this.waiting.get(id);
      if (list) list.push(client);
      else this.waiting.set(id, [client]);
    }
    if (timeoutMs > 0) this.armTimer(client, blocked, timeoutMs);
  }

  /** setTimeout fires at once past 2^31-1 ms, so a longer timeout waits in steps. */
  private armTimer(client: Client, blocked: BlockedState, timeoutMs: number): void {
    const step = Math.min(timeoutMs, MAX_TIMER_MS);
    blocked.timer = setTimeout(() => {
      if (client.blocked !== blocked) return;
      if (timeoutMs > step) return this.armTimer(client, blocked, timeoutMs - step);
      this.unblock(client);
      blocked.timeout();
      this.flush(client);
    }, step);
  }

  /** Removes `client` from every key it waits on (served, timed out, killed or disconnected). */
  unblock(client: Client): void {
    const state = client.blocked;
    if (!state) return;
    clearTimeout(state.timer);
    client.blocked = undefined;
    this.clients--;
    if (state.wakeWhenNot !== undefined) this.deletionWatchers--;
    for (const key of state.keys) {
      const id = slot(state.dbIndex, key);
      const list = this.waiting.get(id);
      if (!list) continue;
      const at = list.indexOf(client);
      if (at >= 0) list.splice(at, 1);
      if (list.length === 0) this.waiting.delete(id);
    }
  }

  /** `key` changed: clients that must hear when it stops holding their type (wakeWhenNot) get served. */
  changed(db: Database, key: string): void {
    if (this.deletionWatchers === 0) return;
    const id = slot(db.id, key);
    const list = this.waiting.get(id);
    if (list === undefined) return;
    const value = db.data.get(key);
    const type = value === undefined ? undefined : typeOf(value);
    if (
      list.some((client) => client.blocked?.wakeWhenNot !== undefined && client.blocked.wakeWhenNot !== type)
    ) {
      this.markReady(id);
    }
  }

  /** `db` is flushed or swapped: its keys with wakeWhenNot clients get served against the new content. */
  emptying(db: Database, replacedWith?: Database): void {
    if (this.waiting.size === 0) return;
    for (const [id, list] of this.waiting) {
      const dbIndex = Number(id.slice(0, id.indexOf("\0")));
      if (dbIndex !== db.id && dbIndex !== replacedWith?.id) continue;
      if (list.some((client) => client.blocked?.wakeWhenNot !== undefined)) this.markReady(id);
      // SWAPDB: keys the incoming data holds are ready for this index's clients (scanDatabaseForReadyKeys)
      else if (dbIndex === db.id && replacedWith?.data.has(id.slice(id.indexOf("\0") + 1)))
        this.markReady(id);
    }
  }

  /** Outside a command (active expiry) nobody calls serveReady, so it is also scheduled. */
  private markReady(id: string): void {
    this.readyKeys.add(id);
    if (this.serveScheduled) return;
    this.serveScheduled = true;
    queueMicrotask(() => {
      this.serveScheduled = false;
      this.serveReady();
    });
  }

  ready(db: Database, key: string): void {
    const id = slot(db.id, key);
    if (this.waiting.has(id)) this.readyKeys.add(id);
  }

  /**
   * Serves blocked clients of the keys made ready, oldest first, until none is ready any more. The
   * served clients run their next commands only then, as Redis's processUnblockedClients does, so a
   * pipelined BLPOP of the first does not jump ahead of the other clients already waiting.
   */
  serveReady(): void {
    if (this.readyKeys.size === 0) return;
    const served: Client[] = [];
    while (this.readyKeys.size > 0) {
      const [id] = this.readyKeys;
      this.readyKeys.delete(id as string);
      const key = (id as string).slice((id as string).indexOf("\0") + 1);
      for (const client of [...(this.waiting.get(id as string) ?? [])]) {
        const state = client.blocked;
        if (!state?.serve(key)) continue;
        this.unblock(client);
        served.push(client);
      }
    }
    for (const client of served) this.flush(client);
  }
}

const MAX_TIMER_MS = 2 ** 31 - 1;

const slot = (dbIndex: number, key: string) => `${dbIndex}\0${key}`;
