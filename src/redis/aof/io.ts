import fs from "node:fs";
import path from "node:path";

/**
 * Writes `text` (latin1) at the end of `fd`. Returns what is left unwritten when a write fails
 * (with the error), so a retry continues where it stopped instead of writing a command twice.
 */
export function writeText(fd: number, text: string): { rest: string; error?: NodeJS.ErrnoException } {
  const bytes = Buffer.from(text, "latin1");
  let written = 0;
  try {
    while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written);
  } catch (error) {
    return { rest: bytes.toString("latin1", written), error: error as NodeJS.ErrnoException };
  }
  return { rest: "" };
}

/** Makes a rename in `directory` durable (the new directory entry reaches the disk). */
export function fsyncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(directory, "r");
    fs.fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on a directory; the rename itself is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Where a rewrite writes before the atomic rename: next to the AOF, so rename stays on one filesystem. */
export function tempPathFor(aofPath: string): string {
  return path.join(path.dirname(aofPath), `temp-rewriteaof-bg-${process.pid}.aof`);
}
