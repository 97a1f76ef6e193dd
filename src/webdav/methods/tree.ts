/**
 * DELETE, COPY and MOVE of collections, member by member where needed (RFC 4918 §§9.6.1, 9.8.3,
 * 9.9.2): a member that cannot be processed (locked without its token submitted, unreadable, any
 * file-system error) is left alone and recorded, the other members are processed, and the method
 * answers 207 Multi-Status listing only the members that failed, like Apache mod_dav. A subtree
 * without a problem still takes one FileSystem call (rm -r, rename); the walk happens only where
 * such a call failed or a locked member must be left out. The ancestors of a failed member stay
 * (deleting or moving them would drop the member) and are not reported themselves.
 */
import type { LockedMember } from "../conditions.js";
import type { RequestContext } from "../context.js";
import { isNotFound } from "../errors.js";
import type { ResourceInfo } from "../filesystem/types.js";
import { hrefOf, isWithin, joinPath, nameOf } from "../paths.js";
import { sendEmpty, sendMultiStatus } from "../respond.js";

interface Failure {
  path: string;
  isCollection: boolean;
  error: unknown;
}

export class TreeWalk {
  private readonly failures: Failure[] = [];
  private readonly locked: Map<string, LockedMember>;

  /** `locked`: members (lock roots) to leave alone, each reported with its 423. */
  constructor(
    private readonly ctx: RequestContext,
    locked: readonly LockedMember[] = [],
  ) {
    this.locked = new Map(locked.map((member) => [member.path, member]));
  }

  get failed(): boolean {
    return this.failures.length > 0;
  }

  fail(path: string, isCollection: boolean, error: unknown): void {
    this.failures.push({ path, isCollection, error });
  }

  /** Removes `info` with everything in it that can be removed; true when it is gone. */
  async delete(info: ResourceInfo): Promise<boolean> {
    if (this.skipLocked(info)) return false;
    const fs = this.ctx.fileSystem;
    if (!this.holdsLocked(info.path)) {
      try {
        await fs.remove(info.path);
        this.ctx.lockSystem.removeTree(info.path);
        return true;
      } catch (error) {
        if (this.vanished(info, error)) return true;
        if (!info.isCollection) return this.recordFailure(info, error);
      }
    }
    let members: ResourceInfo[];
    try {
      members = await fs.list(info.path);
    } catch (error) {
      return this.vanished(info, error) || this.recordFailure(info, error);
    }
    let all = true;
    for (const member of members) all = (await this.delete(member)) && all;
    if (!all) return false;
    try {
      await fs.remove(info.path);
      this.ctx.lockSystem.removeTree(info.path);
      return true;
    } catch (error) {
      return this.vanished(info, error) || this.recordFailure(info, error);
    }
  }

  /** Copies `source` to `destination` (which does not exist), its members too when `deep`. */
  async copy(source: ResourceInfo, destination: string, deep: boolean): Promise<void> {
    const fs = this.ctx.fileSystem;
    try {
      if (!source.isCollection) {
        await fs.copyFile(source.path, destination);
        return;
      }
      // Listed before the copy is made, so an unreadable collection leaves nothing behind.
      const members = deep ? await fs.list(source.path) : [];
      await fs.mkcol(destination);
      await this.copyProperties(source.path, destination);
      for (const member of members) await this.copy(member, joinPath(destination, nameOf(member.path)), true);
    } catch (error) {
      if (!this.vanished(source, error)) this.recordFailure(source, error);
    }
  }

  /** Moves `source` to `destination` (which does not exist) as far as it can; true when all of it moved. */
  async move(source: ResourceInfo, destination: string): Promise<boolean> {
    if (this.skipLocked(source)) return false;
    const fs = this.ctx.fileSystem;
    if (!this.holdsLocked(source.path)) {
      try {
        await fs.move(source.path, destination);
        this.ctx.lockSystem.removeTree(source.path);
        return true;
      } catch (error) {
        if (this.vanished(source, error)) return true;
        if (!source.isCollection) return this.recordFailure(source, error);
      }
    }
    // The collection is recreated at the destination and its members moved one by one; it is
    // removed from the source only when all of them could be (RFC 4918 §9.9.2: the subtree of a
    // member that fails stays where it is, the rest is moved).
    let members: ResourceInfo[];
    try {
      members = await fs.list(source.path);
      await fs.mkcol(destination);
      await this.copyProperties(source.path, destination);
    } catch (error) {
      return this.vanished(source, error) || this.recordFailure(source, error);
    }
    let all = true;
    for (const member of members) {
      all = (await this.move(member, joinPath(destination, nameOf(member.path)))) && all;
    }
    if (!all) return false;
    try {
      await fs.remove(source.path);
      this.ctx.lockSystem.removeTree(source.path);
      return true;
    } catch (error) {
      return this.vanished(source, error) || this.recordFailure(source, error);
    }
  }

  /**
   * Answers the request: `status` when nothing failed; the error itself when the only failure is
   * the request's own resource (RFC 4918 §9.6.1: a 4xx rather than a 207 when the request failed
   * as a whole); otherwise 207 with one response per failed member.
   */
  finish(status: number): void {
    const [first] = this.failures;
    if (!first) {
      sendEmpty(this.ctx.res, status);
      return;
    }
    if (this.failures.length === 1 && first.path === this.ctx.path) throw first.error;
    const failures = this.failures.map(({ path, isCollection, error }) => ({
      href: hrefOf(path, this.ctx.basePath, isCollection),
      error,
    }));
    sendMultiStatus(this.ctx.req, this.ctx.res, failures, (error) => this.ctx.report?.(error));
  }

  private async copyProperties(source: string, destination: string): Promise<void> {
    const properties = await this.ctx.fileSystem.getProperties(source);
    if (properties.length === 0) return;
    await this.ctx.fileSystem.patchProperties(
      destination,
      properties.map((property) => ({ op: "set" as const, property })),
    );
  }

  /** Records the 423 of a locked member (left alone with everything in it); true when it is one. */
  private skipLocked(info: ResourceInfo): boolean {
    const member = this.locked.get(info.path);
    if (member) this.fail(info.path, info.isCollection, member.error);
    return member !== undefined;
  }

  /** True when a locked member lies inside `path`, so it cannot go in one piece. */
  private holdsLocked(path: string): boolean {
    for (const locked of this.locked.keys()) if (isWithin(locked, path)) return true;
    return false;
  }

  /** A member removed meanwhile (by another request or program) counts as done. */
  private vanished(info: ResourceInfo, error: unknown): boolean {
    return info.path !== this.ctx.path && isNotFound(error);
  }

  private recordFailure(info: ResourceInfo, error: unknown): false {
    this.fail(info.path, info.isCollection, error);
    return false;
  }
}
