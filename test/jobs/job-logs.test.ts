import { describe, expect, it } from "vitest";
import { appendLogs, boundErrorText, boundLogs, cleanLogLine } from "../../src/jobs/job-logs.js";
import {
  ERROR_BYTES_MAX,
  LOG_BYTES_MAX,
  LOG_LINE_CHARS_MAX,
  LOG_LINES_MAX,
  utf8Bytes,
} from "../../src/jobs/limits.js";

describe("job logs", () => {
  it("keeps the newest lines and counts the dropped ones", () => {
    const lines = Array.from({ length: LOG_LINES_MAX + 5 }, (_, i) => `line ${i}`);
    const { logs, logsDropped } = boundLogs(lines);
    expect(logs).toHaveLength(LOG_LINES_MAX);
    expect(logs[0]).toBe("line 5");
    expect(logs.at(-1)).toBe(`line ${LOG_LINES_MAX + 4}`);
    expect(logsDropped).toBe(5);
  });

  it("appends to a job's logs and adds to its dropped count", () => {
    const job = { logs: Array.from({ length: LOG_LINES_MAX }, (_, i) => `${i}`), logsDropped: 7 };
    const next = appendLogs(job, ["new"]);
    expect(next.logs.at(-1)).toBe("new");
    expect(next.logs[0]).toBe("1");
    expect(next.logsDropped).toBe(8);
  });

  it("bounds the total bytes, whatever the line count", () => {
    const line = "x".repeat(LOG_LINE_CHARS_MAX);
    const { logs } = boundLogs(Array.from({ length: 50 }, () => line));
    expect(logs.reduce((n, l) => n + utf8Bytes(l), 0)).toBeLessThanOrEqual(LOG_BYTES_MAX);
    expect(logs.length).toBe(Math.floor(LOG_BYTES_MAX / LOG_LINE_CHARS_MAX));
  });

  it("flattens control characters and cuts long lines with a visible mark", () => {
    expect(cleanLogLine("a\nb\u0000c\td")).toBe("a b c\td");
    const long = cleanLogLine("y".repeat(LOG_LINE_CHARS_MAX + 10));
    expect(long).toBe(`${"y".repeat(LOG_LINE_CHARS_MAX)}…`);
  });
});

describe("error text", () => {
  it("keeps an error text up to the limit intact", () => {
    const text = "e".repeat(ERROR_BYTES_MAX);
    expect(boundErrorText(text)).toBe(text);
  });

  it("cuts a longer one within the limit and says so", () => {
    const cut = boundErrorText("€".repeat(ERROR_BYTES_MAX));
    expect(utf8Bytes(cut)).toBeLessThanOrEqual(ERROR_BYTES_MAX);
    expect(cut).toMatch(/ … \[error text cut: \d+ bytes\]$/);
    expect(cut).not.toContain("\uFFFD");
  });
});
