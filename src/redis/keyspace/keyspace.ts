import { Database, type DatabaseEvents } from "./database.js";

/** Redis's active expiry: a timer samples keys with a TTL, within a time budget, never a full scan. */
const EXPIRE_EVERY_MS = 100;
const EXPIRE_BUDGET_MS = 2;
const SAMPLE = 20;

/** The numbered databases and active expiry over them. */
export class Keyspace {
  readonly databases: Database[];
  private timer: NodeJS.Timeout | undefined;
  /** Keys deleted by active expiry since start (INFO's expired_keys counts lazy ones too). */
  expiredKeys = 0;

  constructor(
    count: number,
    private readonly events: DatabaseEvents,
  ) {
    this.databases = Array.from({ length: count }, (_, id) => new Database(id, events));
  }

  db(index: number): Database {
    return this.databases[index] as Database;
  }

  /** SWAPDB: the Database objects trade places, so clients that selected an index see the other data. */
  swap(a: number, b: number): void {
    const first = this.db(a);
    const second = this.db(b);
    this.events.emptying(first, second);
    this.events.emptying(second, first);
    this.databases[a] = second;
    this.databases[b] = first;
    second.id = a;
    first.id = b;
  }

  flushAll(): void {
    for (const db of this.databases) db.clear();
  }

  startActiveExpiry(): void {
    this.timer ??= setInterval(() => this.expireCycle(), EXPIRE_EVERY_MS);
    this.timer.unref();
  }

  stopActiveExpiry(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Samples each database's keys with a TTL; repeats while a quarter of a sample had expired. */
  expireCycle(now = Date.now()): void {
    const deadline = performance.now() + EXPIRE_BUDGET_MS;
    for (const db of this.databases) {
      if (db.expires.size === 0) continue;
      let expired: number;
      do {
        expired = 0;
        for (let n = 0; n < SAMPLE; n++) {
          const key = nextExpiring(db);
          if (key === undefined) break;
          if (db.isExpired(key, now)) {
            db.expire(key);
            expired++;
          }
        }
        this.expiredKeys += expired;
      } while (expired > SAMPLE / 4 && performance.now() < deadline);
      if (performance.now() >= deadline) return;
    }
  }
}

/** The next key of `db.expires` in a round-robin walk that survives deletions. */
function nextExpiring(db: Database): string | undefined {
  db.expireCursor ??= db.expires.entries();
  let step = db.expireCursor.next();
  if (step.done) {
    db.expireCursor = db.expires.entries();
    step = db.expireCursor.next();
    if (step.done) return undefined;
  }
  return step.value[0];
}
