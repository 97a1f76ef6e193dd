/**
 * Where the local FileSystem keeps a resource and its metadata, and the check that a path (after
 * following symlinks) is still inside the root.
 */

import { createHash } from "node:crypto";
import { lstatSync, realpathSync, type Stats, statSync } from "node:fs";
import { dirname, join, sep } from "node:path";
import { ForbiddenError } from "../errors.js";

/** Reserved name for metadata folders (dead properties, uploads in progress); never served. */
export const META_DIR = ".heroagent";

export class LocalPaths {
  constructor(readonly root: string) {}

  /** The on-disk path of a resource path; refuses the reserved metadata name. */
  fileOf(path: string): string {
    const segments = path.split("/").filter(Boolean);
    if (segments.includes(META_DIR)) throw new ForbiddenError(`reserved name: ${META_DIR}`);
    return join(this.root, ...segments);
  }

  /** The JSON file holding a resource's dead properties: in its parent's metadata folder. */
  propsFileOf(path: string): string {
    if (path === "/") return join(this.root, META_DIR, "root-props.json");
    const segments = path.split("/").filter(Boolean);
    const name = segments.pop() as string;
    // Hashed so any name (up to 255 bytes, any characters) maps to a valid file name.
    const hashed = createHash("sha256").update(name).digest("hex");
    return join(this.root, ...segments, META_DIR, "props", `${hashed}.json`);
  }

  /** The folder propsFileOf(path) is in, without hashing the name (checked once per listed member). */
  propsDirOf(path: string): string {
    if (path === "/") return join(this.root, META_DIR);
    const segments = path.split("/").filter(Boolean);
    segments.pop();
    return join(this.root, ...segments, META_DIR, "props");
  }

  uploadsDir(): string {
    return join(this.root, META_DIR, "uploads");
  }

  /**
   * The check of assertInsideRoot, cheaper on the usual path: the root is already resolved, so a
   * file whose every component below the root is a plain directory or file (one lstat each, no
   * symlink) is inside it, and the last lstat is its stat. Only when a symlink is met does it fall
   * back to resolving the whole path. Resolves to the file's Stats (followed through symlinks
   * only when they were checked), or undefined when it does not exist.
   */
  async inspect(file: string): Promise<Stats | undefined> {
    if (file === this.root) return lstatSync(file);
    if (!file.startsWith(this.root + sep)) throw new ForbiddenError("path outside the root");
    const names = file.slice(this.root.length + 1).split(sep);
    let current = this.root;
    for (let i = 0; i < names.length; i++) {
      current += sep + names[i];
      const stats = lstatSync(current, { throwIfNoEntry: false });
      if (!stats) return undefined; // everything above is a real directory inside the root
      if (stats.isSymbolicLink()) {
        await this.assertInsideRoot(file);
        return statOrUndefined(file);
      }
      if (i < names.length - 1 && !stats.isDirectory()) return undefined; // ENOTDIR
      if (i === names.length - 1) return stats;
    }
    return undefined;
  }

  /**
   * Throws ForbiddenError when `file`, or its nearest existing ancestor, resolves (through
   * symlinks) to somewhere outside the root.
   */
  async assertInsideRoot(file: string): Promise<void> {
    for (let current = file; ; current = dirname(current)) {
      try {
        // Synchronous on purpose: a few microseconds of lstat calls on cached inodes, where a trip
        // through the thread pool costs ten times that on every request.
        const real = realpathSync.native(current);
        if (real !== this.root && !real.startsWith(this.root + sep)) {
          throw new ForbiddenError("path resolves outside the root");
        }
        return;
      } catch (error) {
        const atTop = current === this.root || dirname(current) === current;
        const code = (error as NodeJS.ErrnoException).code;
        if ((code !== "ENOENT" && code !== "ENOTDIR") || atTop) throw error;
      }
    }
  }
}

function statOrUndefined(file: string): Stats | undefined {
  try {
    return statSync(file, { throwIfNoEntry: false });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOTDIR") return undefined;
    throw error;
  }
}
