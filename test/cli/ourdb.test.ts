import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ourdbCommand } from "../../src/cli/ourdb.js";
import { OurDB } from "../../src/ourdb/index.js";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "../ourdb/helpers.js";

async function run(...args: string[]): Promise<string> {
  const chunks: Buffer[] = [];
  const command = ourdbCommand({ write: (chunk) => chunks.push(Buffer.from(chunk)) });
  for (const sub of command.commands) sub.exitOverride();
  await command.parseAsync(args, { from: "user" });
  return Buffer.concat(chunks).toString("utf8");
}

async function sample(): Promise<string> {
  const dir = tempDir();
  const db = await OurDB.open({ path: dir });
  await db.set({ data: "first" });
  await db.set({ id: 1, data: "second" });
  await db.set({ data: "other" });
  await db.delete(2);
  await db.close();
  return dir;
}

afterEach(() => {
  process.exitCode = undefined;
});

describe("heroagent ourdb", () => {
  it("info shows the settings, counts and files", async () => {
    const dir = await sample();
    const info = await run("info", dir);
    expect(info).toMatch(/^keysize: 6$/m);
    expect(info).toMatch(/^liveIds: 1$/m);
    expect(info).toMatch(/^nextId: 3$/m);
    expect(info).toMatch(/^file 0\.db: \d+ bytes$/m);
    expect(JSON.parse(await run("info", dir, "--json"))).toMatchObject({ liveIds: 1, keysize: 6 });
  });

  it("get prints the newest version; history prints them all, newest first", async () => {
    const dir = await sample();
    expect(await run("get", dir, "1")).toBe("second");
    expect(JSON.parse(await run("history", dir, "1", "--json"))).toEqual(["second", "first"]);
    expect(JSON.parse(await run("history", dir, "1", "1", "--json"))).toEqual(["second"]);
    expect(await run("history", dir, "1")).toBe("--- version 2 of 2\nsecond\n--- version 1 of 2\nfirst\n");
    await expect(run("get", dir, "2")).rejects.toThrow(/record not found: id 2/);
    await expect(run("get", dir, "x")).rejects.toThrow(/must be a non-negative integer/);
  });

  it("verify passes a sound database and exits 1 naming a damaged record", async () => {
    const dir = await sample();
    expect(await run("verify", dir)).toBe("1 ids, 2 records checked, 0 damaged\n");
    expect(process.exitCode).toBeUndefined();
    const file = path.join(dir, "0.db");
    const bytes = fs.readFileSync(file);
    bytes[1 + 12] = (bytes[1 + 12] as number) ^ 1; // the payload of "first", an older version of id 1
    fs.writeFileSync(file, bytes);
    const report = await run("verify", dir);
    expect(report).toMatch(/^damaged: id 1: CRC mismatch/m);
    expect(report).toMatch(/1 damaged\n$/);
    expect(process.exitCode).toBe(1);
  });

  it("condense reclaims space and keeps the records", async () => {
    const dir = await sample();
    expect(await run("condense", dir, "--keep-history", "0")).toMatch(/condensed .*: 53 → 19 bytes/);
    expect(JSON.parse(await run("history", dir, "1", "--json"))).toEqual(["second"]);
  });

  it("through the heroagent binary: exit 1 with one line on a missing record or damage", async () => {
    const dir = await sample();
    const missing = await runCli(["ourdb", "get", dir, "7"]).exited;
    expect(missing).toMatchObject({ code: 1, stdout: "", stderr: "heroagent: record not found: id 7\n" });
    const sound = await runCli(["ourdb", "verify", dir]).exited;
    expect(sound).toMatchObject({ code: 0, stdout: "1 ids, 2 records checked, 0 damaged\n" });
    const file = path.join(dir, "0.db");
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 30)); // tears the newest version of id 1
    const damaged = await runCli(["ourdb", "verify", dir]).exited;
    expect(damaged.code).toBe(1);
    expect(damaged.stdout).toMatch(/^damaged: id 1: record at 0:18 is truncated/m);
  });
});
