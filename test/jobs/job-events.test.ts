import { describe, expect, it } from "vitest";
import { decodeEvent, encodeEvent } from "../../src/jobs/job-events.js";

const base = { jobId: 7, topic: "mail", token: "t", workerId: "w", time: 1 };

describe("worker events", () => {
  it("round-trips every type, with and without a log count", () => {
    const events = [
      { ...base, type: "active", attempt: 2 },
      { ...base, type: "progress", progress: 40 },
      { ...base, type: "done", result: "ok", logs: 0 },
      { ...base, type: "done", result: null },
      { ...base, type: "failed", error: "boom", final: true, logs: 3 },
      { ...base, type: "released", reason: "worker stopped", logs: 1 },
      { ...base, type: "lost", reason: "lease expired" },
    ] as const;
    for (const event of events) expect(decodeEvent(encodeEvent(event))).toEqual(event);
  });

  it("ignores a log count that is not a non-negative integer (the logs are read then)", () => {
    for (const logs of ["", "-1", "1.5", "x"]) {
      const flat = [...encodeEvent({ ...base, type: "done", result: null }), "logs", logs];
      expect(decodeEvent(flat)).toEqual({ ...base, type: "done", result: null });
    }
  });
});
