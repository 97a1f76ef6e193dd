import os from "node:os";
import type { ServerState } from "../server-state.js";
import { REDIS_VERSION } from "./connection.js";
import type { CommandContext } from "./spec.js";

type Section = (state: ServerState) => [string, string | number][];

const SECTIONS: Record<string, Section> = {
  server: (state) => {
    const uptime = Math.floor((Date.now() - state.startedAt) / 1000);
    return [
      ["redis_version", REDIS_VERSION],
      ["redis_mode", "standalone"],
      ["os", `${os.type()} ${os.release()} ${os.arch()}`],
      ["arch_bits", 64],
      ["multiplexing_api", "libuv"],
      ["process_id", process.pid],
      ["tcp_port", state.listening.port],
      ["server_time_usec", Math.round((performance.timeOrigin + performance.now()) * 1000)],
      ["uptime_in_seconds", uptime],
      ["uptime_in_days", Math.floor(uptime / 86400)],
      ["hz", 10],
      ["executable", process.execPath],
      ["heroagent_node_version", process.version],
    ];
  },
  clients: (state) => [
    ["connected_clients", state.clients.size],
    ["maxclients", 10000],
    ["blocked_clients", state.blocking.blockedCount],
    ["pubsub_clients", [...state.clients.values()].filter((c) => c.subscriptionCount > 0).length],
  ],
  memory: () => {
    const memory = process.memoryUsage();
    return [
      ["used_memory", memory.heapUsed + memory.external + memory.arrayBuffers],
      ["used_memory_human", human(memory.heapUsed + memory.external + memory.arrayBuffers)],
      ["used_memory_rss", memory.rss],
      ["used_memory_rss_human", human(memory.rss)],
      ["total_system_memory", os.totalmem()],
      ["total_system_memory_human", human(os.totalmem())],
      ["maxmemory", 0],
      ["maxmemory_policy", "noeviction"],
      ["mem_allocator", "v8"],
    ];
  },
  persistence: (state) => [
    ["loading", 0],
    ["rdb_changes_since_last_save", 0],
    ...(state.aof?.info() ?? [["aof_enabled", 0] as [string, number]]),
  ],
  stats: (state) => {
    const s = state.stats;
    return [
      ["total_connections_received", s.connectionsReceived],
      ["total_commands_processed", s.commandsProcessed],
      ["total_net_input_bytes", s.netInputBytes],
      ["rejected_connections", s.rejectedConnections],
      ["expired_keys", state.keyspace.expiredKeys],
      ["keyspace_hits", s.keyspaceHits],
      ["keyspace_misses", s.keyspaceMisses],
      ["pubsub_channels", state.pubsub.channels.size],
      ["pubsub_patterns", state.pubsub.patterns.size],
    ];
  },
  replication: () => [
    ["role", "master"],
    ["connected_slaves", 0],
  ],
  cpu: () => {
    const usage = process.cpuUsage();
    return [
      ["used_cpu_sys", (usage.system / 1e6).toFixed(6)],
      ["used_cpu_user", (usage.user / 1e6).toFixed(6)],
    ];
  },
  commandstats: (state) =>
    [...state.stats.commands].map(([name, { calls, usec, failed }]) => [
      `cmdstat_${name}`,
      `calls=${calls},usec=${Math.floor(usec)},usec_per_call=${(calls ? usec / calls : 0).toFixed(2)},rejected_calls=0,failed_calls=${failed}`,
    ]),
  keyspace: (state) =>
    state.keyspace.databases
      .filter((db) => db.size > 0)
      .map((db) => [`db${db.id}`, `keys=${db.size},expires=${db.expires.size},avg_ttl=0`]),
};

const DEFAULT = ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "keyspace"];

function human(bytes: number): string {
  const units = ["B", "K", "M", "G", "T"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes}B` : `${value.toFixed(2)}${units[unit]}`;
}

/** INFO [section …]: "default", "all" and "everything" as in Redis 7. */
export function info(ctx: CommandContext, argv: string[]): void {
  const asked = argv.slice(1).map((a) => a.toLowerCase());
  const everything = asked.includes("all") || asked.includes("everything");
  const names = everything
    ? [...DEFAULT.slice(0, -1), "commandstats", "keyspace"]
    : asked.length === 0 || asked.includes("default")
      ? DEFAULT
      : asked.filter((name) => name in SECTIONS);
  const text = names
    .map((name) => {
      const section = SECTIONS[name] as Section;
      const title = name === "cpu" ? "CPU" : name[0]?.toUpperCase() + name.slice(1);
      return [`# ${title}`, ...section(ctx.server).map(([k, v]) => `${k}:${v}`)].join("\r\n");
    })
    .join("\r\n\r\n");
  ctx.reply.verbatim(names.length > 0 ? `${text}\r\n` : "");
}
