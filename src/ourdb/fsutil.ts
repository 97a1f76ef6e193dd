import fs from "node:fs";

/** Makes renames and new files in `dir` durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.promises.open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes a whole file and fsyncs it before resolving. */
export async function writeFileSynced(path: string, data: Uint8Array | string): Promise<void> {
  const handle = await fs.promises.open(path, "w");
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export const exists = (path: string) => fs.existsSync(path);

export async function removeIfExists(path: string): Promise<void> {
  await fs.promises.rm(path, { force: true, recursive: true });
}

/** fdatasync as a promise (the fd-based callback API avoids a FileHandle per file). */
export const fdatasync = (fd: number) =>
  new Promise<void>((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
