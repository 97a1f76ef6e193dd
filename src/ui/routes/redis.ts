/** The Redis browser's routes, over a real Redis client to the embedded server (any database). */
import type { Redis } from "ioredis";
import { z } from "zod";
import type { UIContext } from "../context.js";
import { requireRunning } from "../context.js";
import { badRequest, notFound } from "../errors.js";
import { intString } from "../route.js";

/** Elements of a collection (or bytes of a string) a read returns at most. */
export const VALUE_ELEMENTS_MAX = 1000;
const STRING_BYTES_MAX = 64 * 1024;
const TYPES = ["string", "list", "set", "zset", "hash", "stream"] as const;

/** Characters of a key the routes take. */
export const REDIS_KEY_MAX = 64 * 1024;

const keyParams = z.strictObject({ key: z.string().min(1).max(REDIS_KEY_MAX) });
const dbQuery = { db: intString(0, 1_000_000).default(0) };
const scanQuery = z.strictObject({
  ...dbQuery,
  pattern: z.string().max(1024).default("*"),
  type: z.enum(TYPES).optional(),
  cursor: z
    .string()
    .regex(/^\d{1,20}$/, "a SCAN cursor")
    .default("0"),
  count: intString(1, 10_000).default(100),
});

export function redisRoutes(ui: UIContext): void {
  const databases = ui.config.redis.databases;
  const client = (db = 0): Promise<Redis> => {
    requireRunning(ui.factory, "redis");
    if (db >= databases) throw badRequest(`db must be below ${databases} (redis.databases)`);
    return ui.redis(db);
  };
  const keyQuery = z.strictObject(dbQuery);
  ui.routes.add(
    { method: "GET", url: "/api/redis/info", tag: "redis", summary: "INFO of the embedded Redis server" },
    async () => ({ info: parseInfo(await (await client()).info()) }),
  );
  ui.routes.add(
    {
      method: "GET",
      url: "/api/redis/keys",
      tag: "redis",
      summary: "One SCAN step in database db: keys matching a pattern (and type) from a cursor",
      query: scanQuery,
    },
    async ({ query }) => {
      const args: Array<string | number> = ["MATCH", query.pattern, "COUNT", query.count];
      if (query.type) args.push("TYPE", query.type);
      const redis = await client(query.db);
      const [cursor, keys] = (await redis.call("SCAN", query.cursor, ...args)) as [string, string[]];
      return { cursor, keys };
    },
  );
  ui.routes.add(
    {
      method: "GET",
      url: "/api/redis/keys/:key",
      tag: "redis",
      summary: `A key's type, TTL (ms, -1 none) and value (first ${VALUE_ELEMENTS_MAX} elements)`,
      params: keyParams,
      query: keyQuery,
    },
    async ({ params, query }) => {
      const redis = await client(query.db);
      const type = await redis.type(params.key);
      if (type === "none") throw notFound(`no key ${JSON.stringify(params.key)}`);
      const [ttl, read] = await Promise.all([redis.pttl(params.key), readValue(redis, params.key, type)]);
      return { key: params.key, type, ttl, ...read };
    },
  );
  ui.routes.add(
    {
      method: "DELETE",
      url: "/api/redis/keys/:key",
      tag: "redis",
      summary: "Delete a key",
      params: keyParams,
      query: keyQuery,
    },
    async ({ params, query }) => {
      const deleted = await (await client(query.db)).del(params.key);
      if (deleted === 0) throw notFound(`no key ${JSON.stringify(params.key)}`);
      return { deleted };
    },
  );
}

interface ValueRead {
  /** Elements (or bytes of a string) in all. */
  length: number;
  value: unknown;
  truncated: boolean;
}

async function readValue(redis: Redis, key: string, type: string): Promise<ValueRead> {
  const max = VALUE_ELEMENTS_MAX;
  switch (type) {
    case "string": {
      const [length, value] = await Promise.all([
        redis.strlen(key),
        redis.getrange(key, 0, STRING_BYTES_MAX - 1),
      ]);
      return { length, value, truncated: length > STRING_BYTES_MAX };
    }
    case "list": {
      const [length, value] = await Promise.all([redis.llen(key), redis.lrange(key, 0, max - 1)]);
      return { length, value, truncated: length > value.length };
    }
    case "zset": {
      const [length, flat] = await Promise.all([
        redis.zcard(key),
        redis.zrange(key, "0", String(max - 1), "WITHSCORES"),
      ]);
      const value = pairs(flat).map(([member, score]) => ({ member, score: Number(score) }));
      return { length, value, truncated: length > value.length };
    }
    case "set": {
      const length = await redis.scard(key);
      const value = await scanAll((cursor) => redis.sscan(key, cursor, "COUNT", max), max);
      return { length, value, truncated: length > value.length };
    }
    case "hash": {
      const length = await redis.hlen(key);
      const flat = await scanAll((cursor) => redis.hscan(key, cursor, "COUNT", max), max * 2);
      return { length, value: Object.fromEntries(pairs(flat)), truncated: length * 2 > flat.length };
    }
    case "stream": {
      const [length, entries] = await Promise.all([
        redis.xlen(key),
        redis.xrange(key, "-", "+", "COUNT", max),
      ]);
      const value = entries.map(([id, fields]) => ({ id, fields: Object.fromEntries(pairs(fields)) }));
      return { length, value, truncated: length > value.length };
    }
    default:
      return { length: 0, value: null, truncated: false };
  }
}

/** Runs a *SCAN command to its end or until `max` items. */
async function scanAll(
  step: (cursor: string) => Promise<[string, string[]]>,
  max: number,
): Promise<string[]> {
  const items: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await step(cursor);
    items.push(...batch);
    cursor = next;
  } while (cursor !== "0" && items.length < max);
  return items.slice(0, max);
}

function pairs(flat: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i] as string, flat[i + 1] as string]);
  return out;
}

/** INFO text to { section: { field: value } }. */
export function parseInfo(text: string): Record<string, Record<string, string>> {
  const sections: Record<string, Record<string, string>> = {};
  let section: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith("# ")) {
      section = {};
      sections[line.slice(2).trim().toLowerCase()] = section;
    } else if (line.includes(":")) {
      const index = line.indexOf(":");
      section[line.slice(0, index)] = line.slice(index + 1);
    }
  }
  return sections;
}
