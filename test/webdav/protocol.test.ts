/** The handler over HTTP, against every FileSystem: statuses, headers and bodies RFC 4918 asks for. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fileSystems, type RunningServer, startServer } from "./helpers.js";

const PROPFIND_ALL = '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>';

for (const fixture of fileSystems) {
  describe(`WebDAV protocol over the ${fixture.name} FileSystem`, () => {
    let running: RunningServer;
    let prefix = 0;
    let base: string;
    const dav = (path: string, init: RequestInit = {}) => fetch(new URL(path.replace(/^\//, ""), base), init);

    beforeAll(async () => {
      running = await startServer(fixture, { basePath: "/dav" });
    });
    afterAll(() => running.stop());
    beforeEach(async () => {
      // Each test works in a fresh collection so they cannot see each other's files.
      base = `${running.url}t${++prefix}/`;
      expect((await fetch(base, { method: "MKCOL" })).status).toBe(201);
    });

    it("answers OPTIONS with the DAV classes and every method", async () => {
      const res = await dav("/", { method: "OPTIONS" });
      expect(res.status).toBe(200);
      expect(res.headers.get("dav")).toBe("1, 2");
      expect(res.headers.get("ms-author-via")).toBe("DAV");
      for (const method of [
        "GET",
        "PUT",
        "DELETE",
        "MKCOL",
        "COPY",
        "MOVE",
        "PROPFIND",
        "PROPPATCH",
        "LOCK",
        "UNLOCK",
      ]) {
        expect(res.headers.get("allow")).toContain(method);
      }
    });

    it("PUT creates (201), replaces (204) and needs a parent (409)", async () => {
      expect((await dav("/a.txt", { method: "PUT", body: "one" })).status).toBe(201);
      expect((await dav("/a.txt", { method: "PUT", body: "two" })).status).toBe(204);
      expect((await dav("/none/a.txt", { method: "PUT", body: "x" })).status).toBe(409);
      expect(await (await dav("/a.txt")).text()).toBe("two");
    });

    it("GET sends validators, content type, ranges and 304s", async () => {
      await dav("/page.html", { method: "PUT", body: "0123456789" });
      const res = await dav("/page.html");
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      const etag = res.headers.get("etag") as string;
      expect(etag).toMatch(/^".+"$/);
      expect(res.headers.get("last-modified")).toBeTruthy();
      const part = await dav("/page.html", { headers: { Range: "bytes=2-4" } });
      expect(part.status).toBe(206);
      expect(part.headers.get("content-range")).toBe("bytes 2-4/10");
      expect(await part.text()).toBe("234");
      expect(await (await dav("/page.html", { headers: { Range: "bytes=-3" } })).text()).toBe("789");
      expect((await dav("/page.html", { headers: { Range: "bytes=20-" } })).status).toBe(416);
      expect((await dav("/page.html", { headers: { "If-None-Match": etag } })).status).toBe(304);
      const since = res.headers.get("last-modified") as string;
      expect((await dav("/page.html", { headers: { "If-Modified-Since": since } })).status).toBe(304);
      const head = await dav("/page.html", { method: "HEAD" });
      expect(head.headers.get("content-length")).toBe("10");
      expect(await head.text()).toBe("");
    });

    it("PUT honours If-Match and If-None-Match", async () => {
      await dav("/c.txt", { method: "PUT", body: "1" });
      expect(
        (await dav("/c.txt", { method: "PUT", body: "2", headers: { "If-None-Match": "*" } })).status,
      ).toBe(412);
      expect(
        (await dav("/c.txt", { method: "PUT", body: "2", headers: { "If-Match": '"nope"' } })).status,
      ).toBe(412);
      const etag = (await dav("/c.txt", { method: "HEAD" })).headers.get("etag") as string;
      expect((await dav("/c.txt", { method: "PUT", body: "2", headers: { "If-Match": etag } })).status).toBe(
        204,
      );
    });

    it("MKCOL answers 201, 405 when it exists, 409 without parent, 415 with a body", async () => {
      expect((await dav("/col", { method: "MKCOL" })).status).toBe(201);
      expect((await dav("/col", { method: "MKCOL" })).status).toBe(405);
      expect((await dav("/x/y", { method: "MKCOL" })).status).toBe(409);
      expect((await dav("/z", { method: "MKCOL", body: "<x/>" })).status).toBe(415);
    });

    it("DELETE removes recursively and answers 404 for missing resources", async () => {
      await dav("/col", { method: "MKCOL" });
      await dav("/col/f", { method: "PUT", body: "x" });
      expect((await dav("/col", { method: "DELETE" })).status).toBe(204);
      expect((await dav("/col/f")).status).toBe(404);
      expect((await dav("/col", { method: "DELETE" })).status).toBe(404);
    });

    it("COPY and MOVE honour Destination, Depth and Overwrite", async () => {
      await dav("/src", { method: "MKCOL" });
      await dav("/src/f", { method: "PUT", body: "data" });
      const to = (path: string, headers: Record<string, string> = {}) => ({
        Destination: new URL(path.slice(1), base).href,
        ...headers,
      });
      expect((await dav("/src", { method: "COPY", headers: to("/copy") })).status).toBe(201);
      expect(await (await dav("/copy/f")).text()).toBe("data");
      expect((await dav("/src", { method: "COPY", headers: to("/copy", { Overwrite: "F" }) })).status).toBe(
        412,
      );
      expect((await dav("/src", { method: "COPY", headers: to("/copy") })).status).toBe(204);
      expect((await dav("/src", { method: "COPY", headers: to("/shallow", { Depth: "0" }) })).status).toBe(
        201,
      );
      expect((await dav("/shallow/f")).status).toBe(404);
      expect((await dav("/src", { method: "COPY", headers: to("/no/where") })).status).toBe(409);
      expect((await dav("/src", { method: "MOVE", headers: to("/src/inside") })).status).toBe(403);
      expect((await dav("/src", { method: "MOVE", headers: to("/moved") })).status).toBe(201);
      expect((await dav("/src/f")).status).toBe(404);
      expect(await (await dav("/moved/f")).text()).toBe("data");
      // Overwriting the source's own ancestor would delete the source first: refused, nothing lost.
      for (const method of ["MOVE", "COPY"]) {
        expect((await dav("/moved/f", { method, headers: to("/moved") })).status).toBe(403);
        expect(await (await dav("/moved/f")).text()).toBe("data");
      }
      expect(
        (await dav("/moved/f", { method: "COPY", headers: to("/moved", { Overwrite: "F" }) })).status,
      ).toBe(412);
      const other = { Destination: "http://elsewhere.example/dav/x" };
      expect((await dav("/moved", { method: "MOVE", headers: other })).status).toBe(502);
    });

    it("PROPFIND lists at depth 0 and 1 with percent-encoded hrefs under the base path", async () => {
      await dav("/sub dir", { method: "MKCOL" });
      await dav(`/${encodeURIComponent("café ü.txt")}`, { method: "PUT", body: "12345" });
      const res = await dav("/", { method: "PROPFIND", headers: { Depth: "1" }, body: PROPFIND_ALL });
      expect(res.status).toBe(207);
      const xml = await res.text();
      const prefixPath = new URL(base).pathname;
      expect(xml).toContain(`<D:href>${prefixPath}sub%20dir/</D:href>`);
      expect(xml).toContain(`<D:href>${prefixPath}caf%C3%A9%20%C3%BC.txt</D:href>`);
      expect(xml).toContain("<D:getcontentlength>5</D:getcontentlength>");
      expect(xml).toContain("<D:resourcetype><D:collection/></D:resourcetype>");
      const zero = await (await dav("/", { method: "PROPFIND", headers: { Depth: "0" } })).text();
      expect(zero.match(/<D:response>/g)).toHaveLength(1);
      expect((await dav("/missing", { method: "PROPFIND", headers: { Depth: "0" } })).status).toBe(404);
    });

    it("PROPPATCH stores dead properties with their namespaces, all or nothing", async () => {
      await dav("/p", { method: "PUT", body: "" });
      const set =
        '<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop><Z:author>Ann &amp; Bo</Z:author>' +
        '<Z:tree><Z:leaf xmlns:Y="urn:y" Y:a="1">v</Z:leaf></Z:tree></D:prop></D:set></D:propertyupdate>';
      expect((await dav("/p", { method: "PROPPATCH", body: set })).status).toBe(207);
      const find =
        '<D:propfind xmlns:D="DAV:"><D:prop><author xmlns="urn:z"/><tree xmlns="urn:z"/><nope xmlns="urn:z"/></D:prop></D:propfind>';
      const xml = await (await dav("/p", { method: "PROPFIND", headers: { Depth: "0" }, body: find })).text();
      expect(xml).toContain('<author xmlns="urn:z">Ann &amp; Bo</author>');
      expect(xml).toContain('<tree xmlns="urn:z"><leaf');
      expect(xml).toMatch(/<nope xmlns="urn:z"\/><\/D:prop><D:status>HTTP\/1.1 404/);
      const mixed =
        '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:getetag>x</D:getetag><x:k xmlns:x="urn:z">1</x:k></D:prop></D:set></D:propertyupdate>';
      const failed = await (await dav("/p", { method: "PROPPATCH", body: mixed })).text();
      expect(failed).toContain("403 Forbidden");
      expect(failed).toContain("424 Failed Dependency");
      const after = await (
        await dav("/p", { method: "PROPFIND", headers: { Depth: "0" }, body: PROPFIND_ALL })
      ).text();
      expect(after).not.toContain('<k xmlns="urn:z">');
    });

    it("refuses malformed XML with 400", async () => {
      expect(
        (await dav("/", { method: "PROPFIND", headers: { Depth: "0" }, body: "<D:propfind xmlns:D='DAV:'>" }))
          .status,
      ).toBe(400);
      const doctype = '<!DOCTYPE x [<!ENTITY a "b">]><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>';
      expect((await dav("/", { method: "PROPFIND", headers: { Depth: "0" }, body: doctype })).status).toBe(
        400,
      );
    });

    it("enforces locks on every write method through the If header", async () => {
      await dav("/locked", { method: "MKCOL" });
      await dav("/locked/f", { method: "PUT", body: "x" });
      const lockBody =
        '<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>me</D:owner></D:lockinfo>';
      const locked = await dav("/locked", {
        method: "LOCK",
        headers: { Timeout: "Second-60" },
        body: lockBody,
      });
      expect(locked.status).toBe(200);
      const token = (locked.headers.get("lock-token") as string).slice(1, -1);
      expect(await locked.text()).toContain("<D:timeout>Second-60</D:timeout>");
      const destination = { Destination: new URL("elsewhere", base).href };
      const attempts: Array<[string, string, RequestInit]> = [
        ["PUT", "/locked/f", { body: "y" }],
        ["PUT", "/locked/new", { body: "y" }],
        ["DELETE", "/locked/f", {}],
        ["MKCOL", "/locked/sub", {}],
        ["MOVE", "/locked/f", { headers: destination }],
        [
          "PROPPATCH",
          "/locked/f",
          {
            body: '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><x xmlns="urn:x">1</x></D:prop></D:set></D:propertyupdate>',
          },
        ],
        ["DELETE", "/locked", {}],
      ];
      for (const [method, path, init] of attempts) {
        expect((await dav(path, { ...init, method })).status, `${method} ${path} without token`).toBe(423);
      }
      const withToken = { If: `(<${token}>)` };
      expect((await dav("/locked/f", { method: "PUT", body: "y", headers: withToken })).status).toBe(204);
      expect(
        (await dav("/locked/f", { method: "PUT", body: "y", headers: { If: "(<urn:uuid:wrong>)" } })).status,
      ).toBe(412);
      expect((await dav("/locked", { method: "LOCK", body: lockBody })).status).toBe(423);
      const refreshed = await dav("/locked", {
        method: "LOCK",
        headers: { ...withToken, Timeout: "Second-120" },
      });
      expect(refreshed.status).toBe(200);
      expect(
        (await dav("/locked", { method: "UNLOCK", headers: { "Lock-Token": "<urn:uuid:wrong>" } })).status,
      ).toBe(409);
      expect(
        (await dav("/locked", { method: "UNLOCK", headers: { "Lock-Token": `<${token}>` } })).status,
      ).toBe(204);
      expect((await dav("/locked/f", { method: "PUT", body: "z" })).status).toBe(204);
    });

    it("creates an empty resource when locking an unmapped URL", async () => {
      const lockBody =
        '<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>';
      const res = await dav("/new-file", { method: "LOCK", body: lockBody });
      expect(res.status).toBe(201);
      expect((await dav("/new-file")).status).toBe(200);
      expect((await dav("/new-file", { method: "LOCK", body: lockBody })).status).toBe(200);
    });

    it("answers unknown methods with 405 and an Allow header", async () => {
      const res = await dav("/", { method: "PATCH" });
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toContain("PROPFIND");
    });
  });
}

describe("PROPFIND Depth: infinity", () => {
  it("is answered by default and refused with 403 when disabled", async () => {
    const fixture = fileSystems[1] as (typeof fileSystems)[number];
    const open = await startServer(fixture);
    const closed = await startServer(fixture, { allowInfinityDepth: false });
    try {
      await fetch(`${open.url}a`, { method: "MKCOL" });
      await fetch(`${open.url}a/b`, { method: "PUT", body: "x" });
      const deep = await (await fetch(open.url, { method: "PROPFIND" })).text();
      expect(deep).toContain("/a/b</D:href>");
      const refused = await fetch(closed.url, { method: "PROPFIND", headers: { Depth: "infinity" } });
      expect(refused.status).toBe(403);
      expect(await refused.text()).toContain("propfind-finite-depth");
    } finally {
      await open.stop();
      await closed.stop();
    }
  });
});
