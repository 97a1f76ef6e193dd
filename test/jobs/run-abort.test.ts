import { describe, expect, it } from "vitest";
import { JobAbort, RunAbort } from "../../src/jobs/run-abort.js";

describe("RunAbort", () => {
  it("stops waiting for a handler that ignores the abort, with the first reason", async () => {
    const aborter = new RunAbort();
    const never = new Promise<string>(() => {});
    const raced = aborter.race(never);
    aborter.abort(new JobAbort("timeout"));
    aborter.abort(new JobAbort("cancelled"));
    await expect(raced).rejects.toMatchObject({ reason: "timeout" });
    expect(aborter.reason?.reason).toBe("timeout");
    await expect(aborter.race(Promise.resolve("late"))).rejects.toMatchObject({ reason: "timeout" });
  });

  it("settles with the handler when nothing aborts", async () => {
    const aborter = new RunAbort();
    await expect(aborter.race(Promise.resolve("ok"))).resolves.toBe("ok");
    await expect(aborter.race(Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    aborter.abort(new JobAbort("cancelled")); // after the handler: nothing left to reject
    expect(aborter.reason?.reason).toBe("cancelled");
  });

  it("gives the handler a signal that aborts with the reason, even one asked for after the abort", () => {
    const early = new RunAbort();
    const signal = early.signal;
    expect(signal.aborted).toBe(false);
    early.abort(new JobAbort("lost"));
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(JobAbort);
    expect(early.signal).toBe(signal);

    const late = new RunAbort();
    late.abort(new JobAbort("stopped"));
    expect(late.signal.aborted).toBe(true);
    expect((late.signal.reason as JobAbort).reason).toBe("stopped");
  });
});
