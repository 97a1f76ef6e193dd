/**
 * Partial failures of collection COPY, MOVE and DELETE (RFC 4918 §§9.6.1, 9.8.8, 9.9.4): the other
 * members are processed and the answer is a 207 naming only the members that failed, each with its
 * own status, over every FileSystem (wrapped so that chosen paths fail, which works as root too).
 */
import { chmodSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseXml, type XmlElement } from "../../src/webdav/xml/parse.js";
import { failingFixture, fileSystems, type RunningServer, startServer } from "./helpers.js";

const LOCK_BODY =
  '<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>';
const BAD = "bad dir é";
const BAD_HREF = "bad%20dir%20%C3%A9";

interface StatusResponse {
  href: string;
  status: string;
  error?: string;
}

/** The responses of a 207 body, sorted by href. */
function responsesOf(xml: string): StatusResponse[] {
  const root = parseXml(xml);
  expect(root).toMatchObject({ ns: "DAV:", name: "multistatus" });
  const elements = (parent: XmlElement, name: string) =>
    parent.children.filter((child): child is XmlElement => typeof child !== "string" && child.name === name);
  const text = (element: XmlElement | undefined) => (element?.children ?? []).join("");
  return elements(root, "response")
    .map((response) => {
      const error = elements(response, "error")[0]?.children.find((c) => typeof c !== "string");
      return {
        href: text(elements(response, "href")[0]),
        status: text(elements(response, "status")[0]),
        ...(error && typeof error !== "string" ? { error: error.name } : {}),
      };
    })
    .sort((a, b) => a.href.localeCompare(b.href));
}

const runningAsRoot = process.getuid?.() === 0;

for (const fixture of fileSystems) {
  describe(`207 Multi-Status for partial failures over the ${fixture.name} FileSystem`, () => {
    /** Resource path → errno code the FileSystem fails with there. */
    const failing = new Map<string, string>();
    let running: RunningServer;
    let prefix = 0;
    let base: string;
    /** The URL path of the test's collection, e.g. "/dav/t3/": every href starts with it. */
    let hrefBase: string;
    const dav = (path: string, init: RequestInit = {}) => fetch(new URL(path.replace(/^\//, ""), base), init);
    const fail = (path: string, code = "EACCES") => failing.set(`/t${prefix}${path}`, code);
    const to = (path: string) => ({ Destination: new URL(path.slice(1), base).href });
    const status = async (path: string) => (await dav(encodeURI(path))).status;
    const lock = async (path: string) => {
      const res = await dav(encodeURI(path), { method: "LOCK", body: LOCK_BODY });
      expect(res.status).toBe(200);
      return res.headers.get("lock-token") as string;
    };
    const multiStatus = async (res: Response) => {
      expect(res.status).toBe(207);
      expect(res.headers.get("content-type")).toContain("application/xml");
      return responsesOf(await res.text());
    };

    beforeAll(async () => {
      running = await startServer(failingFixture(fixture, failing), { basePath: "/dav" });
    });
    afterAll(() => running.stop());
    beforeEach(async () => {
      failing.clear();
      base = `${running.url}t${++prefix}/`;
      hrefBase = new URL(base).pathname;
      expect((await fetch(base, { method: "MKCOL" })).status).toBe(201);
      // /src/{good.txt, sub/{deep.txt, secret.txt}, bad dir é/inner.txt}
      for (const col of ["/src", "/src/sub", `/src/${BAD}`]) {
        expect((await dav(encodeURI(col), { method: "MKCOL" })).status).toBe(201);
      }
      for (const file of [
        "/src/good.txt",
        "/src/sub/deep.txt",
        "/src/sub/secret.txt",
        `/src/${BAD}/inner.txt`,
      ]) {
        expect((await dav(encodeURI(file), { method: "PUT", body: file })).status).toBe(201);
      }
    });

    it("COPY copies every other member and names each one that failed, with its own status", async () => {
      fail(`/src/${BAD}`);
      fail("/src/sub/secret.txt", "ENOSPC");
      const responses = await multiStatus(await dav("/src", { method: "COPY", headers: to("/copy") }));
      // Only the failures: neither their parents (no 424) nor the members copied (no 201).
      expect(responses).toEqual([
        { href: `${hrefBase}src/${BAD_HREF}/`, status: "HTTP/1.1 403 Forbidden" },
        { href: `${hrefBase}src/sub/secret.txt`, status: "HTTP/1.1 507 Insufficient Storage" },
      ]);
      failing.clear();
      expect(await (await dav("/copy/good.txt")).text()).toBe("/src/good.txt");
      expect(await (await dav("/copy/sub/deep.txt")).text()).toBe("/src/sub/deep.txt");
      expect(await status("/copy/sub/secret.txt")).toBe(404);
      expect(await status(`/copy/${BAD}/inner.txt`)).toBe(404);
      expect(await status(`/src/${BAD}/inner.txt`)).toBe(200);
    });

    it("answers a file-system error without its text, which names server paths", async () => {
      fail("/src/good.txt");
      const res = await dav("/src/good.txt");
      expect(res.status).toBe(403);
      expect(await res.text()).toBe("Forbidden\n");
    });

    it("DELETE deletes every other member and keeps the failed ones with their ancestors", async () => {
      fail(`/src/${BAD}`);
      fail("/src/sub/secret.txt");
      const responses = await multiStatus(await dav("/src", { method: "DELETE" }));
      expect(responses).toEqual([
        { href: `${hrefBase}src/${BAD_HREF}/`, status: "HTTP/1.1 403 Forbidden" },
        { href: `${hrefBase}src/sub/secret.txt`, status: "HTTP/1.1 403 Forbidden" },
      ]);
      failing.clear();
      expect(await status("/src/good.txt")).toBe(404);
      expect(await status("/src/sub/deep.txt")).toBe(404);
      expect(await status("/src/sub/secret.txt")).toBe(200);
      expect(await status(`/src/${BAD}/inner.txt`)).toBe(200);
      expect((await dav("/src", { method: "DELETE" })).status).toBe(204);
      expect(await status("/src")).toBe(404);
    });

    it("MOVE moves every other member and leaves the failed ones at the source", async () => {
      fail(`/src/${BAD}`);
      const responses = await multiStatus(await dav("/src", { method: "MOVE", headers: to("/moved") }));
      expect(responses).toEqual([{ href: `${hrefBase}src/${BAD_HREF}/`, status: "HTTP/1.1 403 Forbidden" }]);
      failing.clear();
      expect(await (await dav("/moved/good.txt")).text()).toBe("/src/good.txt");
      expect(await (await dav("/moved/sub/secret.txt")).text()).toBe("/src/sub/secret.txt");
      expect(await status("/src/good.txt")).toBe(404);
      expect(await status("/src/sub")).toBe(404);
      expect(await status(`/src/${BAD}/inner.txt`)).toBe(200);
      expect(await status(`/moved/${BAD}`)).toBe(404);
    });

    it("DELETE leaves a locked member alone and reports it with 423 until its token is sent", async () => {
      const fileToken = await lock("/src/sub/deep.txt");
      const collectionToken = await lock(`/src/${BAD}`);
      const responses = await multiStatus(await dav("/src", { method: "DELETE" }));
      expect(responses).toEqual([
        { href: `${hrefBase}src/${BAD_HREF}/`, status: "HTTP/1.1 423 Locked", error: "lock-token-submitted" },
        { href: `${hrefBase}src/sub/deep.txt`, status: "HTTP/1.1 423 Locked", error: "lock-token-submitted" },
      ]);
      expect(await status("/src/good.txt")).toBe(404);
      expect(await status("/src/sub/secret.txt")).toBe(404);
      expect(await (await dav("/src/sub/deep.txt")).text()).toBe("/src/sub/deep.txt");
      expect(await status(`/src/${BAD}/inner.txt`)).toBe(200);
      // The locks are still held: a write without the token is refused.
      expect((await dav("/src/sub/deep.txt", { method: "PUT", body: "x" })).status).toBe(423);
      // Tagged lists: each token is submitted for the member it locks (RFC 4918 §10.4.3).
      const tagged = (path: string, token: string) =>
        `<${new URL(encodeURI(path.slice(1)), base).href}> (${token})`;
      const withTokens = {
        If: `${tagged("/src/sub/deep.txt", fileToken)} ${tagged(`/src/${BAD}`, collectionToken)}`,
      };
      expect((await dav("/src", { method: "DELETE", headers: withTokens })).status).toBe(204);
      expect(await status("/src")).toBe(404);
      // The deleted resources' locks went with them.
      expect((await dav("/src", { method: "MKCOL" })).status).toBe(201);
      expect((await dav("/src/sub", { method: "MKCOL" })).status).toBe(201);
      expect((await dav("/src/sub/deep.txt", { method: "PUT", body: "x" })).status).toBe(201);
    });

    it("MOVE leaves a locked member at the source and reports it with 423", async () => {
      const token = await lock("/src/sub/deep.txt");
      const responses = await multiStatus(await dav("/src", { method: "MOVE", headers: to("/moved") }));
      expect(responses).toEqual([
        { href: `${hrefBase}src/sub/deep.txt`, status: "HTTP/1.1 423 Locked", error: "lock-token-submitted" },
      ]);
      expect(await (await dav("/moved/sub/secret.txt")).text()).toBe("/src/sub/secret.txt");
      expect(await (await dav(encodeURI(`/moved/${BAD}/inner.txt`))).text()).toBe(`/src/${BAD}/inner.txt`);
      expect(await status("/moved/sub/deep.txt")).toBe(404);
      expect(await status("/src/good.txt")).toBe(404);
      expect(await (await dav("/src/sub/deep.txt")).text()).toBe("/src/sub/deep.txt");
      expect((await dav("/src/sub/deep.txt", { method: "PUT", body: "x" })).status).toBe(423);
      expect(
        (await dav("/src/sub/deep.txt", { method: "PUT", body: "x", headers: { If: `(${token})` } })).status,
      ).toBe(204);
    });

    it("COPY onto a destination with a locked member changes nothing and names that member", async () => {
      await dav("/dest", { method: "MKCOL" });
      await dav("/dest/kept.txt", { method: "PUT", body: "kept" });
      await lock("/dest/kept.txt");
      const responses = await multiStatus(await dav("/src", { method: "COPY", headers: to("/dest") }));
      expect(responses).toEqual([
        { href: `${hrefBase}dest/kept.txt`, status: "HTTP/1.1 423 Locked", error: "lock-token-submitted" },
      ]);
      expect(await (await dav("/dest/kept.txt")).text()).toBe("kept");
      expect(await status("/dest/good.txt")).toBe(404);
    });

    it("answers a failure of the request's own resource with its status, not a 207", async () => {
      fail("/src/good.txt");
      expect((await dav("/src/good.txt", { method: "DELETE" })).status).toBe(403);
      expect((await dav("/src/good.txt", { method: "COPY", headers: to("/c.txt") })).status).toBe(403);
      expect((await dav("/src/good.txt", { method: "MOVE", headers: to("/m.txt") })).status).toBe(403);
      fail("/src/sub");
      expect((await dav("/src/sub", { method: "COPY", headers: to("/c") })).status).toBe(403);
      expect(await status("/c")).toBe(404);
      expect((await fetch(running.url, { method: "DELETE" })).status).toBe(403);
    });

    // Root ignores file permissions, so this runs only as another user; the wrapper above covers the rest.
    it.skipIf(fixture.name !== "local" || runningAsRoot)(
      "reports a member made unreadable with chmod 000",
      async () => {
        const dir = join(running.root as string, `t${prefix}`, "src", BAD);
        chmodSync(dir, 0o000);
        try {
          const copied = await multiStatus(await dav("/src", { method: "COPY", headers: to("/copy") }));
          expect(copied).toEqual([{ href: `${hrefBase}src/${BAD_HREF}/`, status: "HTTP/1.1 403 Forbidden" }]);
          expect(await status("/copy/sub/deep.txt")).toBe(200);
          const deleted = await multiStatus(await dav("/src", { method: "DELETE" }));
          expect(deleted).toEqual([
            { href: `${hrefBase}src/${BAD_HREF}/`, status: "HTTP/1.1 403 Forbidden" },
          ]);
          expect(await status("/src/good.txt")).toBe(404);
        } finally {
          chmodSync(dir, 0o755);
        }
      },
    );
  });
}
