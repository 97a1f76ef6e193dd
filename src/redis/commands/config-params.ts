import type { ServerState } from "../server-state.js";

/**
 * How CONFIG SET treats one parameter of ServerState.config. `parse` turns a value into the form
 * CONFIG GET shows, or returns Redis's reason for refusing it; `apply` makes the server honour it.
 * A parameter the server cannot change at run time refuses any other value than its current one.
 */
export interface ConfigParam {
  /** Redis refuses it ("can't set immutable config"); we do the same for the listeners. */
  immutable?: boolean;
  parse?: (value: string) => string | { error: string };
  /** Whether the server can honour `value` (else: "not supported by this server"). */
  supports?: (value: string, state: ServerState) => boolean;
  apply?: (value: string, state: ServerState) => void;
}

const INT_MAX = 2147483647;
const LLONG_MAX = 9223372036854775807n;

/** An integer parameter in [min, max] (config.c numeric configs). */
function integer(min: number | bigint, max: number | bigint): ConfigParam["parse"] {
  return (value) => {
    if (!/^-?\d+$/.test(value) || BigInt(value) > LLONG_MAX || BigInt(value) < -LLONG_MAX - 1n) {
      return { error: "argument couldn't be parsed into an integer" };
    }
    const number = BigInt(value);
    if (number < BigInt(min) || number > BigInt(max)) {
      return { error: `argument must be between ${min} and ${max} inclusive` };
    }
    return String(number);
  };
}

const MEMORY_UNITS: Record<string, bigint> = {
  "": 1n,
  b: 1n,
  k: 1000n,
  kb: 1024n,
  m: 1000n ** 2n,
  mb: 1024n ** 2n,
  g: 1000n ** 3n,
  gb: 1024n ** 3n,
};

/** A memory amount ("512mb", "1gb", "100") as util.c memtoull reads it, in [min, max]. */
function memory(min: bigint, max: bigint): ConfigParam["parse"] {
  return (value) => {
    const match = /^(\d+)([a-z]*)$/i.exec(value);
    const unit = match ? MEMORY_UNITS[(match[2] as string).toLowerCase()] : undefined;
    if (!match || unit === undefined) return { error: "argument must be a memory value" };
    const bytes = BigInt(match[1] as string) * unit;
    if (bytes < min || bytes > max) return { error: `argument must be between ${min} and ${max} inclusive` };
    return String(bytes);
  };
}

function oneOf(...choices: string[]): ConfigParam["parse"] {
  return (value) => {
    const lower = value.toLowerCase();
    return choices.includes(lower)
      ? lower
      : { error: `argument(s) must be one of the following: ${choices.join(", ")}` };
  };
}

const yesNo: ConfigParam["parse"] = (value) => {
  const lower = value.toLowerCase();
  return lower === "yes" || lower === "no" ? lower : { error: "argument must be 'yes' or 'no'" };
};

/** "seconds changes …" pairs (config.c setConfigSaveOption). */
const saveParams: ConfigParam["parse"] = (value) => {
  const parts = value.split(/\s+/).filter((part) => part !== "");
  const valid =
    parts.length % 2 === 0 &&
    parts.every((part, i) => /^[+-]?\d+$/.test(part) && Number(part) >= (i % 2 === 0 ? 1 : 0));
  return valid ? parts.map((part) => String(Number(part))).join(" ") : { error: "Invalid save parameters" };
};

/** notify-keyspace-events: the classes Redis knows, written back in its canonical order. */
const keyspaceEvents: ConfigParam["parse"] = (value) => {
  if (/[^Ag$lshzxeKEtmdn]/.test(value))
    return { error: "Invalid event class character. Use 'Ag$lshzxeKEtmdn'." };
  const all = value.includes("A");
  let out = all ? "A" : [..."g$lshzxetdn"].filter((c) => value.includes(c)).join("");
  if (all && value.includes("n")) out += "n";
  for (const c of "KEm") if (value.includes(c)) out += c;
  return out;
};

const unchangedOnly = (value: string, state: ServerState, name: string) => state.config.get(name) === value;

/** The parameters of ServerState.config; CONFIG SET knows no others. */
export const CONFIG_PARAMS: Record<string, ConfigParam> = {
  requirepass: {
    apply: (value, state) => {
      state.options.password = value === "" ? undefined : value;
    },
  },
  databases: { immutable: true },
  "proto-max-bulk-len": {
    parse: memory(1024n * 1024n, LLONG_MAX),
    // V8 strings stop just short of 512 MiB; applies to connections made from now on.
    apply: (value, state) => {
      state.options.maxBulkLength = Math.min(Number(value), 2 ** 29 - 24);
    },
  },
  port: { immutable: true },
  bind: { immutable: true },
  unixsocket: { immutable: true },
  maxmemory: { parse: memory(0n, 2n ** 64n - 1n), supports: (value) => value === "0" },
  "maxmemory-policy": {
    parse: oneOf(
      "volatile-lru",
      "volatile-lfu",
      "volatile-random",
      "volatile-ttl",
      "allkeys-lru",
      "allkeys-lfu",
      "allkeys-random",
      "noeviction",
    ),
  },
  appendonly: { parse: yesNo, supports: (value, state) => unchangedOnly(value, state, "appendonly") },
  appendfsync: {
    parse: oneOf("always", "everysec", "no"),
    supports: (value, state) => unchangedOnly(value, state, "appendfsync"),
  },
  save: { parse: saveParams, supports: (value, state) => unchangedOnly(value, state, "save") },
  timeout: { parse: integer(0, INT_MAX), supports: (value) => value === "0" },
  hz: {
    parse: (value) => {
      const parsed = integer(0, INT_MAX)?.(value) as string | { error: string };
      if (typeof parsed !== "string") return parsed;
      return String(Math.min(Math.max(Number(parsed), 1), 500)); // Redis clamps hz to 1..500
    },
  },
  "notify-keyspace-events": { parse: keyspaceEvents, supports: (value) => value === "" },
};
