import type { BlockedState, Client } from "./client.js";
import type { Database } from "./keyspace/database.js";

/**
 * Clients blocked on keys (BLPOP, BZPOPMIN, XREAD BLOCK …), served in arrival order when a write
 * makes a key ready, as Redis's handleClientsBlockedOnKeys does after each command.
 */
export class BlockingRegistry {
  /** "dbIndex\0key" → blocked clients, oldest first. */
  private readonly waiting = new Map<string, Client[]>();
  private readonly readyKeys = new Set<string>();

  constructor(private readonly flush: (client: Client) => void) {}

  get blockedCount(): number {
    let clients = 0;
    for (const list of this.waiting.values()) clients += list.length;
    return clients;
  }

  /** Parks `client` until `state.serve()` succeeds or the timeout (ms, 0 = forever) passes. */
  block(client: Client, state: Omit<BlockedState, "timer">, timeoutMs: number): void {
    const blocked: BlockedState = { ...state, timer: undefined };
    client.blocked = blocked;
    for (const key of state.keys) {
      const id = slot(state.dbIndex, key);
      const list = this.waiting.get(id);
      if (list) list.push(client);
      else this.waiting.set(id, [client]);
    }
    if (timeoutMs > 0) {
      blocked.timer = setTimeout(() => {
        if (client.blocked !== blocked) return;
        this.unblock(client);
        blocked.timeout();
        this.flush(client);
      }, timeoutMs);
    }
  }

  /** Removes `client` from every key it waits on (served, timed out, killed or disconnected). */
  unblock(client: Client): void {
    const state = client.blocked;
    if (!state) return;
    clearTimeout(state.timer);
    client.blocked = undefined;
    for (const key of state.keys) {
      const id = slot(state.dbIndex, key);
      const list = this.waiting.get(id);
      if (!list) continue;
      const at = list.indexOf(client);
      if (at >= 0) list.splice(at, 1);
      if (list.length === 0) this.waiting.delete(id);
    }
  }

  ready(db: Database, key: string): void {
    const id = slot(db.id, key);
    if (this.waiting.has(id)) this.readyKeys.add(id);
  }

  /** Serves blocked clients of the keys made ready, oldest first, until none is ready any more. */
  serveReady(): void {
    while (this.readyKeys.size > 0) {
      const [id] = this.readyKeys;
      this.readyKeys.delete(id as string);
      for (const client of [...(this.waiting.get(id as string) ?? [])]) {
        const state = client.blocked;
        if (!state?.serve()) continue;
        this.unblock(client);
        this.flush(client);
      }
    }
  }
}

const slot = (dbIndex: number, key: string) => `${dbIndex}\0${key}`;
