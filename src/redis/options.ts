/** Options of the embedded Redis server (config section `redis.*`). */
export interface RedisServerOptions {
  /** TCP listener address; default 127.0.0.1. */
  host?: string;
  /** TCP port; 0 picks a free one; undefined or null = no TCP listener. Default 6379. */
  port?: number | null;
  /** Unix socket path; "" = none. Default "". */
  unixSocketPath?: string;
  /** requirepass: until AUTH, every command but AUTH, HELLO and QUIT is refused with NOAUTH. */
  password?: string;
  /** Number of databases (SELECT 0 … n-1). Default 16. */
  databases?: number;
  /** proto-max-bulk-len: the longest bulk string a client may send. Default 512 MiB. */
  maxBulkLength?: number;
  /** A client whose unread replies exceed this many bytes is disconnected. Default 1 GiB. */
  maxOutputBuffer?: number;
  /** Log write commands to an append-only file, replayed at start. Default false. */
  appendonly?: boolean;
  /**
   * "always": fsync before the replies of each event-loop batch are sent; "everysec": fsync once a
   * second (a crash of the machine loses up to a second). Default "everysec".
   */
  appendfsync?: "always" | "everysec";
  /** The append-only file. Default "./data/redis/appendonly.aof". */
  aofPath?: string;
  /** auto-aof-rewrite-min-size: the AOF is rewritten when it doubled and is at least this big. 64 MiB. */
  aofRewriteMinSize?: number;
}

export type ResolvedRedisOptions = Required<Omit<RedisServerOptions, "password" | "port">> & {
  port: number | null;
  password: string | undefined;
};

export function resolveRedisOptions(options: RedisServerOptions): ResolvedRedisOptions {
  return {
    host: options.host ?? "127.0.0.1",
    port: options.port === undefined ? 6379 : options.port,
    unixSocketPath: options.unixSocketPath ?? "",
    password: options.password || undefined,
    databases: options.databases ?? 16,
    // V8 strings stop just short of 512 MiB; a bulk string must fit in one.
    maxBulkLength: Math.min(options.maxBulkLength ?? 512 * 1024 * 1024, 2 ** 29 - 24),
    maxOutputBuffer: options.maxOutputBuffer ?? 1024 * 1024 * 1024,
    appendonly: options.appendonly ?? false,
    appendfsync: options.appendfsync ?? "everysec",
    aofPath: options.aofPath ?? "./data/redis/appendonly.aof",
    aofRewriteMinSize: options.aofRewriteMinSize ?? 64 * 1024 * 1024,
  };
}
