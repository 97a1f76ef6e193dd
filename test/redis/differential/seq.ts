/**
 * A compact way to write sequences: each command is a line of words ("SET k v EX 10"), with
 * "double quotes" around an argument that holds spaces or is empty, or an array of arguments taken
 * as is (binary values). Not a sequence file itself (it lives outside sequences/).
 */
import type { Sequence } from "./sequence.js";

export type CommandLine = string | string[];

/** Splits "SET k \"a b\" \"\"" into ["SET", "k", "a b", ""]. */
export function words(line: string): string[] {
  const out: string[] = [];
  const pattern = /"([^"]*)"|(\S+)/g;
  for (let match = pattern.exec(line); match !== null; match = pattern.exec(line)) {
    out.push(match[1] ?? (match[2] as string));
  }
  return out;
}

export function seq(
  name: string,
  lines: CommandLine[],
  options: { unordered?: number[]; resp?: 2 | 3 } = {},
): Sequence {
  return { name, commands: lines.map((line) => (typeof line === "string" ? words(line) : line)), ...options };
}
