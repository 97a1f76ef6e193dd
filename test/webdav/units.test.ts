/** Unit tests of the pieces under the handler: If header, paths, lock system, password hashes. */
import { describe, expect, it } from "vitest";
import { BadRequestError, ForbiddenError, LockedError, NotFoundError } from "../../src/webdav/errors.js";
import { parseIfHeader, submittedTokens } from "../../src/webdav/if-header.js";
import { MemoryLockSystem } from "../../src/webdav/locks/memory.js";
import { hashPassword, parsePasswordHash, verifyPassword } from "../../src/webdav/password-hash.js";
import { hrefOf, resourcePathOf } from "../../src/webdav/paths.js";

describe("If header", () => {
  it("parses untagged and tagged lists with Not and entity tags", () => {
    expect(parseIfHeader('(<urn:a> ["e1"]) (Not <DAV:no-lock>)')).toEqual([
      {
        conditions: [
          { not: false, token: "urn:a" },
          { not: false, etag: '"e1"' },
        ],
      },
      { conditions: [{ not: true, token: "DAV:no-lock" }] },
    ]);
    const tagged = parseIfHeader('<http://h/a> (<urn:a>) <http://h/b> (Not [W/"x"])');
    expect(tagged.map((list) => list.resource)).toEqual(["http://h/a", "http://h/b"]);
    expect(submittedTokens(tagged)).toEqual(new Set(["urn:a"]));
  });

  it("rejects malformed headers", () => {
    for (const bad of ["", "(", "<urn:a>", "(urn:a)", "() ", "(<a>) <http://x> (<b>)"]) {
      expect(() => parseIfHeader(bad), bad).toThrow(BadRequestError);
    }
  });
});

describe("paths", () => {
  it("decodes and normalizes request targets under the base path", () => {
    expect(resourcePathOf("/dav/a%20b/./c?x=1", "/dav")).toBe("/a b/c");
    expect(resourcePathOf("/dav", "/dav")).toBe("/");
    expect(resourcePathOf("http://h:1/dav/%C3%BC", "/dav")).toBe("/ü");
    expect(() => resourcePathOf("/other/a", "/dav")).toThrow(NotFoundError);
    expect(() => resourcePathOf("/dav/%2e%2e/x", "/dav")).toThrow(ForbiddenError);
    expect(() => resourcePathOf("/dav/a%2fb", "/dav")).toThrow(ForbiddenError);
    expect(() => resourcePathOf("/dav/%E0%A4%A", "/dav")).toThrow(BadRequestError);
    expect(() => resourcePathOf("/dav/a#frag", "/dav")).toThrow(BadRequestError);
  });

  it("encodes hrefs with the base path and a slash on collections", () => {
    expect(hrefOf("/", "/dav", true)).toBe("/dav/");
    expect(hrefOf("/", "", true)).toBe("/");
    expect(hrefOf("/a b/ü#?", "/dav", false)).toBe("/dav/a%20b/%C3%BC%23%3F");
    expect(hrefOf("/dir", "", true)).toBe("/dir/");
  });
});

describe("MemoryLockSystem", () => {
  it("grants shared locks together and refuses conflicting exclusive ones", () => {
    const locks = new MemoryLockSystem();
    const shared = locks.create({ root: "/a", scope: "shared", depth: 0 });
    locks.create({ root: "/a", scope: "shared", depth: 0 });
    expect(() => locks.create({ root: "/a", scope: "exclusive", depth: 0 })).toThrow(LockedError);
    expect(() => locks.create({ root: "/", scope: "exclusive", depth: "infinity" })).toThrow(LockedError);
    locks.create({ root: "/b", scope: "exclusive", depth: "infinity" });
    expect(() => locks.create({ root: "/b/c", scope: "shared", depth: 0 })).toThrow(LockedError);
    expect(locks.covering("/b/c/d").map((lock) => lock.root)).toEqual(["/b"]);
    expect(locks.inside("/").length).toBe(3);
    expect(locks.unlock(shared.token)).toBe(true);
    expect(locks.unlock(shared.token)).toBe(false);
  });

  it("expires locks after their timeout and extends them on refresh", () => {
    let now = 0;
    const locks = new MemoryLockSystem(() => now);
    const lock = locks.create({ root: "/a", scope: "exclusive", depth: 0, timeoutSeconds: 10 });
    now = 9_000;
    locks.refresh(lock.token, 10);
    now = 18_000;
    expect(locks.get(lock.token)).toBeDefined();
    now = 19_001;
    expect(locks.get(lock.token)).toBeUndefined();
    expect(() => locks.create({ root: "/a", scope: "exclusive", depth: 0 })).not.toThrow();
  });
});

describe("password hashes", () => {
  it("verify the right password only", async () => {
    const hash = await hashPassword("pw", { N: 1024, r: 8, p: 1 });
    expect(hash).toMatch(/^scrypt:1024:8:1:/);
    expect(await verifyPassword("pw", parsePasswordHash(hash))).toBe(true);
    expect(await verifyPassword("pW", parsePasswordHash(hash))).toBe(false);
    expect(() => parsePasswordHash("$2b$10$abc")).toThrow(/scrypt/);
  });
});
