import type { Reply } from "../resp/reply.js";
import { COMMAND_META_JSON } from "./command-meta-data.js";
import type { CommandSpec, CommandTable } from "./spec.js";

/** A value of Redis's command metadata: maps, arrays, integers and strings. */
export type MetaValue = string | number | MetaValue[] | { [key: string]: MetaValue };

export interface KeySpec {
  notes?: string;
  flags: string[];
  begin_search: { type: string; spec: { index?: number; keyword?: string; startfrom?: number } };
  find_keys: {
    type: string;
    spec: {
      lastkey?: number;
      keystep?: number;
      limit?: number;
      keynumidx?: number;
      firstkey?: number;
    };
  };
}

/**
 * What Redis 7.0.15 reports about a command beyond our specs (command-meta-data.ts, generated from
 * the real server): ACL categories, tips, key specs, flags our CommandFlag type does not model, and
 * its documentation (summary, complexity, history, arguments …).
 */
export interface CommandMeta {
  extraFlags?: string[];
  acl: string[];
  tips?: string[];
  keySpecs?: KeySpec[];
  docs: { [key: string]: MetaValue };
}

let table: Record<string, CommandMeta> | undefined;

/** The metadata of a command by full name ("get", "client|list"); parsed on first use. */
export function commandMeta(fullName: string): CommandMeta | undefined {
  table ??= JSON.parse(COMMAND_META_JSON) as Record<string, CommandMeta>;
  return table[fullName];
}

/** Keys whose values Redis sends as a set of status strings. */
const STATUS_SETS = new Set(["flags", "doc_flags"]);

/** Writes metadata as Redis types it: objects as maps, flag lists as sets of status replies. */
export function writeMeta(reply: Reply, value: MetaValue, key?: string): void {
  if (typeof value === "number") reply.int(value);
  else if (typeof value === "string") reply.bulk(value);
  else if (Array.isArray(value)) {
    if (key !== undefined && STATUS_SETS.has(key)) {
      reply.set(value.length);
      for (const item of value) reply.simple(item as string);
      return;
    }
    if (key === "history") reply.set(value.length);
    else reply.array(value.length);
    for (const item of value) writeMeta(reply, item);
  } else {
    const entries = Object.entries(value);
    reply.map(entries.length);
    for (const [name, item] of entries) {
      reply.bulk(name);
      writeMeta(reply, item, name);
    }
  }
}

/** COMMAND INFO's flag order (server.c addReplyCommandFlags); may_replicate is hidden there. */
const FLAG_ORDER = [
  "write",
  "readonly",
  "denyoom",
  "module",
  "admin",
  "pubsub",
  "noscript",
  "blocking",
  "loading",
  "stale",
  "skip_monitor",
  "skip_slowlog",
  "asking",
  "fast",
  "no_auth",
  "no_mandatory_keys",
  "no_async_loading",
  "no_multi",
  "movablekeys",
  "allow_busy",
];

/** The flags COMMAND INFO lists: ours, plus the ones Redis has that our type cannot express. */
export function infoFlags(spec: CommandSpec): string[] {
  const flags = new Set<string>(spec.flags);
  for (const flag of commandMeta(spec.name)?.extraFlags ?? []) flags.add(flag);
  return FLAG_ORDER.filter((flag) => flags.has(flag));
}

/** ACL categories in Redis's table order (acl.c ACLCommandCategories). */
const CATEGORY_ORDER = [
  "keyspace",
  "read",
  "write",
  "set",
  "sortedset",
  "list",
  "hash",
  "string",
  "bitmap",
  "hyperloglog",
  "geo",
  "stream",
  "pubsub",
  "admin",
  "fast",
  "slow",
  "blocking",
  "dangerous",
  "connection",
  "transaction",
  "scripting",
];

export const ACL_CATEGORIES: ReadonlySet<string> = new Set(CATEGORY_ORDER);

const GROUP_CATEGORY: Record<string, string> = {
  generic: "keyspace",
  string: "string",
  list: "list",
  hash: "hash",
  set: "set",
  "sorted-set": "sortedset",
  stream: "stream",
  pubsub: "pubsub",
  connection: "connection",
  transactions: "transaction",
};

/**
 * The ACL categories of a command ("@read" …): Redis's own when we have them, otherwise what Redis
 * would derive from the flags (setImplicitACLCategories) and the command's group.
 */
export function aclCategories(spec: CommandSpec): string[] {
  const known = commandMeta(spec.name)?.acl;
  if (known) return known;
  const categories = new Set<string>();
  const flags = spec.flags;
  const fromGroup = GROUP_CATEGORY[spec.group];
  if (fromGroup) categories.add(fromGroup);
  if (flags.includes("write")) categories.add("write");
  if (flags.includes("readonly")) categories.add("read");
  if (flags.includes("admin")) categories.add("admin").add("dangerous");
  if (flags.includes("pubsub")) categories.add("pubsub");
  if (flags.includes("blocking")) categories.add("blocking");
  categories.add(flags.includes("fast") ? "fast" : "slow");
  return CATEGORY_ORDER.filter((name) => categories.has(name)).map((name) => `@${name}`);
}

/** The key specs of a command: Redis's own, or one range spec built from first/last/step. */
export function keySpecs(spec: CommandSpec): KeySpec[] {
  const meta = commandMeta(spec.name);
  if (meta) return meta.keySpecs ?? [];
  const [first, last, step] = spec.keys;
  if (first === 0) return [];
  return [
    {
      flags: spec.flags.includes("write") ? ["RW"] : ["RO"],
      begin_search: { type: "index", spec: { index: first } },
      find_keys: {
        type: "range",
        spec: { lastkey: last < 0 ? last : last - first, keystep: step, limit: 0 },
      },
    },
  ];
}

/** A command or subcommand by name as COMMAND INFO/DOCS take it ("get", "CLIENT|list"). */
export function findCommand(commands: CommandTable, name: string): CommandSpec | undefined {
  const lower = name.toLowerCase();
  const bar = lower.indexOf("|");
  if (bar < 0) return commands.get(lower);
  return commands.get(lower.slice(0, bar))?.subcommands?.find((sub) => sub.name === lower);
}
