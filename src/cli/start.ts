/** `heroagent start`: run the enabled services until SIGINT or SIGTERM. */
import { Command, Option } from "commander";
import { type Config, configFields, loadConfig } from "../config.js";
import { describeAllowed } from "../config-fields.js";
import { ServerFactory } from "../factory.js";
import { LogBuffer } from "../log-buffer.js";
import { createLogger, redactSecrets } from "../logger.js";
import { exitWithError, stopOnSignals } from "./stop-on-signals.js";

type FlagValues = Record<string, string | boolean | undefined>;

export function startCommand(): Command {
  const command = new Command("start")
    .description("start the enabled services and run until SIGINT or SIGTERM")
    .option("-c, --config <file>", "YAML (.yaml/.yml) or JSON (.json) config file");
  const keyByAttribute = addConfigOptions(command);
  command.action(async (options: FlagValues & { config?: string }) => {
    const flags: FlagValues = {};
    for (const [attribute, key] of keyByAttribute) flags[key] = options[attribute];
    await runServer(options.config, flags);
  });
  return command;
}

/** One option per config field, named from the schema; returns option attribute → field key. */
function addConfigOptions(command: Command): Map<string, string> {
  const keyByAttribute = new Map<string, string>();
  for (const field of configFields()) {
    const fallback = JSON.stringify(field.defaultValue);
    const allowed = field.kind === "enum" ? `, ${describeAllowed(field, true)}` : "";
    const negation = field.kind === "boolean" ? `, --no-${field.flag.slice(2)} turns it off` : "";
    const help = `${field.description}${allowed} (default ${fallback}${negation}; env ${field.envVar})`;
    const option =
      field.kind === "boolean"
        ? new Option(field.flag, help)
        : new Option(`${field.flag} <${field.kind === "integer" ? "number" : "value"}>`, help);
    command.addOption(option);
    if (field.kind === "boolean") command.addOption(new Option(`--no-${field.flag.slice(2)}`).hideHelp());
    keyByAttribute.set(option.attributeName(), field.key);
  }
  return keyByAttribute;
}

async function runServer(file: string | undefined, flags: FlagValues): Promise<void> {
  let config: Config;
  try {
    config = loadConfig({ file, env: process.env, flags });
  } catch (error) {
    exitWithError(error);
  }
  const logs = new LogBuffer();
  const logger = createLogger(config.logLevel, undefined, logs);
  logger.debug({ config: redactSecrets(config) }, "effective config");
  // A server stays up even when no service is available, until a signal says otherwise.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  let factory: ServerFactory;
  try {
    factory = new ServerFactory(config, { logger, logs });
    stopOnSignals(() => factory.stop(), logger, { message: "heroagent stopped" });
    await factory.start();
  } catch (error) {
    clearInterval(keepAlive);
    logger.flush(() => exitWithError(error));
    return;
  }
  const running = factory.status().filter((service) => service.state === "running").length;
  logger.info({ running, services: factory.status().length }, "heroagent started");
}
