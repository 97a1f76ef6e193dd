/**
 * Serializes every write of a database. Plain writes queued together form one batch (a group commit);
 * a task (checkpoint, condense, close) runs alone, after the writes queued before it.
 */
export interface Pending<T> {
  resolve(value: T): void;
  reject(err: unknown): void;
}

type Entry<W> =
  | { write: W; done: Pending<number> }
  | { task: () => Promise<unknown>; done: Pending<unknown> };

export class WriteQueue<W> {
  private readonly entries: Entry<W>[] = [];
  private running = false;

  constructor(
    /** Commits a batch; must settle every `done` in it. */
    private readonly commit: (batch: { write: W; done: Pending<number> }[]) => Promise<void>,
    private readonly maxBatch: number,
  ) {}

  write(write: W): Promise<number> {
    return new Promise((resolve, reject) => this.push({ write, done: { resolve, reject } }));
  }

  task<T>(task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) =>
      this.push({ task, done: { resolve: resolve as (v: unknown) => void, reject } }),
    );
  }

  private push(entry: Entry<W>): void {
    this.entries.push(entry);
    if (!this.running) {
      this.running = true;
      // Let writes issued in the same tick join the first batch.
      queueMicrotask(() => void this.drain());
    }
  }

  private async drain(): Promise<void> {
    while (this.entries.length > 0) {
      const head = this.entries[0] as Entry<W>;
      if ("task" in head) {
        this.entries.shift();
        try {
          head.done.resolve(await head.task());
        } catch (err) {
          head.done.reject(err);
        }
        continue;
      }
      let end = 1;
      while (end < this.entries.length && end < this.maxBatch && "write" in (this.entries[end] as Entry<W>))
        end++;
      const batch = this.entries.splice(0, end) as { write: W; done: Pending<number> }[];
      try {
        await this.commit(batch);
      } catch (err) {
        for (const { done } of batch) done.reject(err);
      }
    }
    this.running = false;
  }
}
