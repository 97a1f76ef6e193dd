/** The stream commands (Redis's "stream" group), one file per concern. */
import type { CommandSpec } from "./spec.js";
import { streamClaimCommands } from "./streams-claim.js";
import { streamGroupCommands } from "./streams-groups.js";
import { streamInfoCommands } from "./streams-info.js";
import { streamReadCommands } from "./streams-read.js";
import { streamWriteCommands } from "./streams-write.js";
import { streamXreadCommands } from "./streams-xread.js";

export const streamCommands: CommandSpec[] = [
  ...streamWriteCommands,
  ...streamReadCommands,
  ...streamXreadCommands,
  ...streamGroupCommands,
  ...streamClaimCommands,
  ...streamInfoCommands,
];
