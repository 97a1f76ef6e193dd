/**
 * What a key holds. Strings are JS strings of latin1 characters (one per byte: binary-safe and far
 * lighter than a Buffer per key); the other types are objects that name their type.
 */
export type TypeName = "string" | "list" | "hash" | "set" | "zset" | "stream";

export interface Collection {
  readonly type: Exclude<TypeName, "string">;
  /** Number of elements; an empty collection is deleted, as in Redis. */
  readonly size: number;
  /** OBJECT ENCODING's answer, following Redis 7.0's thresholds. */
  encoding(): string;
  /** A deep copy, for COPY. */
  clone(): Collection;
  /**
   * Commands that rebuild this value at `key` from nothing, for the AOF rewrite (e.g. RPUSH key a b c,
   * in chunks of at most 64 elements like Redis's rewrite; no TTL, the rewrite adds PEXPIREAT).
   * Optional only while the types are being written: a rewrite meeting a type without it is skipped.
   */
  toCommands?(key: string): string[][];
}

export type RedisValue = string | Collection;

export const typeOf = (value: RedisValue): TypeName => (typeof value === "string" ? "string" : value.type);

const INT_ENCODED = /^-?[1-9][0-9]{0,18}$|^0$/;

export function encodingOf(value: RedisValue): string {
  if (typeof value !== "string") return value.encoding();
  if (value.length <= 20 && INT_ENCODED.test(value)) {
    const n = BigInt(value);
    if (n >= -(2n ** 63n) && n < 2n ** 63n) return "int";
  }
  return value.length <= 44 ? "embstr" : "raw";
}
