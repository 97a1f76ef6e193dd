/**
 * Round trips with real clients (Debian packages cadaver and rclone), logging in as a configured
 * user: upload, list, download, move, delete, over each FileSystem.
 */
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { hashPassword } from "../../src/webdav/password-hash.js";
import { itWithTools } from "../helpers/tools.js";
import { fileSystems, type RunningServer, startServer } from "./helpers.js";

const run = promisify(execFile);
const USER = "ann";
const PASSWORD = "correct-horse-battery";
const itWithCadaver = itWithTools(["cadaver"]);
const itWithRclone = itWithTools(["rclone"]);

/** Runs cadaver with `commands` on stdin; resolves with everything it printed. */
function cadaver(url: string, home: string, commands: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("cadaver", [url], { cwd: home, env: { ...process.env, HOME: home } });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += String(chunk);
    });
    child.stderr.on("data", (chunk) => {
      output += String(chunk);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("close", () => {
      clearTimeout(timer);
      resolve(output);
    });
    child.stdin.end(`${commands.join("\n")}\nquit\n`);
  });
}

for (const fixture of fileSystems) {
  describe(`real clients against the ${fixture.name} FileSystem`, () => {
    let running: RunningServer;
    const work = mkdtempSync(join(tmpdir(), "heroagent-clients-"));
    const content = `héllo from a client\n${"x".repeat(100_000)}\n`;
    const size = Buffer.byteLength(content);

    beforeAll(async () => {
      const passwordHash = await hashPassword(PASSWORD, { N: 1024, r: 8, p: 1 });
      running = await startServer(fixture, { basePath: "/dav", users: [{ username: USER, passwordHash }] });
      writeFileSync(join(work, "upload.txt"), content);
      // cadaver reads credentials from ~/.netrc.
      writeFileSync(join(work, ".netrc"), `machine 127.0.0.1 login ${USER} password ${PASSWORD}\n`, {
        mode: 0o600,
      });
    });
    afterAll(async () => {
      await running?.stop();
      rmSync(work, { recursive: true, force: true });
    });

    itWithCadaver("cadaver uploads, lists, downloads, moves and deletes", async () => {
      const output = await cadaver(running.url, work, [
        "mkcol folder",
        "put upload.txt folder/upload.txt",
        "ls folder",
        "get folder/upload.txt download.txt",
        "move folder/upload.txt folder/moved.txt",
        "ls folder",
        "delete folder/moved.txt",
        "ls folder",
      ]);
      expect(output).not.toMatch(/failed|Authentication required/i);
      expect(output).toMatch(new RegExp(`upload\\.txt\\s+${size}\\s`));
      expect(output).toMatch(new RegExp(`moved\\.txt\\s+${size}\\s`));
      expect(output).toContain("collection is empty");
      expect(readFileSync(join(work, "download.txt"), "utf8")).toBe(content);
    });

    itWithRclone("rclone uploads, lists, downloads, moves and deletes", async () => {
      const { stdout: obscured } = await run("rclone", ["obscure", PASSWORD]);
      const env = {
        ...process.env,
        RCLONE_CONFIG_DAV_TYPE: "webdav",
        RCLONE_CONFIG_DAV_URL: running.url,
        RCLONE_CONFIG_DAV_VENDOR: "other",
        RCLONE_CONFIG_DAV_USER: USER,
        RCLONE_CONFIG_DAV_PASS: obscured.trim(),
      };
      const rclone = async (...args: string[]) =>
        (
          await run("rclone", ["--config", join(work, "rclone.conf"), "-q", ...args], {
            env,
            timeout: 30_000,
          })
        ).stdout;
      await rclone("copyto", join(work, "upload.txt"), "dav:r/upload.txt");
      const listed = JSON.parse(await rclone("lsjson", "dav:r")) as Array<{ Name: string; Size: number }>;
      expect(listed.map(({ Name, Size }) => ({ Name, Size }))).toEqual([{ Name: "upload.txt", Size: size }]);
      await rclone("copyto", "dav:r/upload.txt", join(work, "rclone-download.txt"));
      expect(readFileSync(join(work, "rclone-download.txt"), "utf8")).toBe(content);
      await rclone("moveto", "dav:r/upload.txt", "dav:r/moved.txt");
      expect(await rclone("cat", "dav:r/moved.txt")).toBe(content);
      await rclone("deletefile", "dav:r/moved.txt");
      expect(JSON.parse(await rclone("lsjson", "dav:r"))).toEqual([]);
    });
  });
}
