/**
 * The Redis browser's routes, over a real Redis client to the embedded server (any database).
 * Keys and values are read as bytes: a key that is not valid UTF-8 is listed with its exact bytes
 * (`key64`, base64url) so that it can be read and deleted again, and such values are shown escaped.
 */
import { isUtf8 } from "node:buffer";
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

const keyText = z.string().min(1).max(REDIS_KEY_MAX);
const keyParams = z.strictObject({ key: keyText });
const dbQuery = { db: intString(0, 1_000_000).default(0) };
/** A key's exact bytes in a query string: base64url (RFC 4648 §5), padding optional. */
const key64Text = z
  .string()
  .min(1)
  .max(Math.ceil((REDIS_KEY_MAX * 4) / 3) + 2)
  .refine(isBase64url, "must be base64url (RFC 4648 §5: A-Z a-z 0-9 - _, padding optional)")
  .transform((text) => Buffer.from(text, "base64url"));
/** A key named in the query string: its text (`key`) or its exact bytes (`key64`), one of the two. */
const namedKeyQuery = z
  .strictObject({ ...dbQuery, key: keyText.optional(), key64: key64Text.optional() })
  .refine((q) => (q.key === undefined) !== (q.key64 === undefined), "give exactly one of key and key64");
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
      const [cursor, keys] = (await redis.callBuffer("SCAN", query.cursor, ...args)) as [Buffer, Buffer[]];
      return { cursor: cursor.toString(), keys: keys.map(keyEntry) };
    },
  );
  const readKey = async (db: number, key: string | Buffer) => {
    const redis = await client(db);
    const type = await redis.type(key);
    if (type === "none") throw notFound(`no key ${JSON.stringify(keyName(key))}`);
    const [ttl, read] = await Promise.all([redis.pttl(key), readValue(redis, key, type)]);
    return { ...keyFields(key), type, ttl, ...read };
  };
  const deleteKey = async (db: number, key: string | Buffer) => {
    const deleted = await (await client(db)).del(key);
    if (deleted === 0) throw notFound(`no key ${JSON.stringify(keyName(key))}`);
    return { deleted };
  };
  const valueSummary = `type, TTL (ms, -1 none) and value (first ${VALUE_ELEMENTS_MAX} elements)`;
  ui.routes.add(
    {
      method: "GET",
      url: "/api/redis/keys/:key",
      tag: "redis",
      summary: `A key's ${valueSummary}`,
      params: keyParams,
      query: keyQuery,
    },
    async ({ params, query }) => readKey(query.db, params.key),
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
    async ({ params, query }) => deleteKey(query.db, params.key),
  );
  ui.routes.add(
    {
      method: "GET",
      url: "/api/redis/key",
      tag: "redis",
      summary: `A key named by its text (key) or its exact bytes (key64, base64url): its ${valueSummary}`,
      query: namedKeyQuery,
    },
    async ({ query }) => readKey(query.db, namedKey(query)),
  );
  ui.routes.add(
    {
      method: "DELETE",
      url: "/api/redis/key",
      tag: "redis",
      summary: "Delete a key named by its text (key) or its exact bytes (key64, base64url)",
      query: namedKeyQuery,
    },
    async ({ query }) => deleteKey(query.db, namedKey(query)),
  );
}

/**
 * A key as the API shows it: the key itself when its bytes are UTF-8, else its escaped form
 * (see escapeBytes) with its exact bytes in base64url, which `?key64=` takes back.
 */
export type KeyEntry = string | { name: string; key64: string };

export function keyEntry(bytes: Buffer): KeyEntry {
  return isUtf8(bytes)
    ? bytes.toString("utf8")
    : { name: escapeBytes(bytes), key64: bytes.toString("base64url") };
}

/** The `key` (and `key64`) fields of a reply about `key`. */
function keyFields(key: string | Buffer): { key: string; key64?: string } {
  if (typeof key === "string") return { key };
  const entry = keyEntry(key);
  return typeof entry === "string" ? { key: entry } : { key: entry.name, key64: entry.key64 };
}

const keyName = (key: string | Buffer) => keyFields(key).key;

function namedKey(query: { key?: string | undefined; key64?: Buffer | undefined }): string | Buffer {
  return query.key64 ?? (query.key as string);
}

/** Base64url text that decodes to exactly what it says (no stray characters, bits or padding). */
function isBase64url(text: string): boolean {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text)) return false;
  const bare = text.replace(/=+$/, "");
  if (bare !== text && text.length % 4 !== 0) return false;
  return Buffer.from(bare, "base64url").toString("base64url") === bare;
}

/**
 * Bytes as readable text, reversibly: UTF-8 sequences as they are, a backslash as `\\` and every
 * byte that is not part of a valid UTF-8 sequence as `\xHH` (lowercase hex, as redis-cli shows it).
 */
export function escapeBytes(bytes: Buffer): string {
  let out = "";
  let start = 0; // the first byte not yet in `out`
  let i = 0;
  const flush = (end: number) => {
    if (end > start) out += bytes.toString("utf8", start, end);
  };
  while (i < bytes.length) {
    const byte = bytes[i] as number;
    const size =
      byte < 0x80
        ? 1
        : byte >= 0xc2 && byte <= 0xdf
          ? 2
          : byte >= 0xe0 && byte <= 0xef
            ? 3
            : byte >= 0xf0 && byte <= 0xf4
              ? 4
              : 0;
    if (size > 1 && i + size <= bytes.length && isUtf8(bytes.subarray(i, i + size))) {
      i += size;
    } else if (size === 1 && byte !== 0x5c) {
      i += 1;
    } else {
      flush(i);
      out += byte === 0x5c ? "\\\\" : `\\x${byte.toString(16).padStart(2, "0")}`;
      i += 1;
      start = i;
    }
  }
  flush(i);
  return out;
}

/** `bytes` less an incomplete UTF-8 sequence at its end (a read cut in the middle of a character). */
function withoutCutCharacter(bytes: Buffer): Buffer {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back] as number;
    if (byte < 0x80) return bytes;
    if (byte >= 0xc0) {
      const size = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      return size > back ? bytes.subarray(0, bytes.length - back) : bytes;
    }
  }
  return bytes;
}

interface ValueRead {
  /** Elements (or bytes of a string) in all. */
  length: number;
  value: unknown;
  truncated: boolean;
  /** Present (true) when some bytes of the value are not UTF-8: every string in it is then escaped. */
  escaped?: true;
}

/** A value read as bytes, made into JSON once it is known whether every string in it is UTF-8. */
interface RawRead {
  length: number;
  truncated: boolean;
  /** Every string the value holds. */
  strings: Buffer[];
  build: (text: (bytes: Buffer) => string) => unknown;
}

const utf8 = (bytes: Buffer) => bytes.toString("utf8");

async function readValue(redis: Redis, key: string | Buffer, type: string): Promise<ValueRead> {
  const raw = await readRaw(redis, key, type);
  if (raw.strings.every((bytes) => isUtf8(bytes)))
    return { length: raw.length, value: raw.build(utf8), truncated: raw.truncated };
  return { length: raw.length, value: raw.build(escapeBytes), truncated: raw.truncated, escaped: true };
}

async function readRaw(redis: Redis, key: string | Buffer, type: string): Promise<RawRead> {
  const max = VALUE_ELEMENTS_MAX;
  switch (type) {
    case "string": {
      const [length, read] = await Promise.all([
        redis.strlen(key),
        redis.getrangeBuffer(key, 0, STRING_BYTES_MAX - 1),
      ]);
      const truncated = length > STRING_BYTES_MAX;
      // A read cut in the middle of a character is still text: drop the cut character's bytes.
      const cut = truncated && !isUtf8(read) ? withoutCutCharacter(read) : read;
      const value = isUtf8(cut) ? cut : read;
      return { length, truncated, strings: [value], build: (text) => text(value) };
    }
    case "list": {
      const [length, items] = await Promise.all([redis.llen(key), redis.lrangeBuffer(key, 0, max - 1)]);
      return { length, truncated: length > items.length, strings: items, build: (text) => items.map(text) };
    }
    case "zset": {
      const [length, flat] = await Promise.all([
        redis.zcard(key),
        redis.zrangeBuffer(key, "0", String(max - 1), "WITHSCORES") as Promise<Buffer[]>,
      ]);
      const entries = pairs(flat);
      return {
        length,
        truncated: length > entries.length,
        strings: entries.map(([member]) => member),
        build: (text) =>
          entries.map(([member, score]) => ({ member: text(member), score: Number(utf8(score)) })),
      };
    }
    case "set": {
      const length = await redis.scard(key);
      const members = await scanAll((cursor) => redis.sscanBuffer(key, cursor, "COUNT", max), max);
      return {
        length,
        truncated: length > members.length,
        strings: members,
        build: (text) => members.map(text),
      };
    }
    case "hash": {
      const length = await redis.hlen(key);
      const flat = await scanAll((cursor) => redis.hscanBuffer(key, cursor, "COUNT", max), max * 2);
      return {
        length,
        truncated: length * 2 > flat.length,
        strings: flat,
        build: (text) => Object.fromEntries(pairs(flat).map(([field, value]) => [text(field), text(value)])),
      };
    }
    case "stream": {
      const [length, entries] = await Promise.all([
        redis.xlen(key),
        redis.xrangeBuffer(key, "-", "+", "COUNT", max),
      ]);
      return {
        length,
        truncated: length > entries.length,
        strings: entries.flatMap(([id, fields]) => [id, ...fields]),
        build: (text) =>
          entries.map(([id, fields]) => ({
            id: text(id),
            fields: Object.fromEntries(pairs(fields).map(([field, value]) => [text(field), text(value)])),
          })),
      };
    }
    default:
      return { length: 0, truncated: false, strings: [], build: () => null };
  }
}

/** Runs a *SCAN command to its end or until `max` items. */
async function scanAll(
  step: (cursor: string) => Promise<[Buffer, Buffer[]]>,
  max: number,
): Promise<Buffer[]> {
  const items: Buffer[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await step(cursor);
    items.push(...batch);
    cursor = next.toString();
  } while (cursor !== "0" && items.length < max);
  return items.slice(0, max);
}

function pairs<T>(flat: T[]): Array<[T, T]> {
  const out: Array<[T, T]> = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i] as T, flat[i + 1] as T]);
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
