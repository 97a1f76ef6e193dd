/**
 * A FileSystem held in memory: for tests, and for embedding a scratch WebDAV space. It behaves like
 * the local one (the same conformance suite runs against both); file contents are whole Buffers.
 */
import { Readable } from "node:stream";
import { ConflictError, ForbiddenError, MethodNotAllowedError, NotFoundError } from "../errors.js";
import { joinPath, nameOf, parentOf } from "../paths.js";
import { applyPatches } from "./properties.js";
import type { ByteRange, DeadProperty, FileSystem, PropertyPatch, ResourceInfo } from "./types.js";

interface MemoryNode {
  content?: Buffer;
  children?: Map<string, MemoryNode>;
  modified: Date;
  created: Date;
  /** Bumped on every change of content, for the entity tag. */
  version: number;
  properties: DeadProperty[];
}

let nextVersion = 1;

function newNode(isCollection: boolean): MemoryNode {
  const now = new Date();
  return {
    ...(isCollection ? { children: new Map() } : { content: Buffer.alloc(0) }),
    modified: now,
    created: now,
    version: nextVersion++,
    properties: [],
  };
}

export class MemoryFileSystem implements FileSystem {
  private readonly root = newNode(true);

  private find(path: string): MemoryNode | undefined {
    let node: MemoryNode | undefined = this.root;
    for (const segment of path.split("/").filter(Boolean)) node = node?.children?.get(segment);
    return node;
  }

  private get(path: string): MemoryNode {
    const node = this.find(path);
    if (!node) throw new NotFoundError(path);
    return node;
  }

  private parentCollection(path: string): Map<string, MemoryNode> {
    const children = this.find(parentOf(path))?.children;
    if (!children) throw new ConflictError(`parent collection of ${path} does not exist`);
    return children;
  }

  async stat(path: string): Promise<ResourceInfo> {
    return infoOf(path, this.get(path));
  }

  async list(path: string): Promise<ResourceInfo[]> {
    const children = this.get(path).children;
    if (!children) return [];
    return [...children].map(([name, node]) => infoOf(joinPath(path, name), node));
  }

  async read(path: string, range?: ByteRange): Promise<Readable> {
    const content = this.get(path).content;
    if (!content) throw new MethodNotAllowedError(`${path} is a collection`);
    return Readable.from([range ? content.subarray(range.start, range.end + 1) : content]);
  }

  async write(path: string, source: Readable): Promise<void> {
    this.parentCollection(path); // fail with 409 before reading the body
    if (this.find(path)?.children) throw new MethodNotAllowedError(`${path} is a collection`);
    const chunks: Buffer[] = [];
    for await (const chunk of source) chunks.push(Buffer.from(chunk as Uint8Array));
    // Resolved again after the upload: the parent may have changed while bytes were arriving.
    const target = this.parentCollection(path);
    const existing = target.get(nameOf(path));
    const node = existing ?? newNode(false);
    node.content = Buffer.concat(chunks);
    node.modified = new Date();
    node.version = nextVersion++;
    if (!existing) target.set(nameOf(path), node);
  }

  async mkcol(path: string): Promise<void> {
    const children = this.parentCollection(path);
    if (children.has(nameOf(path))) throw new MethodNotAllowedError(`${path} already exists`);
    children.set(nameOf(path), newNode(true));
  }

  async remove(path: string): Promise<void> {
    if (path === "/") throw new ForbiddenError("the root cannot be deleted");
    this.get(path);
    this.parentCollection(path).delete(nameOf(path));
  }

  async move(path: string, destination: string): Promise<void> {
    if (path === "/") throw new ForbiddenError("the root cannot be moved");
    const node = this.get(path);
    const target = this.parentCollection(destination);
    this.parentCollection(path).delete(nameOf(path));
    target.set(nameOf(destination), node);
  }

  async copyFile(path: string, destination: string): Promise<void> {
    const source = this.get(path);
    const target = this.parentCollection(destination);
    const copy = newNode(false);
    copy.content = Buffer.from(source.content ?? Buffer.alloc(0));
    copy.properties = [...source.properties];
    target.set(nameOf(destination), copy);
  }

  async getProperties(path: string): Promise<DeadProperty[]> {
    return [...this.get(path).properties];
  }

  async patchProperties(path: string, patches: readonly PropertyPatch[]): Promise<void> {
    const node = this.get(path);
    node.properties = applyPatches(node.properties, patches);
  }
}

function infoOf(path: string, node: MemoryNode): ResourceInfo {
  const size = node.content?.length ?? 0;
  return {
    path,
    isCollection: node.children !== undefined,
    size,
    modified: node.modified,
    created: node.created,
    etag: `"m${node.version.toString(16)}-${size.toString(16)}"`,
  };
}
