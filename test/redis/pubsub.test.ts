import { createClient } from "redis";
import { describe, expect, it } from "vitest";
import type { RespConnection } from "./differential/runner.js";
import { connect, ioredis, rawExchange, resp, send, startServer } from "./helpers.js";

/** Whatever arrived without a command (messages pushed to a subscriber). */
async function pushed(connection: RespConnection): Promise<string> {
  const replies = await connection.leftovers(50);
  return replies.map((reply) => reply.bytes.toString("latin1")).join("");
}

const bulk = (text: string) => `$${text.length}\r\n${text}\r\n`;
const frame = (kind: "*" | ">", ...parts: string[]) => `${kind}${parts.length}\r\n${parts.join("")}`;

describe("pub/sub over raw RESP2", () => {
  it("confirms each subscription with the client's count, duplicates included", async () => {
    const server = await startServer();
    const { reply } = await rawExchange(
      server.port,
      Buffer.concat([resp("SUBSCRIBE", "a", "b", "a"), resp("PSUBSCRIBE", "x*")]),
    );
    expect(reply).toBe(
      frame("*", bulk("subscribe"), bulk("a"), ":1\r\n") +
        frame("*", bulk("subscribe"), bulk("b"), ":2\r\n") +
        frame("*", bulk("subscribe"), bulk("a"), ":2\r\n") +
        frame("*", bulk("psubscribe"), bulk("x*"), ":3\r\n"),
    );
  });

  it("confirms UNSUBSCRIBE and PUNSUBSCRIBE with nothing subscribed once, with a nil name", async () => {
    const server = await startServer();
    const { reply } = await rawExchange(
      server.port,
      Buffer.concat([resp("UNSUBSCRIBE"), resp("PUNSUBSCRIBE")]),
    );
    expect(reply).toBe(
      frame("*", bulk("unsubscribe"), "$-1\r\n", ":0\r\n") +
        frame("*", bulk("punsubscribe"), "$-1\r\n", ":0\r\n"),
    );
  });

  it("unsubscribes from everything when no channel is named, counting down", async () => {
    const server = await startServer();
    const client = await connect(server.port);
    await send(client, "SUBSCRIBE", "a", "b");
    await send(client, "PSUBSCRIBE", "p*");
    expect(await send(client, "UNSUBSCRIBE")).toBe(
      frame("*", bulk("unsubscribe"), bulk("a"), ":2\r\n") +
        frame("*", bulk("unsubscribe"), bulk("b"), ":1\r\n"),
    );
    expect(await send(client, "PUNSUBSCRIBE")).toBe(frame("*", bulk("punsubscribe"), bulk("p*"), ":0\r\n"));
    expect(await send(client, "GET", "k")).toBe("$-1\r\n");
  });

  it("delivers messages and pattern messages as arrays, byte-exact", async () => {
    const server = await startServer();
    const subscriber = await connect(server.port);
    const publisher = await connect(server.port);
    await send(subscriber, "SUBSCRIBE", "news");
    await send(subscriber, "PSUBSCRIBE", "n*");
    const message = "\x00\xff\r\nbinary";
    expect(await send(publisher, "PUBLISH", "news", message)).toBe(":2\r\n");
    expect(await pushed(subscriber)).toBe(
      frame("*", bulk("message"), bulk("news"), bulk(message)) +
        frame("*", bulk("pmessage"), bulk("n*"), bulk("news"), bulk(message)),
    );
    expect(await send(publisher, "PUBLISH", "nope", "x")).toBe(":1\r\n");
    expect(await send(publisher, "PUBLISH", "other", "x")).toBe(":0\r\n");
  });

  it("allows only the subscription commands, PING, QUIT and RESET while subscribed", async () => {
    const server = await startServer();
    const client = await connect(server.port);
    await send(client, "SUBSCRIBE", "a");
    expect(await send(client, "GET", "k")).toBe(
      "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n",
    );
    expect(await send(client, "PING")).toBe(frame("*", bulk("pong"), bulk("")));
    expect(await send(client, "PING", "hi")).toBe(frame("*", bulk("pong"), bulk("hi")));
    expect(await send(client, "RESET")).toBe("+RESET\r\n");
    expect(await send(client, "GET", "k")).toBe("$-1\r\n");
    expect(await send(client, "PUBSUB", "NUMSUB", "a")).toBe(`*2\r\n${bulk("a")}:0\r\n`);
  });
});

describe("pub/sub over raw RESP3", () => {
  it("confirms and delivers as pushes, and lets a subscriber run any command", async () => {
    const server = await startServer();
    const client = await connect(server.port, 3);
    expect(await send(client, "SUBSCRIBE", "ch")).toBe(frame(">", bulk("subscribe"), bulk("ch"), ":1\r\n"));
    expect(await send(client, "SET", "k", "v")).toBe("+OK\r\n");
    expect(await send(client, "PING")).toBe("+PONG\r\n");
    // A message to itself comes before PUBLISH's own reply, as in Redis 7.0.
    expect(await send(client, "PUBLISH", "ch", "hi")).toBe(
      `${frame(">", bulk("message"), bulk("ch"), bulk("hi"))}:1\r\n`,
    );
    expect(await send(client, "UNSUBSCRIBE")).toBe(frame(">", bulk("unsubscribe"), bulk("ch"), ":0\r\n"));
    expect(await send(client, "UNSUBSCRIBE")).toBe(frame(">", bulk("unsubscribe"), "_\r\n", ":0\r\n"));
  });
});

describe("PUBLISH and PUBSUB across clients", () => {
  it("counts one delivery per channel subscriber and per matching pattern subscription", async () => {
    const server = await startServer();
    const [a, b, c] = await Promise.all([connect(server.port), connect(server.port), connect(server.port)]);
    await send(a, "SUBSCRIBE", "orders");
    await send(b, "PSUBSCRIBE", "ord*", "*ers");
    await send(b, "SUBSCRIBE", "orders");
    expect(await send(c, "PUBLISH", "orders", "1")).toBe(":4\r\n");
    expect(await send(c, "PUBSUB", "NUMSUB", "orders", "ord*", "none")).toBe(
      `*6\r\n${bulk("orders")}:2\r\n${bulk("ord*")}:0\r\n${bulk("none")}:0\r\n`,
    );
    expect(await send(c, "PUBSUB", "NUMPAT")).toBe(":2\r\n");
    expect(await send(c, "PUBSUB", "CHANNELS")).toBe(`*1\r\n${bulk("orders")}`);
    expect(await send(c, "PUBSUB", "CHANNELS", "x*")).toBe("*0\r\n");
  });

  it("forgets the subscriptions of a client that disconnects", async () => {
    const server = await startServer();
    const subscriber = await connect(server.port);
    const other = await connect(server.port);
    await send(subscriber, "SUBSCRIBE", "a", "b");
    await send(subscriber, "PSUBSCRIBE", "p*");
    expect(await send(other, "PUBSUB", "NUMSUB", "a")).toBe(`*2\r\n${bulk("a")}:1\r\n`);
    subscriber.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await send(other, "PUBSUB", "NUMSUB", "a")).toBe(`*2\r\n${bulk("a")}:0\r\n`);
    expect(await send(other, "PUBSUB", "NUMPAT")).toBe(":0\r\n");
    expect(await send(other, "PUBLISH", "a", "x")).toBe(":0\r\n");
  });

  it("matches patterns with Redis's glob rules", async () => {
    const server = await startServer();
    const subscriber = await connect(server.port);
    const publisher = await connect(server.port);
    await send(subscriber, "PSUBSCRIBE", "a[b-c]d", "x\\*y", "[^z]q", "h?llo");
    const delivered = async (channel: string) => send(publisher, "PUBLISH", channel, "m");
    expect(await delivered("abd")).toBe(":1\r\n");
    expect(await delivered("aed")).toBe(":0\r\n");
    expect(await delivered("x*y")).toBe(":1\r\n");
    expect(await delivered("xzy")).toBe(":0\r\n");
    expect(await delivered("aq")).toBe(":1\r\n");
    expect(await delivered("zq")).toBe(":0\r\n");
    expect(await delivered("hello")).toBe(":1\r\n");
    expect(await delivered("hllo")).toBe(":0\r\n");
  });

  it("answers PUBSUB HELP and refuses malformed subcommands", async () => {
    const server = await startServer();
    const client = await connect(server.port);
    const help = await send(client, "PUBSUB", "HELP");
    expect(
      help.startsWith("*14\r\n+PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"),
    ).toBe(true);
    expect(help.endsWith("+HELP\r\n+    Prints this help.\r\n")).toBe(true);
    expect(await send(client, "PUBSUB", "CHANNELS", "a", "b")).toBe(
      "-ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.\r\n",
    );
    expect(await send(client, "PUBSUB", "NOPE")).toBe("-ERR unknown subcommand 'NOPE'. Try PUBSUB HELP.\r\n");
    expect(await send(client, "PUBSUB")).toBe("-ERR wrong number of arguments for 'pubsub' command\r\n");
    expect(await send(client, "PUBLISH", "a")).toBe(
      "-ERR wrong number of arguments for 'publish' command\r\n",
    );
  });
});

describe("pub/sub with client libraries", () => {
  it("works with ioredis (RESP3): channels, patterns and unsubscribing", async () => {
    const server = await startServer();
    const subscriber = ioredis(server.port);
    const publisher = ioredis(server.port);
    const received: string[] = [];
    subscriber.on("message", (channel: string, message: string) => received.push(`${channel}:${message}`));
    subscriber.on("pmessage", (pattern: string, channel: string, message: string) =>
      received.push(`${pattern}|${channel}:${message}`),
    );
    expect(await subscriber.subscribe("jobs", "events")).toBe(2);
    expect(await subscriber.psubscribe("job*")).toBe(3);
    expect(await publisher.publish("jobs", "one")).toBe(2);
    expect(await publisher.publish("events", "two")).toBe(1);
    await subscriber.unsubscribe("jobs");
    expect(await publisher.publish("jobs", "three")).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(received).toEqual(["jobs:one", "job*|jobs:one", "events:two", "job*|jobs:three"]);
    expect(await publisher.pubsub("NUMSUB", "jobs", "events")).toEqual(["jobs", 0, "events", 1]);
    expect(await publisher.pubsub("NUMPAT")).toBe(1);
  });

  it("works with ioredis over RESP2", async () => {
    const server = await startServer();
    const subscriber = ioredis(server.port, { protocol: 2 });
    const publisher = ioredis(server.port, { protocol: 2 });
    const received = new Promise<[string, string]>((resolve) =>
      subscriber.on("message", (channel: string, message: string) => resolve([channel, message])),
    );
    await subscriber.subscribe("ch");
    await publisher.publish("ch", "hello");
    expect(await received).toEqual(["ch", "hello"]);
  });

  for (const protocol of [2, 3] as const) {
    it(`works with node-redis in RESP${protocol}`, async () => {
      const server = await startServer();
      const options = { socket: { port: server.port, host: "127.0.0.1" }, RESP: protocol };
      const publisher = createClient(options);
      const subscriber = createClient(options);
      await Promise.all([publisher.connect(), subscriber.connect()]);
      try {
        const messages: string[] = [];
        await subscriber.subscribe("greetings", (message, channel) => messages.push(`${channel}:${message}`));
        await subscriber.pSubscribe("greet*", (message, channel) => messages.push(`p ${channel}:${message}`));
        expect(await publisher.publish("greetings", "hi")).toBe(2);
        await new Promise((resolve) => setTimeout(resolve, 30));
        expect(messages.sort()).toEqual(["greetings:hi", "p greetings:hi"]);
        expect(await publisher.pubSubNumSub(["greetings"])).toEqual({ greetings: 1 });
        await subscriber.unsubscribe("greetings");
        await subscriber.pUnsubscribe("greet*");
        expect(await publisher.publish("greetings", "again")).toBe(0);
      } finally {
        await Promise.all([publisher.quit(), subscriber.quit()]);
      }
    });
  }
});
