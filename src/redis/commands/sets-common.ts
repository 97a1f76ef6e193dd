import type { SetValue } from "../types/set.js";
import { type CommandContext, familyCommand } from "./spec.js";

/** The set at `key`; undefined when missing, WRONGTYPE for another type. */
export const setAt = (ctx: CommandContext, key: string) => ctx.db.getTyped<SetValue>(key, "set");

export const setCommand = familyCommand("set");
