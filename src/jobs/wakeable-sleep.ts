/** A sleep that can be cut short: wakeBy(t) ends it at t if that is sooner; wakeBy(0) ends it now. */
export class WakeableSleep {
  private timer?: NodeJS.Timeout;
  private until = 0;
  private resolve?: () => void;

  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.resolve = resolve;
      this.until = Date.now() + ms;
      this.arm(ms);
    });
  }

  wakeBy(time: number): void {
    if (!this.resolve || time >= this.until) return;
    this.until = time;
    this.arm(Math.max(0, time - Date.now()));
  }

  private arm(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const resolve = this.resolve;
      this.resolve = undefined;
      resolve?.();
    }, ms);
    this.timer.unref();
  }
}
