/**
 * Errors a command replies with. The message is sent as is, so it starts with Redis's own error
 * prefix (ERR, WRONGTYPE, NOAUTH, …) and uses Redis's wording.
 */
export class RedisError extends Error {
  override readonly name = "RedisError";
}

export const err = (message: string) => new RedisError(`ERR ${message}`);

export const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
export const wrongType = () => new RedisError(WRONGTYPE);
export const syntaxError = () => err("syntax error");
export const notInteger = () => err("value is not an integer or out of range");
export const notFloat = () => err("value is not a valid float");
export const wrongArity = (name: string) => err(`wrong number of arguments for '${name}' command`);

/** Raised by the protocol parser: the reply is sent and the connection closed, as Redis does. */
export class ProtocolError extends Error {
  override readonly name = "ProtocolError";
  constructor(detail: string) {
    super(`ERR Protocol error: ${detail}`);
  }
}

/** The errors of the server itself (not replies): a listener that cannot start, a bad option. */
export class RedisServerError extends Error {
  override readonly name = "RedisServerError";
  constructor(
    readonly code:
      | "REDIS_ERR_LISTEN"
      | "REDIS_ERR_SOCKET_IN_USE"
      | "REDIS_ERR_OPTIONS"
      | "REDIS_ERR_AOF"
      | "REDIS_ERR_NOT_RUNNING",
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
