import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach } from "vitest";

/** A fresh temporary folder, removed after the test. */
export function tempDir(prefix = "ourdb-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

const created: string[] = [];
afterEach(() => {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

export const text = (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8");
export const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");

/** A copy of a database folder; taken while the database is open, it is what a kill -9 leaves behind. */
export function copyOf(dir: string): string {
  const copy = tempDir("ourdb-copy-");
  fs.cpSync(dir, copy, { recursive: true });
  return copy;
}
