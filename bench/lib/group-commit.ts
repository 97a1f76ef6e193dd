/**
 * Application-level group commit for engines that do not coalesce concurrent writers themselves: writes
 * that arrive while the previous group is being committed (or in the same event-loop turn) are committed
 * together by one `commit` call, and each write's promise resolves after that call (and so its sync).
 */
export class GroupCommit<T> {
  private pending: { item: T; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private scheduled = false;
  private running = false;

  constructor(private readonly commit: (items: T[]) => void | Promise<void>) {}

  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    // setImmediate, not a microtask: writers released by the last group get to queue their next write first.
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    this.running = true;
    const group = this.pending;
    this.pending = [];
    try {
      await this.commit(group.map((g) => g.item));
      for (const g of group) g.resolve();
    } catch (err) {
      for (const g of group) g.reject(err);
    } finally {
      this.running = false;
      if (this.pending.length > 0) this.schedule();
    }
  }
}
