/**
 * The differential suite: every sequence of every file in ./sequences runs on a freshly flushed
 * embedded server and on a real redis-server (Debian's, 7.0), and the replies must be identical,
 * byte for byte (or as multisets for the commands a sequence marks `unordered`).
 */
import { afterAll, beforeAll, describe, expect } from "vitest";
import type { RedisServer } from "../../../src/redis/index.js";
import { findTool, itWithTools } from "../../helpers/tools.js";
import { rawCases } from "./raw-cases.js";
import { rawTranscript, startEmbedded, startRedisServer, transcript } from "./runner.js";
import type { Sequence } from "./sequence.js";

declare global {
  interface ImportMeta {
    glob<Module>(pattern: string, options: { eager: true }): Record<string, Module>;
  }
}

const files = import.meta.glob<{ sequences?: Sequence[] }>("./sequences/*.ts", { eager: true });

/** Every sequence, named "<file>: <sequence name>" so a failure says where it lives. */
const cases: [string, Sequence][] = Object.entries(files)
  .sort(([a], [b]) => a.localeCompare(b))
  .flatMap(([path, module]) => {
    const file = path.replace(/^.*\//, "").replace(/\.ts$/, "");
    return (module.sequences ?? []).map((sequence): [string, Sequence] => [
      `${file}: ${sequence.name}`,
      sequence,
    ]);
  });

const test = itWithTools(["redis-server"]);
const haveRedis = findTool("redis-server") !== undefined;

describe("differential: embedded server against redis-server 7.0", () => {
  let embedded: { server: RedisServer; internalErrors: unknown[] } | undefined;
  let real: { port: number; stop: () => void } | undefined;

  beforeAll(async () => {
    if (!haveRedis) return;
    [embedded, real] = await Promise.all([startEmbedded(), startRedisServer()]);
  });
  afterAll(async () => {
    real?.stop();
    await embedded?.server.stop();
  });

  test("the sequence files hold uniquely named sequences", () => {
    expect(cases.length).toBeGreaterThan(0);
    const names = cases.map(([name]) => name);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });

  for (const [name, bytes] of rawCases) {
    test(`raw protocol: ${name}`, async () => {
      const ours = embedded as NonNullable<typeof embedded>;
      const theirs = real as NonNullable<typeof real>;
      const [expected, actual] = await Promise.all([
        rawTranscript(theirs.port, bytes),
        rawTranscript(ours.server.port, bytes),
      ]);
      expect(actual).toEqual(expected);
    });
  }

  for (const [name, sequence] of cases) {
    test(name, async () => {
      const ours = embedded as NonNullable<typeof embedded>;
      const theirs = real as NonNullable<typeof real>;
      ours.internalErrors.length = 0;
      const [expected, actual] = await Promise.all([
        transcript(theirs.port, sequence),
        transcript(ours.server.port, sequence),
      ]);
      expect(ours.internalErrors).toEqual([]);
      expect(actual).toEqual(expected);
    });
  }
});
