import type { Client } from "../client.js";
import type { ServerState } from "../server-state.js";

/** CLIENT LIST / KILL TYPE classes (getClientType): monitors count as normal clients. */
export type ClientType = "normal" | "pubsub" | "master" | "replica";

/** getClientTypeByName: "slave" is the old name of "replica". */
export function clientTypeByName(name: string): ClientType | undefined {
  const lower = name.toLowerCase();
  if (lower === "normal" || lower === "pubsub" || lower === "master" || lower === "replica") return lower;
  if (lower === "slave") return "replica";
  return undefined;
}

export function clientType(client: Client): ClientType {
  return client.subscriptionCount > 0 ? "pubsub" : "normal";
}

const isUnixSocket = (client: Client) => client.socket.remoteAddress === undefined;

/** The flags field, in the order networking.c writes them. */
function flagsOf(state: ServerState, client: Client): string {
  let flags = "";
  if (state.monitors.has(client)) flags += "O";
  if (client.subscriptionCount > 0) flags += "P";
  if (client.multi) flags += "x";
  if (client.blocked) flags += "b";
  if (client.watchDirty) flags += "d";
  if (client.closing) flags += "c";
  if (isUnixSocket(client)) flags += "U";
  if (client.noEvict) flags += "e";
  if (client.noTouch) flags += "T";
  return flags || "N";
}

/** Bytes of the commands queued by MULTI (Redis's multi-mem, without its per-object overhead). */
function multiMemory(client: Client): number {
  let bytes = 0;
  for (const argv of client.multi?.queue ?? []) for (const arg of argv) bytes += arg.length;
  return bytes;
}

/** The socket's file descriptor, when Node exposes it (it does on Unix, through its handle). */
function fdOf(client: Client): number {
  const fd = (client.socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return typeof fd === "number" && fd >= 0 ? fd : -1;
}

/**
 * One CLIENT LIST / CLIENT INFO line, in Redis 7.0's field order (plus 7.2's lib-name and lib-ver,
 * which CLIENT SETINFO sets). Fields with no meaning here (query and read buffers) are 0.
 * `current` is the name of the command being run by `client`, when it is the caller.
 */
export function clientInfoLine(state: ServerState, client: Client, current?: string): string {
  const now = Date.now();
  const multiMem = multiMemory(client);
  const outputBytes = client.socket.writableLength;
  const fields: [string, string | number][] = [
    ["id", client.id],
    ["addr", client.address],
    ["laddr", client.localAddress],
    ["fd", fdOf(client)],
    ["name", client.name],
    ["age", Math.floor((now - client.createdAt) / 1000)],
    ["idle", Math.floor((now - client.lastInteraction) / 1000)],
    ["flags", flagsOf(state, client)],
    ["db", client.dbIndex],
    ["sub", client.channels.size],
    ["psub", client.patterns.size],
    ["ssub", 0],
    ["multi", client.multi ? client.multi.queue.length : -1],
    ["qbuf", 0],
    ["qbuf-free", 0],
    ["argv-mem", 0],
    ["multi-mem", multiMem],
    ["rbs", 0],
    ["rbp", 0],
    ["obl", 0],
    ["oll", 0],
    ["omem", outputBytes],
    ["tot-mem", multiMem + outputBytes],
    ["events", outputBytes > 0 ? "rw" : "r"],
    ["cmd", current ?? client.lastCommand],
    ["user", "default"],
    ["redir", -1],
    ["resp", client.reply.resp],
    ["lib-name", client.libName],
    ["lib-ver", client.libVersion],
  ];
  return fields.map(([name, value]) => `${name}=${value}`).join(" ");
}
