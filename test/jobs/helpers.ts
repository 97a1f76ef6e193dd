import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach } from "vitest";
import { JobStore, type JobStoreOptions } from "../../src/jobs/job-store.js";

const dirs: string[] = [];
const stores: JobStore[] = [];

afterEach(async () => {
  await Promise.allSettled(stores.splice(0).map((s) => s.close()));
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobstore-"));
  dirs.push(dir);
  return dir;
}

/** A store in a fresh folder (or `dir`), closed after the test. sync "none": tests don't pull the plug. */
export async function openStore(dir = tempDir(), options: Partial<JobStoreOptions> = {}): Promise<JobStore> {
  const store = await JobStore.open({ path: dir, sync: "none", ...options });
  stores.push(store);
  return store;
}

/** A string of exactly `bytes` UTF-8 bytes mixing 1-, 2-, 3- and 4-byte characters, so chunk cuts land mid-character. */
export function utf8Text(bytes: number, seed = 1): string {
  const alphabet = ["a", "é", "€", "😀", "\n", '"', "\\"];
  let out = "";
  let size = 0;
  let x = seed;
  while (size < bytes) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    let ch = alphabet[x % alphabet.length] as string;
    if (size + Buffer.byteLength(ch) > bytes) ch = "a";
    out += ch;
    size += Buffer.byteLength(ch);
  }
  return out;
}
