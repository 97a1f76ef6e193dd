import { invalid } from "./errors.js";
import { MAX_PAYLOAD } from "./record.js";

export type SyncMode = "always" | "batch" | "none";

export interface OurDBOptions {
  /** The database folder; created when missing. */
  path: string;
  /** Ids are handed out by the database (1, 2, …); `set` with an id only updates. Default true. */
  incrementalMode?: boolean;
  /** Number of id slots (ids 0 … recordNrMax-1). Default 16,777,215. */
  recordNrMax?: number;
  /** Largest payload in bytes (at most 65,535). Default 4096. */
  recordSizeMax?: number;
  /** A data file is not appended to once it reaches this size; writing continues in the next one. Default 500 MiB. */
  fileSize?: number;
  /** Wipe the folder before opening. Default false. */
  reset?: boolean;
  /**
   * When a write's promise resolves: "always" after an fsync of its own, "batch" (default) after an fsync
   * shared with the writes queued beside it, "none" without waiting for the disk (unsafe on power loss).
   */
  sync?: SyncMode;
  /** Bytes of data-file blocks kept in memory for reads (0 turns the cache off). Default 32 MiB. */
  cacheSize?: number;
  /** Open without writing anything (no lock, no recovery on disk); set, delete and condense are refused. */
  readOnly?: boolean;
}

export interface ResolvedOptions extends Required<OurDBOptions> {
  keysize: 2 | 3 | 4 | 6;
}

export const DEFAULTS = {
  incrementalMode: true,
  recordNrMax: 16_777_215,
  recordSizeMax: 4096,
  fileSize: 500 * 1024 * 1024,
  reset: false,
  sync: "batch",
  readOnly: false,
  cacheSize: 32 * 1024 * 1024,
} as const;

/**
 * The originals' keysize rule, including their u32 overflow: with the defaults the product
 * 4096 × 16,777,215 wraps, and the result must still be keysize 6 so both pick the same layout.
 */
export function keysizeFor(recordNrMax: number, recordSizeMax: number): 2 | 3 | 4 | 6 {
  let keysize: 2 | 3 | 4 | 6 = recordNrMax < 65_536 ? 2 : recordNrMax < 16_777_216 ? 3 : 4;
  const product = (recordSizeMax * recordNrMax) % 2 ** 32;
  if (Math.floor(product / 2) > 10_000_000) keysize = 6;
  return keysize;
}

/** Largest record position a keysize can address (keysize 6 addresses any u32 position in many files). */
export const maxPositionFor = (keysize: number) => (keysize >= 4 ? 2 ** 32 - 1 : 2 ** (8 * keysize) - 1);

export function resolveOptions(options: OurDBOptions): ResolvedOptions {
  const o = { ...DEFAULTS, ...stripUndefined(options), path: options.path };
  if (typeof o.path !== "string" || o.path === "") throw invalid("path is required");
  requireInteger("recordNrMax", o.recordNrMax, 1, 2 ** 32);
  requireInteger("recordSizeMax", o.recordSizeMax, 1, MAX_PAYLOAD);
  requireInteger("fileSize", o.fileSize, 1, 2 ** 32 - 1);
  requireInteger("cacheSize", o.cacheSize, 0, Number.MAX_SAFE_INTEGER);
  if (!["always", "batch", "none"].includes(o.sync)) {
    throw invalid(`sync must be "always", "batch" or "none" (got ${JSON.stringify(o.sync)})`);
  }
  return { ...o, keysize: keysizeFor(o.recordNrMax, o.recordSizeMax) };
}

function requireInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${name} must be an integer from ${min} to ${max} (got ${value})`);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
