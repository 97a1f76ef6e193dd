import { describeError } from "../errors.js";
import type { Logger } from "../logger.js";

/**
 * SIGINT and SIGTERM run `stop`, log `stoppedMessage` and exit 0 once pino has written everything
 * (an exit mid-write can drop or reorder lines); a failed stop is one stderr line and exit 1. A
 * second signal while stopping exits at once.
 */
export function stopOnSignals(
  stop: () => Promise<void>,
  logger: Logger,
  stopped: { message: string; fields?: Record<string, unknown> },
): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      process.stderr.write(`heroagent: second ${signal} while stopping, exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, "stopping");
    stop().then(
      () => {
        logger.info(stopped.fields ?? {}, stopped.message);
        logger.flush(() => process.exit(0));
      },
      (error: unknown) => logger.flush(() => exitWithError(error)),
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

/** One line on stderr, no stack trace: these are operator errors (bad config, port in use). */
export function exitWithError(error: unknown): never {
  process.stderr.write(`heroagent: ${describeError(error)}\n`);
  process.exit(1);
}
