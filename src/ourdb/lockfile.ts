import fs from "node:fs";
import path from "node:path";
import { OurDBError } from "./errors.js";

const LOCK_FILE = "LOCK";
/** Folders this process holds open: a second open in the same process must fail too. */
const heldHere = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes the single-writer lock of a database folder: a LOCK file holding our pid. A lock left by a
 * process that no longer runs (killed) is taken over.
 */
export function acquireLock(dir: string): () => void {
  const key = path.resolve(dir);
  const lockPath = path.join(dir, LOCK_FILE);
  const locked = (pid: number) =>
    new OurDBError("OURDB_ERR_LOCKED", `database ${dir} is locked by process ${pid} (${lockPath})`);
  if (heldHere.has(key)) throw locked(process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: "wx" });
      heldHere.add(key);
      return () => {
        heldHere.delete(key);
        fs.rmSync(lockPath, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const pid = Number(fs.readFileSync(lockPath, "utf8").trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) throw locked(pid);
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new OurDBError("OURDB_ERR_LOCKED", `database ${dir} is being opened by another process`);
}
