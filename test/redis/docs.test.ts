/** docs/redis.md lists exactly the commands of the command table, so the two cannot drift apart. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { allCommands } from "../../src/redis/commands/index.js";

const doc = readFileSync(new URL("../../docs/redis.md", import.meta.url), "utf8");

/** "GET", and "CLIENT LIST" for each subcommand of a container. */
function tableNames(): string[] {
  return allCommands().flatMap((spec) =>
    spec.subcommands
      ? spec.subcommands.map((sub) => sub.name.replace("|", " ").toUpperCase())
      : [spec.name.toUpperCase()],
  );
}

/** The first cell of each row of the tables under "## Commands". */
function documentedNames(): string[] {
  const section = doc.split(/^## Commands$/m)[1]?.split(/^## /m)[0] ?? "";
  return [...section.matchAll(/^\| `([A-Z][A-Z0-9 -]*)` *\|/gm)].map((match) => match[1] as string);
}

describe("docs/redis.md", () => {
  it("lists every command and subcommand of the command table", () => {
    const documented = new Set(documentedNames());
    expect(tableNames().filter((name) => !documented.has(name))).toEqual([]);
  });

  it("lists no command the server does not have, and none twice", () => {
    const names = documentedNames();
    const table = new Set(tableNames());
    expect(names.length).toBeGreaterThan(100);
    expect(names.filter((name) => !table.has(name))).toEqual([]);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });

  it("documents every redis.* setting and the persistence section", () => {
    for (const key of ["host", "tcpPort", "unixSocketPath", "password", "databases", "maxBulkLength"]) {
      expect(doc).toContain(`\`redis.${key}\``);
    }
    for (const key of ["appendonly", "appendfsync", "aofPath"]) expect(doc).toContain(`\`redis.${key}\``);
    expect(doc).toMatch(/^## Persistence$/m);
    expect(doc).toMatch(/^## Differences from Redis 7\.0$/m);
  });
});
