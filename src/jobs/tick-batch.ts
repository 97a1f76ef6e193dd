/**
 * Sends the Redis commands queued during one turn of the event loop as one MULTI: one write and one
 * round trip for all of them instead of one each. The job system issues many small, independent
 * transactions at once (a hundred workers reporting, a batch of events applied), and on a busy
 * server the system calls, not the commands, are the cost.
 *
 * Each caller's commands stay together and in order inside the transaction, so what was atomic for
 * one caller stays atomic; callers get their own replies, and a command that fails rejects its caller.
 */
import type { Redis } from "ioredis";

export type Multi = ReturnType<Redis["multi"]>;

interface Queued {
  add(multi: Multi): void;
  resolve(replies: unknown[]): void;
  reject(error: unknown): void;
}

export class TickBatch {
  private queued: Queued[] = [];
  /** Commands sent once per transaction however many callers ask (e.g. one wake-up per topic). */
  private finally = new Map<string, (multi: Multi) => unknown>();

  constructor(private readonly redis: Redis) {}

  /** Queues the commands `add` puts on the transaction; resolves with their replies, in order. */
  run(add: (multi: Multi) => unknown): Promise<unknown[]> {
    return new Promise((resolve, reject) => {
      this.queued.push({ add, resolve, reject });
      if (this.queued.length === 1) setImmediate(() => void this.flush());
    });
  }

  /**
   * Adds `add`'s commands at the end of the transaction the next run() joins, once per `key`.
   * Their replies and errors are nobody's: use it for idempotent hints only.
   */
  once(key: string, add: (multi: Multi) => unknown): void {
    if (!this.finally.has(key)) this.finally.set(key, add);
  }

  private async flush(): Promise<void> {
    const batch = this.queued;
    this.queued = [];
    const multi = this.redis.multi();
    const ranges: [number, number][] = [];
    // multi.length counts the MULTI itself; exec() replies do not.
    for (const queued of batch) {
      const start = multi.length - 1;
      queued.add(multi);
      ranges.push([start, multi.length - 1]);
    }
    // After the callers' commands, which may have asked for them.
    const last = [...this.finally.values()];
    this.finally.clear();
    for (const add of last) add(multi);
    try {
      const results = (await multi.exec()) ?? [];
      batch.forEach((queued, i) => {
        const [start, end] = ranges[i] as [number, number];
        const mine = results.slice(start, end);
        const failed = mine.find(([error]) => error);
        if (failed) queued.reject(failed[0]);
        else queued.resolve(mine.map(([, reply]) => reply));
      });
    } catch (error) {
      for (const queued of batch) queued.reject(error);
    }
  }
}
