import { describe, expect, it, vi } from "vitest";
import { ConnectionClosedError, RedisServerError, ReplyError } from "../../src/redis/index.js";
import { ReplyReader } from "../../src/redis/resp/reply-reader.js";
import { eventually } from "../jobs/backends.js";
import { ioredis, startServer } from "./helpers.js";

describe("local connection", () => {
  it("runs commands and reads every reply type back", async () => {
    const server = await startServer();
    const local = server.connectLocal();
    expect(await local.send(["SET", "greeting", "héllo ✓"])).toBe("OK");
    expect(await local.send(["GET", "greeting"])).toBe("héllo ✓");
    expect(await local.send(["STRLEN", "greeting"])).toBe(Buffer.byteLength("héllo ✓"));
    expect(await local.send(["GET", "missing"])).toBeNull();
    expect(await local.send(["RPUSH", "list", "a", 2, Buffer.from("c")])).toBe(3);
    expect(await local.send(["LRANGE", "list", 0, -1])).toEqual(["a", "2", "c"]);
    expect(await local.send(["BLPOP", "nothing", "0.01"])).toBeNull();
    // The network sees the same bytes: what a socket client wrote, the local one reads, and back.
    const remote = ioredis(server.port);
    expect(await remote.get("greeting")).toBe("héllo ✓");
    await remote.set("binary", Buffer.from([0xff, 0x00, 0xfe]));
    expect(await local.send(["STRLEN", "binary"])).toBe(3);
    await local.send(["SET", "from-local", Buffer.from([0x80, 0x81])]);
    expect(await remote.getBuffer("from-local")).toEqual(Buffer.from([0x80, 0x81]));
  });

  it("rejects an error reply with Redis's message, and goes on", async () => {
    const server = await startServer();
    const local = server.connectLocal();
    await local.send(["SET", "s", "x"]);
    await expect(local.send(["LPUSH", "s", "y"])).rejects.toThrow(/^WRONGTYPE Operation against a key/);
    await expect(local.send(["NOSUCH", "é"])).rejects.toBeInstanceOf(ReplyError);
    await expect(local.send(["NOSUCH", "é"])).rejects.toThrow(
      "ERR unknown command 'NOSUCH', with args beginning with: 'é'",
    );
    expect(await local.send(["PING"])).toBe("PONG");
  });

  it("sends a pipeline in one go, with errors in their places", async () => {
    const server = await startServer();
    const local = server.connectLocal();
    const replies = await local.sendAll([
      ["SET", "k", "v"],
      ["INCR", "k"],
      ["MULTI"],
      ["INCR", "n"],
      ["HSET", "k", "f", "v"],
      ["INCRBY", "n", 41],
      ["EXEC"],
    ]);
    expect(replies.slice(0, 6)).toEqual(["OK", expect.any(ReplyError), "OK", "QUEUED", "QUEUED", "QUEUED"]);
    expect((replies[1] as Error).message).toBe("ERR value is not an integer or out of range");
    const exec = replies[6] as unknown[];
    expect(exec[0]).toBe(1);
    expect(exec[1]).toBeInstanceOf(ReplyError);
    expect(exec[2]).toBe(42);
  });

  it("sees a WATCHed key changed by another client: EXEC answers null", async () => {
    const server = await startServer();
    const local = server.connectLocal();
    const remote = ioredis(server.port);
    await local.send(["WATCH", "w"]);
    await remote.set("w", "changed");
    expect(await local.sendAll([["MULTI"], ["SET", "w", "mine"], ["EXEC"]])).toEqual(["OK", "QUEUED", null]);
    expect(await remote.get("w")).toBe("changed");
  });

  it("waits in a blocking command until a socket client pushes, and wakes socket clients", async () => {
    const server = await startServer();
    const local = server.connectLocal();
    const remote = ioredis(server.port);
    const popped = local.send(["BLPOP", "jobs", "5"]);
    let pinged = false;
    const ping = local.send(["PING"]).then(() => {
      pinged = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pinged).toBe(false); // queued behind the blocked command, as on a socket
    await remote.lpush("jobs", "one");
    expect(await popped).toEqual(["jobs", "one"]);
    await ping;

    const waiting = ioredis(server.port).brpop("other", 5);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await local.send(["LPUSH", "other", "two"]);
    expect(await waiting).toEqual(["other", "two"]);
  });

  it("is listed and can be killed: a command waiting for its reply rejects", async () => {
    const server = await startServer();
    const local = server.connectLocal();
    await local.send(["CLIENT", "SETNAME", "in-process"]);
    const remote = ioredis(server.port);
    const list = (await remote.client("LIST")) as string;
    const line = list.split("\n").find((l) => l.includes("name=in-process")) as string;
    expect(line).toContain("addr=local:0");
    local.client.lastInteraction -= 5000; // as if it had been idle for 5 s: a command makes it busy again
    expect(await local.send(["CLIENT", "INFO"])).toMatch(/ idle=0 /);
    const id = /id=(\d+)/.exec(line)?.[1] as string;
    const blocked = expect(local.send(["BLPOP", "never", "0"])).rejects.toBeInstanceOf(ConnectionClosedError);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await remote.client("KILL", "ID", id)).toBe(1);
    await blocked;
    expect(local.isClosed).toBe(true);
    await expect(local.send(["PING"])).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(local.sendAll([["PING"]])).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(((await remote.client("LIST")) as string).includes("name=in-process")).toBe(false);
  });

  it("closes when the server stops, and cannot open on a stopped server", async () => {
    const server = await startServer();
    const local = server.connectLocal();
    let closed = false;
    local.onClose(() => {
      closed = true;
    });
    const blocked = expect(local.sendAll([["PING"], ["BLPOP", "never", "0"]])).rejects.toBeInstanceOf(
      ConnectionClosedError,
    );
    await server.stop();
    expect(closed).toBe(true);
    await blocked;
    expect(() => server.connectLocal()).toThrow(RedisServerError);
    expect(() => server.connectLocal()).toThrow("the Redis server is not running");
  });

  it("QUIT answers OK, then the connection is closed", async () => {
    const server = await startServer();
    const local = server.connectLocal();
    expect(await local.send(["QUIT"])).toBe("OK");
    expect(local.isClosed).toBe(true);
    expect(server.state.clients.size).toBe(0);
  });

  it("needs no AUTH on a server with a password (it is the process itself)", async () => {
    const server = await startServer({ password: "secret" });
    const local = server.connectLocal();
    expect(await local.send(["SET", "k", "v"])).toBe("OK");
    const remote = ioredis(server.port);
    remote.on("error", () => {}); // its HELLO is refused too
    await expect(remote.get("k")).rejects.toThrow(/NOAUTH/);
  });

  it("subscribes: the messages go to its push listener, replies to their commands", async () => {
    const server = await startServer();
    const local = server.connectLocal();
    const pushed: unknown[] = [];
    local.onPush((message) => pushed.push(message));
    expect(await local.send(["SUBSCRIBE", "a", "b"])).toEqual(["subscribe", "b", 2]); // one reply per channel
    expect(await local.send(["PSUBSCRIBE", "n*"])).toEqual(["psubscribe", "n*", 3]);
    const remote = ioredis(server.port);
    await remote.publish("a", "one");
    await remote.publish("news", "two");
    expect(await local.send(["PING"])).toEqual(["pong", ""]);
    expect(pushed).toEqual([
      ["message", "a", "one"],
      ["pmessage", "n*", "news", "two"],
    ]);
    // A listener that sends a command on the same connection at once: its reply is read while the
    // bytes of the next message, written in the same go, still wait to be read.
    const pongs: unknown[] = [];
    local.onPush((message) => {
      pushed.push(message);
      pongs.push(local.send(["PING", String(pushed.length)]));
    });
    await remote.pipeline().publish("a", "three").publish("a", "four").exec();
    await eventually(() => pushed.length === 4);
    expect(pushed.slice(2)).toEqual([
      ["message", "a", "three"],
      ["message", "a", "four"],
    ]);
    expect(await Promise.all(pongs)).toEqual([
      ["pong", "3"],
      ["pong", "4"],
    ]);
    expect(await local.send(["UNSUBSCRIBE"])).toEqual(["unsubscribe", expect.any(String), 1]);
    expect(await local.send(["PUNSUBSCRIBE"])).toEqual(["punsubscribe", "n*", 0]);
    expect(await local.send(["SET", "k", "v"])).toBe("OK");
  });

  it("refuses MONITOR, and arguments over proto-max-bulk-len, without closing", async () => {
    const server = await startServer({ maxBulkLength: 1024 });
    const local = server.connectLocal();
    await expect(local.send(["MONITOR"])).rejects.toThrow("ERR 'monitor' needs a socket connection");
    await expect(local.send(["SET", "big", "x".repeat(1025)])).rejects.toThrow(
      "ERR Protocol error: invalid bulk length",
    );
    await expect(local.send(["SET", "big", "é".repeat(513)])).rejects.toThrow(/invalid bulk length/);
    expect(await local.send(["SET", "fits", "é".repeat(512)])).toBe("OK");
    const replies = await local.sendAll([["SET", "a", Buffer.alloc(2048)], ["PING"]]);
    expect(replies[0]).toBeInstanceOf(ReplyError);
    expect(replies[1]).toBe("PONG");
  });

  it("reads replies larger than one reply buffer, and many at once", async () => {
    const server = await startServer();
    const local = server.connectLocal();
    const big = "é".repeat(100_000); // 200 KB: past the 64 KiB reply slab
    await local.send(["SET", "big", big]);
    const members = Array.from({ length: 5000 }, (_, i) => `member-${i}`);
    await local.send(["RPUSH", "many", ...members]);
    const replies = await local.sendAll([
      ["GET", "big"],
      ["LRANGE", "many", 0, -1],
      ["GET", "big"],
    ]);
    expect(replies).toEqual([big, members, big]);
  });

  it("reads replies as replies again once the last subscription is gone", async () => {
    const server = await startServer();
    const local = server.connectLocal();
    const pushed: unknown[] = [];
    local.onPush((message) => pushed.push(message));
    await local.send(["SUBSCRIBE", "a"]);
    expect(await local.send(["UNSUBSCRIBE"])).toEqual(["unsubscribe", "a", 0]);
    await local.send(["RPUSH", "list", "message", "a", "b"]);
    expect(await local.send(["LRANGE", "list", 0, -1])).toEqual(["message", "a", "b"]);
    await local.send(["PSUBSCRIBE", "p*"]);
    expect(await local.send(["RESET"])).toBe("RESET"); // unsubscribes too, without a confirmation
    expect(await local.send(["LRANGE", "list", 0, -1])).toEqual(["message", "a", "b"]);
    expect(pushed).toEqual([]);
  });

  it("counts a subscription command's confirmations as they come, not as it was sent", async () => {
    const server = await startServer();
    const local = server.connectLocal();
    // UNSUBSCRIBE without names confirms once per channel it has when it runs: here, two.
    expect(
      await local.sendAll([["SUBSCRIBE", "a", "b"], ["PSUBSCRIBE", "p*"], ["UNSUBSCRIBE"], ["PING"]]),
    ).toEqual([
      ["subscribe", "b", 2],
      ["psubscribe", "p*", 3],
      ["unsubscribe", "b", 1],
      ["pong", ""],
    ]);
    // One reply, an error, however many names it has; the same for a command queued in MULTI.
    await expect(local.send(["SSUBSCRIBE", "x", "y"])).rejects.toThrow(/unknown command/);
    await expect(local.send(["SUBSCRIBE"])).rejects.toThrow(/wrong number of arguments/);
    expect(await local.send(["PUNSUBSCRIBE"])).toEqual(["punsubscribe", "p*", 0]);
    expect(await local.sendAll([["MULTI"], ["SUBSCRIBE", "c", "d"], ["DISCARD"], ["GET", "k"]])).toEqual([
      "OK",
      "QUEUED",
      "OK",
      null,
    ]);
    // Sent while a blocked command holds the connection: it runs after the SUBSCRIBE before it.
    const remote = ioredis(server.port);
    const blocked = local.send(["BLPOP", "q", "5"]);
    const later = local.sendAll([["SUBSCRIBE", "e", "f"], ["UNSUBSCRIBE"], ["PING"]]);
    await remote.lpush("q", "x");
    expect(await blocked).toEqual(["q", "x"]);
    expect(await later).toEqual([["subscribe", "f", 2], ["unsubscribe", "f", 0], "PONG"]);
  });

  it("speaks RESP3 after HELLO 3: a push is told from a reply by its type", async () => {
    const server = await startServer();
    const local = server.connectLocal();
    const pushed: unknown[] = [];
    local.onPush((message) => pushed.push(message));
    expect(await local.send(["HELLO", "3"])).toContain("proto");
    expect(await local.send(["SUBSCRIBE", "a"])).toEqual(["subscribe", "a", 1]);
    // In RESP3 a subscribed connection runs any command; this reply only looks like a message.
    await local.send(["RPUSH", "list", "message", "a", "b"]);
    await ioredis(server.port).publish("a", "one");
    expect(await local.send(["LRANGE", "list", 0, -1])).toEqual(["message", "a", "b"]);
    expect(await local.send(["ZADD", "z", "INCR", "1.5", "m"])).toBe(1.5); // a RESP3 double
    await eventually(() => pushed.length === 1);
    expect(pushed).toEqual([["message", "a", "one"]]);
    expect(await local.send(["HELLO", "2"])).toContain("proto");
    expect(await local.send(["PING"])).toEqual(["pong", ""]); // RESP2 and subscribed again
  });

  it("converts every argument as ioredis does, before anything is queued", async () => {
    const server = await startServer();
    const local = server.connectLocal();
    const odd = [10n, 2 ** 60, true, null, undefined, Buffer.from([0xff, 0x80])] as never[];
    expect(
      await local.sendAll([
        ["SET", "a", "1"],
        ["RPUSH", "odd", ...odd],
      ]),
    ).toEqual(["OK", 6]);
    expect(await local.send(["LRANGE", "odd", 0, -1])).toEqual([
      "10",
      "1152921504606846976",
      "true",
      "",
      "",
      "\ufffd\ufffd",
    ]);
    expect(await local.send(["STRLEN", "a"])).toBe(1); // every reply still goes to its own command
    const unwritable = {
      toString() {
        throw new Error("cannot be written");
      },
    } as never;
    await expect(
      local.sendAll([
        ["SET", "b", "2"],
        ["SET", "c", unwritable],
      ]),
    ).rejects.toThrow("cannot be written");
    expect(await local.send(["GET", "b"])).toBeNull(); // nothing of that pipeline was sent
  });

  it("refuses a command in its place: a transaction it was part of is aborted", async () => {
    const server = await startServer({ maxBulkLength: 1024 });
    const local = server.connectLocal();
    const big = "x".repeat(1025);
    const replies = await local.sendAll([["MULTI"], ["SET", "a", "1"], ["SET", "big", big], ["EXEC"]]);
    expect(replies.slice(0, 2)).toEqual(["OK", "QUEUED"]);
    expect((replies[2] as Error).message).toBe("ERR Protocol error: invalid bulk length");
    expect((replies[3] as Error).message).toMatch(/^EXECABORT/);
    await local.send(["MULTI"]);
    await local.send(["SET", "a", "2"]);
    await expect(local.send(["MONITOR"])).rejects.toThrow(/needs a socket connection/);
    await expect(local.send(["EXEC"])).rejects.toThrow(/^EXECABORT/);
    expect(await local.send(["GET", "a"])).toBeNull(); // neither transaction ran
    await expect(local.send([])).rejects.toThrow("ERR empty command");
    expect(await local.send(["PING"])).toBe("PONG");
  });

  it("keeps its list of commands waiting for replies short while one always waits", async () => {
    const server = await startServer();
    const local = server.connectLocal();
    const pusher = server.connectLocal();
    let pending = local.send(["BLPOP", "q", "5"]);
    for (let i = 0; i < 5000; i++) {
      const next = local.send(["BLPOP", "q", "5"]); // queued behind the blocked one
      await pusher.send(["LPUSH", "q", String(i)]); // serves the blocked one; the next blocks
      expect(await pending).toEqual(["q", String(i)]);
      pending = next;
    }
    const { router } = local as unknown as { router: { waiting: unknown[] } };
    expect(router.waiting.length).toBeLessThan(2100);
    await pusher.send(["LPUSH", "q", "last"]);
    expect(await pending).toEqual(["q", "last"]);
  });
});

describe("ReplyReader", () => {
  const bytes = Buffer.from(
    "+OK\r\n-ERR bad\r\n:-12\r\n$4\r\nh\xc3\xa9l\r\n$-1\r\n*2\r\n$1\r\na\r\n*-1\r\n*0\r\n_\r\n,1.5\r\n,-inf\r\n#t\r\n%1\r\n+k\r\n:1\r\n",
    "latin1",
  );
  const expected = ["OK", "ERR bad", -12, "hél", null, ["a", null], [], null, 1.5, -Infinity, 1, ["k", 1]];

  const read = (chunks: Buffer[]) => {
    const reader = new ReplyReader();
    const values: unknown[] = [];
    for (const chunk of chunks) reader.feed(chunk, (value) => values.push(value));
    return values.map((value) => (value instanceof ReplyError ? value.message : value));
  };

  it("reads every type in one chunk", () => {
    expect(read([bytes])).toEqual(expected);
  });

  it("reads the same whatever the chunks' boundaries", () => {
    for (const size of [1, 2, 3, 7]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      expect(read(chunks)).toEqual(expected);
    }
  });

  it("tells a RESP3 push from an array", () => {
    const pushes: boolean[] = [];
    new ReplyReader().feed(Buffer.from(">2\r\n+a\r\n*1\r\n+b\r\n*1\r\n+c\r\n"), (_, push) =>
      pushes.push(push),
    );
    expect(pushes).toEqual([true, false]);
  });

  it("refuses a reply type it does not know", () => {
    expect(() => read([Buffer.from("?what\r\n")])).toThrow(/unexpected reply type '\?'/);
  });

  it("joins the chunks of a long reply once, when they are all there", () => {
    const value = "x".repeat(1 << 20);
    const bytes = Buffer.from(`*2\r\n$${value.length}\r\n${value}\r\n:7\r\n+next\r\n`);
    const concat = vi.spyOn(Buffer, "concat");
    try {
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += 1000) chunks.push(bytes.subarray(i, i + 1000));
      expect(read(chunks)).toEqual([[value, 7], "next"]);
      expect(concat.mock.calls.length).toBeLessThanOrEqual(2); // not one per chunk (1,049 here)
    } finally {
      concat.mockRestore();
    }
  });

  it("reads a long array once, not again from its start with every chunk", () => {
    const items = Array.from({ length: 100_000 }, (_, i) => String(i).padStart(10, "0"));
    const bytes = Buffer.from(
      `*${items.length}\r\n${items.map((item) => `$10\r\n${item}\r\n`).join("")}+next\r\n`,
    );
    const concat = vi.spyOn(Buffer, "concat");
    try {
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += 65536) chunks.push(bytes.subarray(i, i + 65536));
      expect(read(chunks)).toEqual([items, "next"]);
      const joined = concat.mock.results.reduce((sum, result) => sum + (result.value as Buffer).length, 0);
      expect(joined).toBeLessThan(bytes.length * 2); // 1.7 MB: 23 MB joined (and parsed) when read again
    } finally {
      concat.mockRestore();
    }
  });

  it("refuses lengths that are not lengths, and waits for an array its bytes cannot hold yet", () => {
    for (const line of ["$abc", "*1.5", "$-2", "*", "%x", "$0x10", "*1e3", "$ 1"])
      expect(() => read([Buffer.from(`${line}\r\n`)]), line).toThrow(/Protocol error: invalid length/);
    // A broken server's huge length: no array of that size is made, the reader waits for the bytes.
    expect(read([Buffer.from("*999999999999\r\n:1\r\n")])).toEqual([]);
    expect(read([Buffer.from("*2\r\n"), Buffer.from(":1\r\n"), Buffer.from(":2\r\n")])).toEqual([[1, 2]]);
  });
});
