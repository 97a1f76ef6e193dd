/**
 * litmus, the WebDAV conformance suite (Debian package "litmus"), against the server over each
 * FileSystem: every test of basic, copymove, props, locks and http must pass, without warnings.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { itWithTools } from "../helpers/tools.js";
import { fileSystems, type RunningServer, startServer } from "./helpers.js";

const run = promisify(execFile);
const SUITES = ["basic", "copymove", "props", "locks", "http"];
const itWithLitmus = itWithTools(["litmus"]);

for (const fixture of fileSystems) {
  describe(`litmus against the ${fixture.name} FileSystem`, () => {
    let running: RunningServer;
    const workDir = mkdtempSync(join(tmpdir(), "heroagent-litmus-"));
    beforeAll(async () => {
      running = await startServer(fixture, { basePath: "/dav" });
    });
    afterAll(async () => {
      await running?.stop();
      rmSync(workDir, { recursive: true, force: true });
    });

    for (const suite of SUITES) {
      itWithLitmus(
        `passes every ${suite} test`,
        async () => {
          // litmus writes a debug.log in its working directory; keep it out of the repository.
          const { stdout } = await run("litmus", [running.url], {
            cwd: workDir,
            env: { ...process.env, TESTS: suite },
            timeout: 60_000,
          }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }));
          const summary = /summary for `\w+': of (\d+) tests run: (\d+) passed, (\d+) failed/.exec(stdout);
          expect(summary, stdout).not.toBeNull();
          const [, ran, passed, failed] = summary as unknown as [string, string, string, string];
          expect({ failed: Number(failed), passed: Number(passed) }, stdout).toEqual({
            failed: 0,
            passed: Number(ran),
          });
          expect(Number(ran), stdout).toBeGreaterThan(3);
          expect(stdout, "litmus warnings").not.toMatch(/WARNING/);
        },
        90_000,
      );
    }
  });
}
