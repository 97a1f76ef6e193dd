import type { Client } from "./client.js";
import { globMatch } from "./glob.js";
import { getOrSet } from "./maps.js";

/** Channel and pattern subscriptions; messages go out as RESP3 pushes or RESP2 arrays. */
export class PubSub {
  readonly channels = new Map<string, Set<Client>>();
  readonly patterns = new Map<string, Set<Client>>();

  constructor(private readonly deliver: (client: Client) => void) {}

  subscribe(client: Client, channel: string): boolean {
    if (client.channels.has(channel)) return false;
    client.channels.add(channel);
    addTo(this.channels, channel, client);
    return true;
  }

  unsubscribe(client: Client, channel: string): boolean {
    if (!client.channels.delete(channel)) return false;
    removeFrom(this.channels, channel, client);
    return true;
  }

  psubscribe(client: Client, pattern: string): boolean {
    if (client.patterns.has(pattern)) return false;
    client.patterns.add(pattern);
    addTo(this.patterns, pattern, client);
    return true;
  }

  punsubscribe(client: Client, pattern: string): boolean {
    if (!client.patterns.delete(pattern)) return false;
    removeFrom(this.patterns, pattern, client);
    return true;
  }

  /** Drops every subscription of a client (disconnect, RESET). */
  forget(client: Client): void {
    for (const channel of client.channels) removeFrom(this.channels, channel, client);
    for (const pattern of client.patterns) removeFrom(this.patterns, pattern, client);
    client.channels.clear();
    client.patterns.clear();
  }

  /** Sends `message` to the channel's subscribers and matching patterns; returns how many got it. */
  publish(channel: string, message: string): number {
    let receivers = 0;
    for (const client of this.channels.get(channel) ?? []) {
      client.reply.push(3);
      client.reply.bulk("message");
      client.reply.bulk(channel);
      client.reply.bulk(message);
      this.deliver(client);
      receivers++;
    }
    for (const [pattern, clients] of this.patterns) {
      if (!globMatch(pattern, channel)) continue;
      for (const client of clients) {
        client.reply.push(4);
        client.reply.bulk("pmessage");
        client.reply.bulk(pattern);
        client.reply.bulk(channel);
        client.reply.bulk(message);
        this.deliver(client);
        receivers++;
      }
    }
    return receivers;
  }
}

function addTo(map: Map<string, Set<Client>>, name: string, client: Client): void {
  getOrSet(map, name, () => new Set<Client>()).add(client);
}

function removeFrom(map: Map<string, Set<Client>>, name: string, client: Client): void {
  const clients = map.get(name);
  clients?.delete(client);
  if (clients?.size === 0) map.delete(name);
}
