/**
 * The storage a WebDAV handler serves, shaped after golang.org/x/net/webdav's FileSystem but
 * asynchronous and a little higher-level (atomic writes, dead properties). Paths are resource paths
 * ("/" or "/a/b", already decoded and validated by the handler). Implementations throw the errors
 * of ../errors.ts (NotFoundError, ConflictError …) or Node fs errors, which map to statuses in one
 * place (statusOf).
 */
import type { Readable } from "node:stream";

export interface ResourceInfo {
  path: string;
  isCollection: boolean;
  /** Bytes; 0 for collections. */
  size: number;
  modified: Date;
  created: Date;
  /** Strong entity tag, quoted, e.g. "\"1a2b-3c4d\"". */
  etag: string;
}

/** A property set with PROPPATCH, stored with the resource and kept across COPY and MOVE. */
export interface DeadProperty {
  ns: string;
  name: string;
  /** Attributes of the property element (e.g. xml:lang), as written. */
  attributes?: Record<string, string>;
  /** The element's content as XML text; child elements carry their own xmlns. */
  value: string;
}

export type PropertyPatch =
  | { op: "set"; property: DeadProperty }
  | { op: "remove"; ns: string; name: string };

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

export interface FileSystem {
  /** Throws NotFoundError when absent. */
  stat(path: string): Promise<ResourceInfo>;
  /** The members of a collection, in no particular order. */
  list(path: string): Promise<ResourceInfo[]>;
  /** A stream of the file's bytes, or of `range` of them. */
  read(path: string, range?: ByteRange): Promise<Readable>;
  /**
   * Optional: `range` of a small file's bytes in one buffer (shorter if the file shrank meanwhile).
   * GET uses it instead of read() for small bodies, where a stream's setup dominates.
   */
  readAll?(path: string, range: ByteRange): Promise<Buffer>;
  /**
   * Optional: stat() and, when `path` is a file of at most `limit` bytes, its whole content, read
   * consistently with the info (same version of the file). GET uses it to resolve and check the
   * path once instead of twice for small files.
   */
  statWithContent?(path: string, limit: number): Promise<{ info: ResourceInfo; content?: Buffer }>;
  /**
   * Replaces (or creates) the file with the bytes of `source`, atomically: readers see the old or
   * the new content, never a part. ConflictError when the parent collection is missing.
   * `size` is the body's length when the request announced it (a body of another length is an
   * error). Resolves to the new file's info when the implementation knows it (saves a stat).
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: implementations written for Promise<void> stay valid
  write(path: string, source: Readable, size?: number): Promise<ResourceInfo | undefined | void>;
  /** ConflictError when the parent is missing; MethodNotAllowedError when `path` exists. */
  mkcol(path: string): Promise<void>;
  /** Removes a file, or a collection with everything in it, with their properties. */
  remove(path: string): Promise<void>;
  /** Moves a resource (and a collection's members) to `destination`, which must not exist. */
  move(path: string, destination: string): Promise<void>;
  /** Copies one file's bytes and dead properties to `destination`, which must not exist. */
  copyFile(path: string, destination: string): Promise<void>;
  getProperties(path: string): Promise<DeadProperty[]>;
  /** Applies every patch or none. */
  patchProperties(path: string, patches: readonly PropertyPatch[]): Promise<void>;
}
