import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { LogBuffer } from "../src/log-buffer.js";
import { createLogger } from "../src/logger.js";

describe("LogBuffer", () => {
  it("keeps the last lines of a logger, filtered by level, service and text", () => {
    const logs = new LogBuffer(5);
    const printed: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        printed.push(String(chunk));
        done();
      },
    });
    const logger = createLogger("debug", sink, logs);
    for (let i = 1; i <= 7; i++) logger.child({ service: i % 2 ? "jobs" : "redis" }).info({ i }, `line ${i}`);
    logger.warn({ service: "webdav", path: "/Quota" }, "disk nearly full");
    logger.trace("not at this level");
    expect(printed).toHaveLength(8);
    expect(logs.lines().map((l) => l.msg)).toEqual([
      "line 4",
      "line 5",
      "line 6",
      "line 7",
      "disk nearly full",
    ]);
    const [first] = logs.lines();
    expect(first).toMatchObject({ level: "info", service: "redis", fields: { i: 4 } });
    expect(first?.seq).toBe(4);
    expect(logs.lines({ level: "warn" }).map((l) => l.msg)).toEqual(["disk nearly full"]);
    expect(logs.lines({ service: "jobs" }).map((l) => l.msg)).toEqual(["line 5", "line 7"]);
    expect(logs.lines({ text: "QUOTA" }).map((l) => l.msg)).toEqual(["disk nearly full"]);
    expect(logs.lines({ limit: 2 }).map((l) => l.msg)).toEqual(["line 7", "disk nearly full"]);
  });

  it("masks registered secrets, keeps text that is not JSON, and survives a failing subscriber", () => {
    const logs = new LogBuffer();
    logs.mask("hunter2");
    const seen: string[] = [];
    logs.subscribe(() => {
      throw new Error("a closed stream");
    });
    logs.subscribe((line) => seen.push(line.msg));
    logs.write(`${JSON.stringify({ level: 40, time: 1, msg: "token (shown once): hunter2" })}\n`);
    logs.write("plain text\n\n");
    expect(logs.lines().map((l) => [l.level, l.msg])).toEqual([
      ["warn", "token (shown once): [redacted]"],
      ["info", "plain text"],
    ]);
    expect(seen).toEqual(["token (shown once): [redacted]", "plain text"]);
    logs.mask('pa"ss\\word');
    logs.write(`${JSON.stringify({ level: 30, msg: 'said pa"ss\\word' })}\n`);
    expect(logs.lines().at(-1)?.msg).toBe("said [redacted]");
  });
});
