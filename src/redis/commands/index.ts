import { clientCommands } from "./client.js";
import { commandDocsCommands } from "./command-docs.js";
import { configCommands } from "./config.js";
import { connectionCommands } from "./connection.js";
import { hashCommands } from "./hashes.js";
import { keyCommands } from "./keys.js";
import { listCommands } from "./lists.js";
import { monitorCommands } from "./monitor.js";
import { pubsubCommands } from "./pubsub.js";
import { serverCommands } from "./server.js";
import { setCommands } from "./sets.js";
import type { CommandSpec } from "./spec.js";
import { streamCommands } from "./streams.js";
import { stringCommands } from "./strings.js";
import { transactionCommands } from "./transactions.js";
import { zsetCommands } from "./zsets.js";

/** Every command the embedded server knows, one family per file. */
export function allCommands(): CommandSpec[] {
  return [
    ...connectionCommands,
    ...keyCommands,
    ...stringCommands,
    ...serverCommands,
    ...pubsubCommands,
    ...transactionCommands,
    ...clientCommands,
    ...configCommands,
    ...commandDocsCommands,
    ...monitorCommands,
    ...listCommands,
    ...zsetCommands,
    ...hashCommands,
    ...setCommands,
    ...streamCommands,
  ];
}
