import type { CommandSpec } from "./spec.js";
import { zsetBlockingCommands } from "./zsets-blocking.js";
import { zsetRangeCommands } from "./zsets-range.js";
import { zsetReadCommands } from "./zsets-read.js";
import { zsetStoreCommands } from "./zsets-store.js";
import { zsetWriteCommands } from "./zsets-write.js";

/** The sorted-set family (t_zset.c), split by kind of work. */
export const zsetCommands: CommandSpec[] = [
  ...zsetWriteCommands,
  ...zsetReadCommands,
  ...zsetRangeCommands,
  ...zsetStoreCommands,
  ...zsetBlockingCommands,
];
