import { describe, expect, it } from "vitest";
import { JobInvalidError, JobParamsTooLargeError } from "../../src/errors.js";
import {
  backoffDelay,
  type CreateJobOptions,
  DEFAULT_JOB_DEFAULTS,
  resolveJobOptions,
  validateParams,
  validateTopic,
} from "../../src/jobs/job-options.js";
import { VALUE_BYTES_MAX } from "../../src/jobs/limits.js";

const NOW = 1_800_000_000_000;

function refusal(options: unknown): string {
  try {
    resolveJobOptions(options as CreateJobOptions, DEFAULT_JOB_DEFAULTS, NOW);
  } catch (error) {
    expect(error).toBeInstanceOf(JobInvalidError);
    expect((error as JobInvalidError).code).toBe("HEROAGENT_ERR_JOB_INVALID");
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(options)}`);
}

describe("createJob options", () => {
  it("resolves the defaults: now, priority 0, the configured timeout, attempts and backoff", () => {
    expect(resolveJobOptions(undefined, DEFAULT_JOB_DEFAULTS, NOW)).toEqual({
      timeout: 60,
      maxAttempts: 3,
      backoff: DEFAULT_JOB_DEFAULTS.backoff,
      runAt: NOW,
      priority: 0,
    });
    const defaults = { ...DEFAULT_JOB_DEFAULTS, timeout: 5 };
    expect(resolveJobOptions({}, defaults, NOW).timeout).toBe(5);
  });

  it("takes delay (ms from now) or runAt (epoch ms or Date)", () => {
    expect(resolveJobOptions({ delay: 1500 }, DEFAULT_JOB_DEFAULTS, NOW).runAt).toBe(NOW + 1500);
    expect(resolveJobOptions({ runAt: NOW + 9 }, DEFAULT_JOB_DEFAULTS, NOW).runAt).toBe(NOW + 9);
    expect(resolveJobOptions({ runAt: new Date(NOW + 7) }, DEFAULT_JOB_DEFAULTS, NOW).runAt).toBe(NOW + 7);
  });

  it("merges a partial backoff over the default one", () => {
    const r = resolveJobOptions(
      { maxAttempts: 5, backoff: { type: "fixed", delay: 10 } },
      DEFAULT_JOB_DEFAULTS,
      NOW,
    );
    expect(r.maxAttempts).toBe(5);
    expect(r.backoff).toEqual({ ...DEFAULT_JOB_DEFAULTS.backoff, type: "fixed", delay: 10 });
  });

  it.each([
    [{ timeout: 0 }, "timeout must be a number of seconds"],
    [{ timeout: -1 }, "(got -1)"],
    [{ timeout: 3e6 }, "timeout must be"],
    [{ timeout: "10" }, 'timeout must be a number of seconds in (0, 2147483.647] (got "10")'],
    [{ maxAttempts: 0 }, "maxAttempts must be an integer from 1 to 1000 (got 0)"],
    [{ maxAttempts: 1.5 }, "maxAttempts must be"],
    [{ priority: 1001 }, "priority must be an integer from -1000 to 1000 (got 1001)"],
    [{ priority: 0.5 }, "priority must be"],
    [{ delay: -5 }, "delay must be milliseconds from 0 to"],
    [{ delay: Number.NaN }, "delay must be"],
    [{ delay: 1e300 }, "(the year 275760) (got 1e+300)"],
    [{ runAt: 8_640_000_000_000_001 }, "runAt must be a Date or epoch milliseconds up to 8640000000000000"],
    [
      { runAt: "tomorrow" },
      'runAt must be a Date or epoch milliseconds up to 8640000000000000 (got "tomorrow")',
    ],
    [{ runAt: new Date("nope") }, "runAt must be"],
    [{ delay: 1, runAt: NOW }, "give either delay or runAt, not both"],
    [{ retries: 3 }, 'unknown createJob option "retries"'],
    [{ backoff: { type: "linear" } }, 'backoff.type must be "exponential" or "fixed" (got "linear")'],
    [{ backoff: { delay: -1 } }, "backoff.delay must be milliseconds"],
    [{ backoff: { maxDelay: Number.POSITIVE_INFINITY } }, "backoff.maxDelay must be"],
    [{ backoff: { jitter: "yes" } }, "backoff.jitter must be a boolean"],
    [{ backoff: { factor: 2 } }, 'unknown backoff option "factor"'],
    [{ backoff: 5 }, "backoff must be an object"],
  ])("refuses %j with a message naming it", (options, message) => {
    expect(refusal(options)).toContain(message);
  });
});

describe("topic and params", () => {
  it("accepts topics usable in Redis keys and refuses the others", () => {
    for (const topic of ["email", "a", "video.encode", "my_topic-2"])
      expect(validateTopic(topic)).toBe(topic);
    for (const topic of ["", "a:b", "with space", "-lead", "x".repeat(129), 7]) {
      expect(() => validateTopic(topic)).toThrow(JobInvalidError);
    }
  });

  it("accepts params of exactly 1 MiB and refuses one byte more", () => {
    expect(validateParams("p".repeat(VALUE_BYTES_MAX))).toHaveLength(VALUE_BYTES_MAX);
    expect(() => validateParams("p".repeat(VALUE_BYTES_MAX + 1))).toThrow(JobParamsTooLargeError);
    // Counted in UTF-8 bytes, not characters: 2-byte characters reach the limit at half the length.
    expect(() => validateParams("é".repeat(VALUE_BYTES_MAX / 2 + 1))).toThrow(
      `job params of ${VALUE_BYTES_MAX + 2} bytes exceed the limit of ${VALUE_BYTES_MAX} bytes`,
    );
    expect(() => validateParams({ to: "x" })).toThrow("params must be a string (got object)");
  });
});

describe("backoffDelay", () => {
  const exp = { type: "exponential", delay: 100, maxDelay: 1000, jitter: false } as const;

  it("doubles per failed attempt up to maxDelay", () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(exp, n))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it("keeps a fixed delay fixed", () => {
    expect(backoffDelay({ ...exp, type: "fixed" }, 4)).toBe(100);
  });

  it("spreads a jittered delay over [delay/2, delay]", () => {
    const jittered = { ...exp, jitter: true };
    expect(backoffDelay(jittered, 3, () => 0)).toBe(200);
    expect(backoffDelay(jittered, 3, () => 0.999999)).toBe(400);
  });
});
