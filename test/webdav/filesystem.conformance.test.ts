/** One suite, every FileSystem: the handler relies on exactly these behaviours. */
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ConflictError,
  ForbiddenError,
  MethodNotAllowedError,
  NotFoundError,
} from "../../src/webdav/errors.js";
import type { FileSystem } from "../../src/webdav/filesystem/types.js";
import { fileSystems } from "./helpers.js";

const body = (content: string) => Readable.from([Buffer.from(content)]);
const prop = (name: string, value: string, ns = "urn:test") => ({
  op: "set" as const,
  property: { ns, name, value },
});

for (const fixture of fileSystems) {
  describe(`FileSystem conformance: ${fixture.name}`, () => {
    let fs: FileSystem;
    let cleanup: () => void;
    beforeEach(() => {
      ({ fileSystem: fs, cleanup } = fixture.create());
    });
    afterEach(() => cleanup());

    it("has an empty root collection", async () => {
      expect(await fs.stat("/")).toMatchObject({ path: "/", isCollection: true, size: 0 });
      expect(await fs.list("/")).toEqual([]);
    });

    it("writes, stats, reads and lists files", async () => {
      await fs.write("/a.txt", body("hello"));
      const info = await fs.stat("/a.txt");
      expect(info).toMatchObject({ path: "/a.txt", isCollection: false, size: 5 });
      expect(info.etag).toMatch(/^".+"$/);
      expect(info.modified).toBeInstanceOf(Date);
      expect(await text(await fs.read("/a.txt"))).toBe("hello");
      expect(await text(await fs.read("/a.txt", { start: 1, end: 3 }))).toBe("ell");
      expect((await fs.list("/")).map((child) => child.path)).toEqual(["/a.txt"]);
    });

    it("replaces a file and changes its entity tag", async () => {
      await fs.write("/a.txt", body("one"));
      const before = await fs.stat("/a.txt");
      await fs.write("/a.txt", body("two"));
      expect(await text(await fs.read("/a.txt"))).toBe("two");
      expect((await fs.stat("/a.txt")).etag).not.toBe(before.etag);
    });

    it("throws NotFoundError for missing resources", async () => {
      await expect(fs.stat("/missing")).rejects.toBeInstanceOf(NotFoundError);
      await expect(fs.read("/missing")).rejects.toBeInstanceOf(NotFoundError);
      await expect(fs.remove("/missing")).rejects.toBeInstanceOf(NotFoundError);
      await expect(fs.move("/missing", "/x")).rejects.toBeInstanceOf(NotFoundError);
    });

    it("throws ConflictError when the parent collection is missing", async () => {
      await expect(fs.write("/no/a.txt", body("x"))).rejects.toBeInstanceOf(ConflictError);
      await expect(fs.mkcol("/no/sub")).rejects.toBeInstanceOf(ConflictError);
      await fs.write("/file", body("x"));
      await expect(fs.write("/file/a.txt", body("x"))).rejects.toBeInstanceOf(ConflictError);
    });

    it("creates collections once", async () => {
      await fs.mkcol("/dir");
      expect(await fs.stat("/dir")).toMatchObject({ isCollection: true });
      await expect(fs.mkcol("/dir")).rejects.toBeInstanceOf(MethodNotAllowedError);
      await expect(fs.write("/dir", body("x"))).rejects.toBeInstanceOf(MethodNotAllowedError);
    });

    it("removes collections with their members", async () => {
      await fs.mkcol("/dir");
      await fs.mkcol("/dir/sub");
      await fs.write("/dir/sub/a", body("x"));
      await fs.remove("/dir");
      await expect(fs.stat("/dir/sub/a")).rejects.toBeInstanceOf(NotFoundError);
      expect(await fs.list("/")).toEqual([]);
      await expect(fs.remove("/")).rejects.toBeInstanceOf(ForbiddenError);
    });

    it("moves files and collections with their properties", async () => {
      await fs.mkcol("/dir");
      await fs.write("/dir/a", body("x"));
      await fs.patchProperties("/dir", [prop("p", "dir")]);
      await fs.patchProperties("/dir/a", [prop("p", "file")]);
      await fs.move("/dir", "/moved");
      await expect(fs.stat("/dir")).rejects.toBeInstanceOf(NotFoundError);
      expect(await text(await fs.read("/moved/a"))).toBe("x");
      expect(await fs.getProperties("/moved")).toEqual([{ ns: "urn:test", name: "p", value: "dir" }]);
      expect(await fs.getProperties("/moved/a")).toEqual([{ ns: "urn:test", name: "p", value: "file" }]);
      await expect(fs.move("/moved", "/none/x")).rejects.toBeInstanceOf(ConflictError);
    });

    it("copies a file with its properties, leaving the source", async () => {
      await fs.write("/a", body("data"));
      await fs.patchProperties("/a", [prop("p", "v")]);
      await fs.copyFile("/a", "/b");
      expect(await text(await fs.read("/b"))).toBe("data");
      expect(await fs.getProperties("/b")).toEqual([{ ns: "urn:test", name: "p", value: "v" }]);
      await fs.write("/b", body("changed"));
      expect(await text(await fs.read("/a"))).toBe("data");
    });

    it("sets, replaces and removes dead properties", async () => {
      await fs.write("/a", body(""));
      await fs.patchProperties("/a", [prop("x", "1"), prop("y", '<b xmlns="urn:b">2</b>', "urn:other")]);
      await fs.patchProperties("/a", [prop("x", "3"), { op: "remove", ns: "urn:other", name: "y" }]);
      expect(await fs.getProperties("/a")).toEqual([{ ns: "urn:test", name: "x", value: "3" }]);
      await fs.patchProperties("/", [prop("root", "r")]);
      expect(await fs.getProperties("/")).toEqual([{ ns: "urn:test", name: "root", value: "r" }]);
    });

    it("keeps properties when a file is replaced and drops them when it is deleted", async () => {
      await fs.write("/a", body("1"));
      await fs.patchProperties("/a", [prop("x", "1")]);
      await fs.write("/a", body("2"));
      expect(await fs.getProperties("/a")).toHaveLength(1);
      await fs.remove("/a");
      await fs.write("/a", body("3"));
      expect(await fs.getProperties("/a")).toEqual([]);
    });

    it("keeps Unicode names", async () => {
      await fs.mkcol("/日本語");
      await fs.write("/日本語/naïve café.txt", body("ü"));
      expect((await fs.list("/日本語")).map((child) => child.path)).toEqual(["/日本語/naïve café.txt"]);
      expect(await text(await fs.read("/日本語/naïve café.txt"))).toBe("ü");
    });

    it("leaves the old content when a write fails part-way", async () => {
      await fs.write("/a", body("old"));
      const failing = new Readable({
        read() {
          this.push(Buffer.from("partial"));
          this.destroy(new Error("client went away"));
        },
      });
      await expect(fs.write("/a", failing)).rejects.toThrow("client went away");
      expect(await text(await fs.read("/a"))).toBe("old");
      expect((await fs.list("/")).map((child) => child.path)).toEqual(["/a"]);
    });

    it("writes a body of announced size, and leaves the old content when it fails part-way", async () => {
      await fs.write("/a", body("old"), 3);
      const written = await fs.write("/a", body("new!"), 4);
      const info = await fs.stat("/a");
      if (written) expect(written).toEqual(info); // the info write returns is the file's own
      expect(info.size).toBe(4);
      expect(await text(await fs.read("/a"))).toBe("new!");
      const failing = new Readable({
        read() {
          this.push(Buffer.from("pa"));
          this.destroy(new Error("client went away"));
        },
      });
      await expect(fs.write("/a", failing, 4)).rejects.toThrow("client went away");
      expect(await text(await fs.read("/a"))).toBe("new!");
      expect((await fs.list("/")).map((child) => child.path)).toEqual(["/a"]);
    });

    it("answers statWithContent (when it has it) like stat and read", async () => {
      if (!fs.statWithContent) return;
      await fs.mkcol("/d");
      await fs.write("/d/s.txt", body("small"));
      const small = await fs.statWithContent("/d/s.txt", 10);
      expect(small.info).toEqual(await fs.stat("/d/s.txt"));
      expect(small.content?.toString()).toBe("small");
      expect((await fs.statWithContent("/d/s.txt", 4)).content).toBeUndefined();
      expect((await fs.statWithContent("/d", 10)).info.isCollection).toBe(true);
      await expect(fs.statWithContent("/d/missing", 10)).rejects.toBeInstanceOf(NotFoundError);
    });
  });
}
