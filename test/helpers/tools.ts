/**
 * System tools some tests need (redis-server, litmus, chromium …). A missing tool skips the test with
 * its name, except under HEROAGENT_REQUIRE_TOOLS=1 (CI), where it fails instead.
 */
import { execFileSync } from "node:child_process";
import { it } from "vitest";

export const toolsRequired = process.env.HEROAGENT_REQUIRE_TOOLS === "1";

/** The absolute path of `name` on PATH, or undefined. */
export function findTool(name: string): string | undefined {
  try {
    return (
      execFileSync("sh", ["-c", 'command -v "$1"', "sh", name], { encoding: "utf8" }).trim() || undefined
    );
  } catch {
    return undefined;
  }
}

/**
 * `it` when every tool is installed. Otherwise a skipped test named after the missing tools, or,
 * when tools are required, a test that fails saying which are missing.
 */
export function itWithTools(tools: string[]): ToolTest {
  const missing = tools.filter((tool) => findTool(tool) === undefined);
  if (missing.length === 0) return (name, fn, timeout) => it(name, fn, timeout);
  const note = `needs ${missing.join(", ")} (not installed)`;
  if (toolsRequired) {
    return (name) =>
      it(`${name} [${note}]`, () => {
        throw new Error(`HEROAGENT_REQUIRE_TOOLS=1 but ${missing.join(", ")} is not installed`);
      });
  }
  return (name) => it.skip(`${name} [${note}]`, () => {});
}

export type ToolTest = (name: string, fn: () => Promise<void> | void, timeout?: number) => void;
