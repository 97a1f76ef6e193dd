export type { CommandSpec } from "./commands/spec.js";
export { RedisError, RedisServerError } from "./errors.js";
export type { RedisServerOptions } from "./options.js";
export { RedisServer, type RedisServerHooks } from "./server.js";
