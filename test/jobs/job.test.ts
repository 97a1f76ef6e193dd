import { describe, expect, it } from "vitest";
import { JobTransitionError } from "../../src/errors.js";
import {
  assertTransition,
  canTransition,
  isFinished,
  isJobStatus,
  JOB_STATUSES,
  JobStatus,
} from "../../src/jobs/job.js";

describe("JobStatus", () => {
  it("has the seed's four states with their string values", () => {
    expect(JobStatus).toEqual({ New: "new", Active: "active", Done: "done", Error: "error" });
    expect(JOB_STATUSES).toEqual(["new", "active", "done", "error"]);
    expect(isJobStatus("done")).toBe(true);
    expect(isJobStatus("Done")).toBe(false);
    expect(isJobStatus(undefined)).toBe(false);
  });

  it("calls done and error finished, new and active not", () => {
    expect(JOB_STATUSES.filter(isFinished)).toEqual(["done", "error"]);
  });
});

describe("transitions", () => {
  // Every pair, so adding or removing an edge by accident fails here.
  const allowed = new Set([
    "new>active",
    "new>done",
    "new>error",
    "active>done",
    "active>error",
    "active>new",
    "done>error",
    "error>new",
  ]);
  for (const from of JOB_STATUSES) {
    for (const to of JOB_STATUSES) {
      const ok = allowed.has(`${from}>${to}`);
      it(`${from} → ${to} is ${ok ? "allowed" : "refused"}`, () => {
        expect(canTransition(from, to)).toBe(ok);
        if (ok) expect(() => assertTransition(1, from, to)).not.toThrow();
        else expect(() => assertTransition(1, from, to)).toThrow(JobTransitionError);
      });
    }
  }

  it("runs the seed's example literally: new → active → done → error", () => {
    expect(canTransition("new", "active")).toBe(true);
    expect(canTransition("active", "done")).toBe(true);
    expect(canTransition("done", "error")).toBe(true);
  });

  it("names the job, both states and what is allowed in a refusal", () => {
    let caught: unknown;
    try {
      assertTransition(42, "done", "active");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(JobTransitionError);
    expect((caught as JobTransitionError).code).toBe("HEROAGENT_ERR_JOB_TRANSITION");
    expect((caught as Error).message).toBe("job 42: cannot go from done to active (from done only: error)");
  });
});
