/**
 * The default FileSystem: a directory on disk. Writes go to a temporary file and are renamed into
 * place; dead properties live in a reserved ".heroagent" folder beside the resources they belong
 * to, so moving or deleting a folder carries or removes its members' properties with it.
 */
import { randomUUID } from "node:crypto";
import {
  closeSync,
  constants,
  createReadStream,
  createWriteStream,
  fstatSync,
  open,
  openSync,
  readSync,
  renameSync,
  type Stats,
  statSync,
  writeSync,
} from "node:fs";
import {
  copyFile,
  cp,
  mkdir,
  readdir,
  readFile,
  realpath,
  rename,
  rm,
  stat,
  unlink,
  writeFile,
} from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  MethodNotAllowedError,
  NotFoundError,
} from "../errors.js";
import { joinPath, parentOf } from "../paths.js";
import { LocalPaths, META_DIR } from "./local-paths.js";
import { applyPatches } from "./properties.js";
import type { ByteRange, DeadProperty, FileSystem, PropertyPatch, ResourceInfo } from "./types.js";

/** Large reads stream in 1 MiB pieces: fewer thread-pool trips and socket writes per GiB. */
const READ_CHUNK = 1024 * 1024;
const WRITE_CHUNK = 256 * 1024;
/** Uploads with a Content-Length up to this are buffered and written synchronously (see write). */
const SMALL_WRITE = 64 * 1024;
/** Members of a folder stated between two yields to the event loop (see list). */
const STAT_BATCH = 512;
/** How long a missing property folder is believed missing without looking again (changes made by other programs). */
const PROPS_DIR_CACHE_MS = 2000;

export class LocalFileSystem implements FileSystem {
  private readonly rootDir: string;
  private paths?: Promise<LocalPaths>;
  /** Serializes property updates per file, so concurrent PROPPATCHes don't lose each other's changes. */
  private readonly propertyQueues = new Map<string, Promise<void>>();
  /**
   * Property folders seen missing, and when: a listing of 10,000 files then costs one stat instead
   * of 10,000 failed opens. Writes through this instance clear the entry at once.
   */
  private readonly missingPropsDirs = new Map<string, number>();
  private uploadsReady = false;

  constructor(root: string) {
    this.rootDir = resolve(root);
  }

  /** Creates the root if needed and resolves it through symlinks (once). */
  private locate(): Promise<LocalPaths> {
    this.paths ??= (async () => {
      await mkdir(this.rootDir, { recursive: true });
      const paths = new LocalPaths(await realpath(this.rootDir));
      // Leftovers of uploads interrupted by a crash.
      await rm(paths.uploadsDir(), { recursive: true, force: true });
      return paths;
    })();
    return this.paths;
  }

  /** The on-disk file of `path`, checked to be inside the root. */
  private async fileOf(path: string): Promise<string> {
    return (await this.inspect(path)).file;
  }

  /**
   * The on-disk file of `path`, checked to be inside the root, with its Stats (undefined when it
   * does not exist): synchronous lstats on cached inodes, cheaper than a thread-pool round trip.
   */
  private async inspect(path: string): Promise<{ file: string; stats: Stats | undefined }> {
    const paths = await this.locate();
    const file = paths.fileOf(path);
    return { file, stats: await paths.inspect(file) };
  }

  async stat(path: string): Promise<ResourceInfo> {
    const { stats } = await this.inspect(path);
    if (!stats) throw new NotFoundError(path);
    return infoOf(path, stats);
  }

  async list(path: string): Promise<ResourceInfo[]> {
    const paths = await this.locate();
    const dir = await this.fileOf(path);
    const entries = (await readdir(dir, { withFileTypes: true })).filter((entry) => entry.name !== META_DIR);
    const infos: ResourceInfo[] = [];
    // Synchronous stats on cached inodes cost a few microseconds, against tens for a thread-pool
    // trip each; batches with a yield in between keep a huge folder from stalling other requests.
    for (let first = 0; first < entries.length; first += STAT_BATCH) {
      if (first > 0) await new Promise((resolve) => setImmediate(resolve));
      for (const entry of entries.slice(first, first + STAT_BATCH)) {
        const info = await this.memberInfo(paths, joinPath(path, entry.name), entry.isSymbolicLink());
        if (info) infos.push(info);
      }
    }
    return infos;
  }

  /** Undefined for a broken symlink, one leading outside the root, or a file removed meanwhile. */
  private async memberInfo(
    paths: LocalPaths,
    childPath: string,
    isSymbolicLink: boolean,
  ): Promise<ResourceInfo | undefined> {
    const file = paths.fileOf(childPath);
    try {
      if (isSymbolicLink) await paths.assertInsideRoot(file);
      const stats = statSync(file, { throwIfNoEntry: false });
      return stats ? infoOf(childPath, stats) : undefined;
    } catch {
      return undefined;
    }
  }

  async read(path: string, range?: ByteRange): Promise<Readable> {
    const file = await this.fileOf(path);
    // A numeric fd, not a FileHandle: its stream reads with callback fs.read, which moved a 1 GiB
    // GET in about two thirds of the time and CPU of the FileHandle's promise-based reads.
    const fd = await openNumeric(file, "r").catch((error) => {
      throw isMissing(error) ? new NotFoundError(path) : error;
    });
    const options = range ? { start: range.start, end: range.end } : {};
    return createReadStream("", { fd, ...options, highWaterMark: READ_CHUNK, autoClose: true });
  }

  /**
   * Small files in one synchronous read: open, read and close cost a few microseconds on cached
   * pages, where a stream pays three thread-pool trips and its own setup.
   */
  async readAll(path: string, range: ByteRange): Promise<Buffer> {
    const fd = openForReading(await this.fileOf(path), path);
    try {
      return readAt(fd, range.end - range.start + 1, range.start);
    } finally {
      closeSync(fd);
    }
  }

  async statWithContent(path: string, limit: number): Promise<{ info: ResourceInfo; content?: Buffer }> {
    const { file, stats } = await this.inspect(path);
    if (!stats) throw new NotFoundError(path);
    if (stats.isDirectory() || stats.size > limit) return { info: infoOf(path, stats) };
    const fd = openForReading(file, path);
    try {
      // The open file's own Stats: the ETag and the bytes belong to the same version of it.
      const opened = fstatSync(fd);
      if (opened.isDirectory() || opened.size > limit) return { info: infoOf(path, opened) };
      return { info: infoOf(path, opened), content: readAt(fd, opened.size, 0) };
    } finally {
      closeSync(fd);
    }
  }

  async write(path: string, source: Readable, size?: number): Promise<ResourceInfo | undefined> {
    const paths = await this.locate();
    const { file, stats: existing } = await this.inspect(path);
    if (existing?.isDirectory()) throw new MethodNotAllowedError(`${path} is a collection`);
    // An existing file has its parent; otherwise the parent must be a collection.
    if (!existing) await this.assertParentCollection(path);
    if (!this.uploadsReady) {
      await mkdir(paths.uploadsDir(), { recursive: true });
      this.uploadsReady = true;
    }
    const temporary = `${paths.uploadsDir()}/${randomUUID()}`;
    try {
      if (size !== undefined && size <= SMALL_WRITE) {
        // Small bodies: collected in memory, then written, stated and renamed synchronously (a few
        // microseconds on the page cache, where a stream pays four thread-pool round trips).
        const bytes = await collect(source, size);
        // Creating an inode can block for a while (hundreds of µs on some disks): in the thread
        // pool, so other requests go on meanwhile; the rest is synchronous.
        const stats = writeSmallFile(await openNew(temporary), bytes);
        try {
          renameSync(temporary, file);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw error;
          await renameOrCopy(temporary, file); // a copy: another inode, so the caller stats it
          return undefined;
        }
        return infoOf(path, stats);
      }
      await pipeline(source, createWriteStream(temporary, { highWaterMark: WRITE_CHUNK }));
      await renameOrCopy(temporary, file);
      return undefined;
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
  }

  async mkcol(path: string): Promise<void> {
    const file = await this.fileOf(path);
    await this.assertParentCollection(path);
    try {
      await mkdir(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") {
        throw new MethodNotAllowedError(`${path} already exists`);
      }
      throw error;
    }
  }

  async remove(path: string): Promise<void> {
    if (path === "/") throw new ForbiddenError("the root cannot be deleted");
    const paths = await this.locate();
    await this.stat(path);
    await rm(await this.fileOf(path), { recursive: true });
    await rm(paths.propsFileOf(path), { force: true });
  }

  async move(path: string, destination: string): Promise<void> {
    if (path === "/") throw new ForbiddenError("the root cannot be moved");
    const paths = await this.locate();
    const [from, to] = [await this.fileOf(path), await this.fileOf(destination)];
    await this.stat(path);
    await this.assertParentCollection(destination);
    await renameOrCopy(from, to);
    await this.moveProperties(paths.propsFileOf(path), paths.propsFileOf(destination));
  }

  async copyFile(path: string, destination: string): Promise<void> {
    const paths = await this.locate();
    const [from, to] = [await this.fileOf(path), await this.fileOf(destination)];
    await this.assertParentCollection(destination);
    await copyFile(from, to, constants.COPYFILE_FICLONE);
    const properties = await this.getProperties(path);
    if (properties.length > 0) await this.writeProperties(paths.propsFileOf(destination), properties);
  }

  async getProperties(path: string): Promise<DeadProperty[]> {
    const paths = await this.locate();
    const propsDir = paths.propsDirOf(path);
    const seenMissing = this.missingPropsDirs.get(propsDir);
    // Answered without any I/O (nothing is read), so no root check is needed on this path.
    if (seenMissing !== undefined && Date.now() - seenMissing < PROPS_DIR_CACHE_MS) return [];
    await this.fileOf(path);
    const exists = await stat(propsDir).then(
      () => true,
      () => false,
    );
    if (!exists) {
      if (this.missingPropsDirs.size > 10_000) this.missingPropsDirs.clear();
      this.missingPropsDirs.set(propsDir, Date.now());
      return [];
    }
    this.missingPropsDirs.delete(propsDir);
    return readProperties(paths.propsFileOf(path));
  }

  async patchProperties(path: string, patches: readonly PropertyPatch[]): Promise<void> {
    const paths = await this.locate();
    await this.stat(path);
    const propsFile = paths.propsFileOf(path);
    const previous = this.propertyQueues.get(propsFile) ?? Promise.resolve();
    const next = previous.then(async () => {
      const updated = applyPatches(await readProperties(propsFile), patches);
      await this.writeProperties(propsFile, updated);
    });
    const settled = next.catch(() => undefined);
    this.propertyQueues.set(propsFile, settled);
    void settled.then(() => {
      if (this.propertyQueues.get(propsFile) === settled) this.propertyQueues.delete(propsFile);
    });
    return next;
  }

  private async writeProperties(propsFile: string, properties: readonly DeadProperty[]): Promise<void> {
    if (properties.length === 0) {
      await rm(propsFile, { force: true });
      return;
    }
    await mkdir(dirname(propsFile), { recursive: true });
    this.missingPropsDirs.delete(dirname(propsFile));
    const temporary = `${propsFile}.${randomUUID()}.tmp`;
    await writeFile(temporary, JSON.stringify(properties));
    await rename(temporary, propsFile);
  }

  private async moveProperties(from: string, to: string): Promise<void> {
    const properties = await readProperties(from);
    await rm(to, { force: true });
    if (properties.length === 0) return;
    await this.writeProperties(to, properties);
    await rm(from, { force: true });
  }

  private async assertParentCollection(path: string): Promise<void> {
    const { stats: parent } = await this.inspect(parentOf(path)).catch(() => ({ stats: undefined }));
    if (!parent?.isDirectory()) throw new ConflictError(`parent collection of ${path} does not exist`);
  }
}

async function readProperties(propsFile: string): Promise<DeadProperty[]> {
  try {
    return JSON.parse(await readFile(propsFile, "utf8")) as DeadProperty[];
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}

/** rename(2), or copy-then-delete when the two paths are on different devices. */
async function renameOrCopy(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw error;
    await cp(from, to, { recursive: true });
    await rm(from, { recursive: true });
  }
}

/** Exactly `size` bytes of `source` in one buffer; throws when the body ends short or runs over. */
async function collect(source: Readable, size: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of source) {
    chunks.push(chunk as Buffer);
    length += (chunk as Buffer).length;
    if (length > size) throw new BadRequestError("request body longer than its Content-Length");
  }
  if (length !== size) throw new BadRequestError("request body shorter than its Content-Length");
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length);
}

/** `file` opened with `flags`, as a numeric fd (see read() for why not a FileHandle). */
function openNumeric(file: string, flags: string): Promise<number> {
  return new Promise((resolve, reject) => {
    open(file, flags, (error, fd) => (error ? reject(error) : resolve(fd)));
  });
}

/** A new file (never an existing one) opened for writing. */
const openNew = (file: string) => openNumeric(file, "wx");

/** Writes `bytes` to the new file `fd`, closes it and returns its final Stats. */
function writeSmallFile(fd: number, bytes: Buffer): Stats {
  try {
    for (let written = 0; written < bytes.length; ) {
      written += writeSync(fd, bytes, written, bytes.length - written);
    }
    return fstatSync(fd); // rename keeps the inode and the modification time: the final ETag
  } finally {
    closeSync(fd);
  }
}

/** Opens `file` for a synchronous read; a missing file is the resource's NotFoundError. */
function openForReading(file: string, path: string): number {
  try {
    return openSync(file, "r");
  } catch (error) {
    throw isMissing(error) ? new NotFoundError(path) : error;
  }
}

/** Up to `length` bytes from `position` (fewer if the file is shorter). */
function readAt(fd: number, length: number, position: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const count = readSync(fd, buffer, filled, length - filled, position + filled);
    if (count === 0) break;
    filled += count;
  }
  return buffer.subarray(0, filled);
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
}

function infoOf(path: string, stats: Stats): ResourceInfo {
  const isCollection = stats.isDirectory();
  const size = isCollection ? 0 : stats.size;
  // The inode changes on every write (temporary file + rename), so the tag changes even when size
  // and modification time happen to match.
  const etag = `"${stats.ino.toString(16)}-${size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
  return { path, isCollection, size, modified: stats.mtime, created: stats.birthtime, etag };
}
