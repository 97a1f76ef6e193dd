/**
 * How a running job is stopped: timeout, cancel, a lost lease, or the worker stopping. The
 * handler's AbortSignal is made only when the handler reads `ctx.signal` (a no-op handler never
 * does, and an AbortController with its listener cost more than the rest of such a run); the
 * worker itself stops waiting for a handler that ignores its signal through `race`.
 */

/** Why a handler's signal was aborted. */
export class JobAbort extends Error {
  constructor(readonly reason: "timeout" | "cancelled" | "lost" | "stopped") {
    super(reason === "lost" ? "the job's lease was lost" : reason === "stopped" ? "worker stopped" : reason);
    this.name = "JobAbort";
  }
}

export class RunAbort {
  /** Set by the first abort; later ones change nothing. */
  reason: JobAbort | undefined;
  private controller: AbortController | undefined;
  private onAbort: ((reason: JobAbort) => void) | undefined;

  /** The handler's signal, already aborted if the run was. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.reason) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason: JobAbort): void {
    if (this.reason) return;
    this.reason = reason;
    this.controller?.abort(reason);
    this.onAbort?.(reason);
  }

  /** Settles with `work`, or rejects with the reason as soon as the run is aborted. */
  race<T>(work: Promise<T>): Promise<T> {
    if (this.reason) return Promise.reject(this.reason);
    return new Promise<T>((resolve, reject) => {
      this.onAbort = reject;
      work.then(
        (value) => {
          this.onAbort = undefined;
          resolve(value);
        },
        (error: unknown) => {
          this.onAbort = undefined;
          reject(error);
        },
      );
    });
  }
}
