import type { SetValue } from "../types/set.js";
import { type CommandContext, type CommandFlag, type CommandSpec, command } from "./spec.js";

/** The set at `key`; undefined when missing, WRONGTYPE for another type. */
export const setAt = (ctx: CommandContext, key: string) => ctx.db.getTyped<SetValue>(key, "set");

export function setCommand(
  name: string,
  arity: number,
  flags: CommandFlag[],
  since: string,
  summary: string,
  complexity: string,
  handler: CommandSpec["handler"],
  keys: CommandSpec["keys"] = [1, 1, 1],
): CommandSpec {
  return command({ name, arity, flags, keys, group: "set", since, summary, complexity, handler });
}
