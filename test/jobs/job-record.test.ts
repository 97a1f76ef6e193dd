import path from "node:path";
import { describe, expect, it } from "vitest";
import { JobCorruptError } from "../../src/errors.js";
import { decodeRecord, RECORD_FORMAT } from "../../src/jobs/job-record.js";
import { INLINE_JSON_MAX } from "../../src/jobs/value-chunks.js";
import { OurDB } from "../../src/ourdb/index.js";
import { openStore, tempDir } from "./helpers.js";

async function rawRecords(dir: string, id: number): Promise<Record<string, unknown>[]> {
  const db = await OurDB.open({ path: path.join(dir, "jobs"), recordSizeMax: 65_535, readOnly: true });
  try {
    const versions = await db.getHistory(id);
    return versions.map((bytes) => JSON.parse(Buffer.from(bytes).toString("utf8")));
  } finally {
    await db.close();
  }
}

describe("job record format 1", () => {
  it("stores small values inline and large ones as chunk ids with their byte length", async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    // The JSON form of the value decides: INLINE_JSON_MAX - 2 characters plus the two quotes fit.
    const fits = "a".repeat(INLINE_JSON_MAX - 2);
    const over = "a".repeat(INLINE_JSON_MAX - 1);
    const small = await store.create("t", fits, {}, 1000);
    const large = await store.create("t", over);
    await store.update(small.jobId, () => ({ status: "active" }), 2000);
    await store.close();

    const [v2, v1] = await rawRecords(dir, small.jobId);
    expect(v1).toMatchObject({ format: RECORD_FORMAT, version: 1, status: "new", params: { inline: fits } });
    expect(v1).not.toHaveProperty("jobId");
    expect(v2).toMatchObject({ version: 2, status: "active", updatedAt: 2000, createdAt: 1000 });
    expect(v2?.params).toEqual(v1?.params);
    const [big] = await rawRecords(dir, large.jobId);
    expect(big?.params).toEqual({ chunks: [1], bytes: INLINE_JSON_MAX - 1 });
    expect(big?.result).toBeNull();
  });

  // Values of 3-byte characters, at the inline bound in bytes and at the bound counted in characters
  // (which must go to chunks), beside logs at their bound of characters JSON escapes.
  it.each([
    ["just inline", Math.floor((INLINE_JSON_MAX - 2) / 3)],
    ["inline if counted in characters", INLINE_JSON_MAX - 2],
  ])("keeps the largest record within one OurDB record: values %s", async (_name, chars) => {
    const store = await openStore();
    const value = "€".repeat(chars);
    const { jobId } = await store.create("t", value);
    await store.update(jobId, () => ({ status: "active", workerId: '"'.repeat(200) }));
    const logs = Array.from({ length: 100 }, () => '"'.repeat(1000));
    await store.update(jobId, () => ({ status: "error", result: value, error: value, logs }));
    const job = await store.get(jobId);
    expect(job.logs.join("").length).toBe(16 * 1024 - ((16 * 1024) % 1000));
    expect(job.error).toBe(value);
  });

  it.each([
    ["not json", "record is not JSON"],
    ["[1]", "unknown record format undefined"],
    ['{"format":2}', "unknown record format 2"],
    ['{"format":1,"version":1,"topic":"t","status":"paused"}', 'unknown status "paused"'],
    [
      '{"format":1,"version":1,"topic":"t","status":"new","createdAt":1,"logs":[],"params":{"chunks":["x"],"bytes":1}}',
      "no readable params",
    ],
    [
      '{"format":1,"version":1,"topic":"t","status":"new","createdAt":1,"logs":[],"params":{"inline":""},"result":5}',
      "unreadable result",
    ],
  ])("refuses %s", (text, message) => {
    expect(() => decodeRecord(7, Buffer.from(text))).toThrow(JobCorruptError);
    expect(() => decodeRecord(7, Buffer.from(text))).toThrow(`job 7: `);
    expect(() => decodeRecord(7, Buffer.from(text))).toThrow(message);
  });
});
