/** The built-in topics. "shell" runs host commands, so only a configuration that asks gets it. */
import type { JobHandler } from "../worker.js";
import { echoHandler } from "./echo.js";
import { shellHandler } from "./shell.js";
import { sleepHandler } from "./sleep.js";

export function builtinHandlers(options: { enableShell: boolean }): Map<string, JobHandler> {
  const handlers = new Map<string, JobHandler>([
    ["echo", echoHandler],
    ["sleep", sleepHandler],
  ]);
  if (options.enableShell) handlers.set("shell", shellHandler);
  return handlers;
}

export { echoHandler, shellHandler, sleepHandler };
