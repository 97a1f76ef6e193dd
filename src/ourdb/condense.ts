import fs from "node:fs";
import path from "node:path";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { DataFiles, dataFileName, listDataFiles } from "./data-files.js";
import { fsyncDir, writeFileSynced } from "./fsutil.js";
import { Lookup } from "./lookup.js";
import { LOOKUP_DIR } from "./lookup-store.js";
import { maxPositionFor, type ResolvedOptions } from "./options.js";
import { encodeRecord, type Location } from "./record.js";

/**
 * condense() writes the live records into `condense.tmp/` (a complete database of its own), syncs it,
 * then writes `condense.tmp/COMMIT`: from that moment the new files win. Installing moves them over the
 * old ones and is redone on open until it has finished; a `condense.tmp/` without COMMIT is discarded.
 */
export const CONDENSE_DIR = "condense.tmp";
const COMMIT = "COMMIT";

export interface CondenseSource {
  lookup: Lookup;
  nextId: number;
  /** Payloads of `id`, newest first, at most `depth`. */
  history(id: number, depth: number): Uint8Array[];
}

export async function writeCondensed(
  dir: string,
  options: ResolvedOptions,
  source: CondenseSource,
  keepHistory: number,
): Promise<Lookup> {
  const tmp = path.join(dir, CONDENSE_DIR);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(path.join(tmp, LOOKUP_DIR), { recursive: true });
  const out = new DataFiles(tmp, false, 0);
  const lookup = new Lookup();
  try {
    out.locateEnd();
    let written = 0;
    for (const [id] of source.lookup.entries()) {
      let previous: Location = 0;
      for (const payload of source.history(id, keepHistory + 1).reverse()) {
        const record = encodeRecord(payload, previous);
        previous = out.planAppend(
          record.length,
          options.fileSize,
          maxPositionFor(options.keysize),
          options.keysize === 6,
        );
        out.writeAt(previous, record);
      }
      lookup.set(id, previous);
      if (++written % 1000 === 0) await yieldToEventLoop();
    }
    await out.syncAll();
  } finally {
    out.close();
  }
  const lookupDir = path.join(tmp, LOOKUP_DIR);
  await writeFileSynced(path.join(lookupDir, "data"), lookup.serialize(options.keysize));
  if (options.incrementalMode) await writeFileSynced(path.join(lookupDir, ".inc"), String(source.nextId));
  await fsyncDir(lookupDir);
  await fsyncDir(tmp);
  await writeFileSynced(path.join(tmp, COMMIT), JSON.stringify({ files: listDataFiles(tmp) }));
  await fsyncDir(tmp);
  return lookup;
}

/** Moves a committed condense into place (or discards an uncommitted one). Safe to repeat after a crash. */
export function installCondensed(dir: string): boolean {
  const tmp = path.join(dir, CONDENSE_DIR);
  if (!fs.existsSync(tmp)) return false;
  if (!fs.existsSync(path.join(tmp, COMMIT))) {
    fs.rmSync(tmp, { recursive: true, force: true });
    return false;
  }
  const { files } = JSON.parse(fs.readFileSync(path.join(tmp, COMMIT), "utf8")) as { files: number[] };
  const lookupDir = path.join(dir, LOOKUP_DIR);
  fs.mkdirSync(lookupDir, { recursive: true });
  // The old journal describes the old files: it must go before the new snapshot can be trusted.
  for (const name of ["journal", "journal.old", "data.tmp", ".inc.tmp"]) {
    fs.rmSync(path.join(lookupDir, name), { force: true });
  }
  for (const nr of files) moveIfPresent(path.join(tmp, dataFileName(nr)), path.join(dir, dataFileName(nr)));
  const last = Math.max(...files);
  for (const nr of listDataFiles(dir)) if (nr > last) fs.rmSync(path.join(dir, dataFileName(nr)));
  for (const name of ["data", ".inc"])
    moveIfPresent(path.join(tmp, LOOKUP_DIR, name), path.join(lookupDir, name));
  fsyncDirSync(lookupDir);
  fsyncDirSync(dir);
  fs.rmSync(tmp, { recursive: true, force: true });
  fsyncDirSync(dir);
  return true;
}

export function hasPendingCondense(dir: string): boolean {
  return fs.existsSync(path.join(dir, CONDENSE_DIR, COMMIT));
}

function moveIfPresent(from: string, to: string): void {
  if (fs.existsSync(from)) fs.renameSync(from, to);
}

function fsyncDirSync(dir: string): void {
  const fd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
