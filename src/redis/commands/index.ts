import { connectionCommands } from "./connection.js";
import { keyCommands } from "./keys.js";
import { serverCommands } from "./server.js";
import type { CommandSpec } from "./spec.js";
import { stringCommands } from "./strings.js";

/** Every command the embedded server knows, one family per file. */
export function allCommands(): CommandSpec[] {
  return [...connectionCommands, ...keyCommands, ...stringCommands, ...serverCommands];
}
