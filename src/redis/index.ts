export type { CommandSpec } from "./commands/spec.js";
export { RedisError, RedisServerError } from "./errors.js";
export { ConnectionClosedError, type LocalArgument, type LocalConnection } from "./local-connection.js";
export type { RedisServerOptions } from "./options.js";
export { ReplyError } from "./resp/reply-reader.js";
export { RedisServer, type RedisServerHooks } from "./server.js";
