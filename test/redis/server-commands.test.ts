import { createClient } from "redis";
import { describe, expect, it } from "vitest";
import { commandMeta } from "../../src/redis/commands/command-meta.js";
import { runProcess } from "../helpers/run-process.js";
import { itWithTools } from "../helpers/tools.js";
import type { RespConnection } from "./differential/runner.js";
import { connect, ioredis, send, socketPath, startRealRedis, startServer } from "./helpers.js";

/** Replies that arrived without a command (MONITOR lines). */
async function pushed(connection: RespConnection, quietMs = 50): Promise<string[]> {
  return (await connection.leftovers(quietMs)).map((reply) => reply.bytes.toString("latin1"));
}

/** CLIENT LIST's lines as field maps. */
function parseClientList(bulk: string): Map<string, string>[] {
  const text = bulk.replace(/^\$\d+\r\n/, "").replace(/\r\n$/, "");
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => new Map(line.split(" ").map((field) => field.split("=", 2) as [string, string])));
}

const CLIENT_FIELDS =
  "id addr laddr fd name age idle flags db sub psub ssub multi qbuf qbuf-free argv-mem multi-mem rbs rbp obl oll omem tot-mem events cmd user redir resp lib-name lib-ver";

describe("CLIENT", () => {
  it("reports ids and names, and lists clients in Redis 7.0's field order", async () => {
    const server = await startServer();
    const client = await connect(server.port);
    const id = (await send(client, "CLIENT", "ID")).match(/^:(\d+)\r\n$/)?.[1];
    expect(id).toBeDefined();
    expect(await send(client, "CLIENT", "GETNAME")).toBe("$-1\r\n");
    expect(await send(client, "CLIENT", "SETNAME", "worker-7")).toBe("+OK\r\n");
    expect(await send(client, "CLIENT", "GETNAME")).toBe("$8\r\nworker-7\r\n");
    expect(await send(client, "CLIENT", "SETNAME", "a b")).toBe(
      "-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
    );
    await send(client, "SELECT", "3");
    const [line] = parseClientList(await send(client, "CLIENT", "LIST", "ID", id as string));
    expect([...(line as Map<string, string>).keys()].join(" ")).toBe(CLIENT_FIELDS);
    expect(line?.get("id")).toBe(id);
    expect(line?.get("name")).toBe("worker-7");
    expect(line?.get("db")).toBe("3");
    expect(line?.get("flags")).toBe("N");
    expect(line?.get("multi")).toBe("-1");
    expect(line?.get("cmd")).toBe("client|list");
    expect(line?.get("laddr")).toBe(`127.0.0.1:${server.port}`);
    const info = await send(client, "CLIENT", "INFO");
    expect(info).toMatch(
      new RegExp(`^\\$\\d+\\r\\nid=${id} addr=127\\.0\\.0\\.1:\\d+ .* cmd=client\\|info .*\\n\\r\\n$`),
    );
  });

  it("sends CLIENT LIST and CLIENT INFO as verbatim strings in RESP3", async () => {
    const server = await startServer();
    const client = await connect(server.port, 3);
    expect(await send(client, "CLIENT", "INFO")).toMatch(
      /^=\d+\r\ntxt:id=\d+ .* resp=3 lib-name= lib-ver=\n\r\n$/,
    );
  });

  it("shows pub/sub, blocked, monitor, no-evict and unix socket flags", async () => {
    const path = socketPath();
    const server = await startServer({ unixSocketPath: path });
    const observer = await connect(server.port);
    const subscriber = await connect(server.port);
    const blocked = await connect(server.port);
    const monitor = await connect(server.port);
    await send(subscriber, "SUBSCRIBE", "a", "b");
    await send(subscriber, "PSUBSCRIBE", "c*");
    void blocked.command(["BLPOP", "nothing", "0"]);
    await send(monitor, "MONITOR");
    await send(observer, "CLIENT", "NO-EVICT", "on");
    await send(observer, "CLIENT", "NO-TOUCH", "on");
    const unix = ioredis(path);
    await unix.client("SETNAME", "over-unix");
    const lines = parseClientList(await send(observer, "CLIENT", "LIST"));
    const flags = lines.map((line) => line.get("flags"));
    expect(flags).toEqual(["eT", "P", "b", "O", "U"]);
    expect(lines[1]?.get("sub")).toBe("2");
    expect(lines[1]?.get("psub")).toBe("1");
    expect(lines[4]?.get("addr")).toBe(`${path}:0`);
    expect(lines[4]?.get("name")).toBe("over-unix");
    expect(
      parseClientList(await send(observer, "CLIENT", "LIST", "TYPE", "pubsub")).map((l) => l.get("flags")),
    ).toEqual(["P"]);
  });

  it("records the library node-redis announces with CLIENT SETINFO", async () => {
    const server = await startServer();
    const node = createClient({ socket: { port: server.port, host: "127.0.0.1" } });
    await node.connect();
    try {
      const info = await node.sendCommand(["CLIENT", "INFO"]);
      expect(String(info)).toMatch(/lib-name=node-redis lib-ver=\d+\.\d+\.\d+/);
    } finally {
      await node.quit();
    }
    const client = await connect(server.port);
    expect(await send(client, "CLIENT", "SETINFO", "lib-name", "my lib")).toBe(
      "-ERR lib-name cannot contain spaces, newlines or special characters.\r\n",
    );
    expect(await send(client, "CLIENT", "SETINFO", "color", "red")).toBe(
      "-ERR Unrecognized option 'color'\r\n",
    );
  });

  it("kills by address (old form), by id, by type and itself with SKIPME no", async () => {
    const server = await startServer();
    const killer = await connect(server.port);
    const [victim, subscriber, other] = [
      await connect(server.port),
      await connect(server.port),
      await connect(server.port),
    ];
    const lines = parseClientList(await send(killer, "CLIENT", "LIST"));
    const [, victimLine, , otherLine] = lines;
    expect(await send(killer, "CLIENT", "KILL", victimLine?.get("addr") as string)).toBe("+OK\r\n");
    expect((await victim.command(["PING"])).closed).toBe(true);
    expect(await send(killer, "CLIENT", "KILL", victimLine?.get("addr") as string)).toMatch(
      /^-ERR No such client\r\n$/,
    );
    await send(subscriber, "SUBSCRIBE", "x");
    expect(await send(killer, "CLIENT", "KILL", "TYPE", "pubsub")).toBe(":1\r\n");
    expect(await send(killer, "PUBLISH", "x", "gone")).toBe(":0\r\n");
    expect(await send(killer, "CLIENT", "KILL", "ID", otherLine?.get("id") as string)).toBe(":1\r\n");
    expect((await other.command(["PING"])).closed).toBe(true);
    expect(await send(killer, "CLIENT", "KILL", "USER", "default")).toBe(":0\r\n"); // SKIPME yes by default
    const outcome = await killer.command(["CLIENT", "KILL", "USER", "default", "SKIPME", "no"]);
    expect(outcome.replies.map((r) => r.bytes.toString())).toEqual([":1\r\n"]);
    expect(outcome.closed || (await killer.command(["PING"])).closed).toBe(true);
  });

  it("unblocks a blocked client with a timeout reply or an error", async () => {
    const server = await startServer();
    const admin = await connect(server.port);
    const blocked = await connect(server.port);
    const id = (await send(blocked, "CLIENT", "ID")).slice(1, -2);
    const first = blocked.command(["BLPOP", "nothing", "0"]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(await send(admin, "CLIENT", "UNBLOCK", id)).toBe(":1\r\n");
    expect((await first).replies[0]?.bytes.toString()).toBe("*-1\r\n");
    const second = blocked.command(["BRPOP", "nothing", "0"]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(await send(admin, "CLIENT", "UNBLOCK", id, "ERROR")).toBe(":1\r\n");
    expect((await second).replies[0]?.bytes.toString()).toBe(
      "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n",
    );
    expect(await send(admin, "CLIENT", "UNBLOCK", id)).toBe(":0\r\n");
    expect(await send(blocked, "PING")).toBe("+PONG\r\n");
  });

  it("answers CLIENT HELP with the subcommands it serves", async () => {
    const server = await startServer();
    const client = await connect(server.port);
    const help = await send(client, "CLIENT", "HELP");
    expect(help).toMatch(
      /^\*\d+\r\n\+CLIENT <subcommand> \[<arg> \[value\] \[opt\] \.\.\.\]\. Subcommands are:\r\n/,
    );
    for (const sub of [
      "GETNAME",
      "SETNAME <name>",
      "SETINFO <option> <value>",
      "NO-TOUCH (ON|OFF)",
      "UNBLOCK",
    ]) {
      expect(help).toContain(`+${sub}`);
    }
    expect(help).not.toContain("+PAUSE");
  });
});

describe("CONFIG", () => {
  it("gets parameters by name and by glob pattern, once each", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    expect(await client.config("GET", "maxmemory")).toEqual(["maxmemory", "0"]);
    expect(await client.config("GET", "MAXMEMORY")).toEqual(["MAXMEMORY", "0"]);
    const policy = await client.config("GET", "maxmemory*", "MAXMEMORY-POLICY");
    expect(policy).toEqual(["maxmemory", "0", "maxmemory-policy", "noeviction"]);
    expect(await client.config("GET", "*max-*-len")).toEqual(["proto-max-bulk-len", expect.any(String)]);
    expect(await client.config("GET", "nothing*")).toEqual([]);
  });

  it("sets requirepass: new connections must authenticate, and '' turns it off", async () => {
    const server = await startServer();
    const admin = await connect(server.port);
    expect(await send(admin, "CONFIG", "SET", "requirepass", "s3cret")).toBe("+OK\r\n");
    expect(await send(admin, "PING")).toBe("+PONG\r\n"); // already authenticated
    const late = await connect(server.port);
    expect(await send(late, "PING")).toBe("-NOAUTH Authentication required.\r\n");
    expect(await send(late, "AUTH", "s3cret")).toBe("+OK\r\n");
    expect(await send(late, "CONFIG", "GET", "requirepass")).toBe(
      "*2\r\n$11\r\nrequirepass\r\n$6\r\ns3cret\r\n",
    );
    expect(await send(late, "CONFIG", "SET", "requirepass", "")).toBe("+OK\r\n");
    expect(await send(await connect(server.port), "PING")).toBe("+PONG\r\n");
  });

  it("applies proto-max-bulk-len to new connections", async () => {
    const server = await startServer();
    const admin = await connect(server.port);
    expect(await send(admin, "CONFIG", "SET", "proto-max-bulk-len", "1mb")).toBe("+OK\r\n");
    expect(await send(admin, "CONFIG", "GET", "proto-max-bulk-len")).toBe(
      "*2\r\n$18\r\nproto-max-bulk-len\r\n$7\r\n1048576\r\n",
    );
    const late = await connect(server.port);
    const outcome = await late.command(["SET", "k", "x".repeat(1024 * 1024 + 1)]);
    expect(outcome.replies[0]?.bytes.toString()).toBe("-ERR Protocol error: invalid bulk length\r\n");
  });

  it("refuses values the server cannot honour, and unknown or immutable parameters", async () => {
    const server = await startServer();
    const client = await connect(server.port);
    expect(await send(client, "CONFIG", "SET", "maxmemory", "1gb")).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - not supported by this server\r\n",
    );
    expect(await send(client, "CONFIG", "SET", "notify-keyspace-events", "KEA")).toMatch(/not supported/);
    expect(await send(client, "CONFIG", "SET", "timeout", "30")).toMatch(/not supported/);
    expect(await send(client, "CONFIG", "SET", "port", "6380")).toMatch(/can't set immutable config/);
    expect(await send(client, "CONFIG", "SET", "lua-time-limit", "5")).toBe(
      "-ERR Unknown option or number of arguments for CONFIG SET - 'lua-time-limit'\r\n",
    );
    // Nothing of a refused CONFIG SET is applied.
    expect(await send(client, "CONFIG", "SET", "maxmemory-policy", "allkeys-lru", "maxmemory", "5")).toMatch(
      /not supported/,
    );
    expect(await send(client, "CONFIG", "GET", "maxmemory-policy")).toContain("noeviction");
  });

  it("resets the INFO statistics with RESETSTAT", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    await client.set("k", "v");
    await client.get("k");
    expect(await client.info("commandstats")).toMatch(
      /^# Commandstats\r\n(.*\r\n)*cmdstat_get:calls=1,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0\r\n/,
    );
    expect(await client.info("all")).toContain("# Commandstats\r\ncmdstat_");
    expect(await client.config("RESETSTAT")).toBe("OK");
    expect(await client.info("commandstats")).not.toContain("cmdstat_get");
    // RESETSTAT itself and the INFO after it, as Redis counts them.
    expect(await client.info("stats")).toContain("total_commands_processed:2\r\n");
  });
});

describe("COMMAND", () => {
  it("counts, lists and describes every command of the command table", async () => {
    const server = await startServer();
    const client = ioredis(server.port, { protocol: 2 });
    const count = (await client.call("COMMAND", "COUNT")) as number;
    expect(count).toBe(server.state.commands.size);
    const all = (await client.call("COMMAND")) as unknown[][];
    expect(all).toHaveLength(count);
    const names = (await client.command("LIST")) as string[];
    expect(names).toContain("client|setinfo");
    expect(names).toContain("watch");
    expect(await client.command("LIST", "FILTERBY", "ACLCAT", "transaction")).toEqual(
      expect.arrayContaining(["multi", "exec", "discard", "watch", "unwatch"]),
    );
    expect(await client.command("INFO", "client|setinfo")).toEqual([
      ["client|setinfo", 4, ["noscript", "loading", "stale"], 0, 0, 0, ["@slow", "@connection"], [], [], []],
    ]);
  });

  itWithTools(["redis-server"])(
    "reports COMMAND INFO and COMMAND DOCS byte for byte as Redis 7.0 for the commands both have",
    async () => {
      const server = await startServer();
      const realPort = await startRealRedis();
      const [ours, theirs] = [await connect(server.port), await connect(realPort)];
      const mismatches: string[] = [];
      for (const protocol of ["2", "3"]) {
        await send(ours, "HELLO", protocol);
        await send(theirs, "HELLO", protocol);
        for (const spec of server.state.commands.all()) {
          // Containers list their subcommands in Redis's hash order; compare those one by one.
          const names = spec.subcommands ? spec.subcommands.map((sub) => sub.name) : [spec.name];
          for (const name of names) {
            for (const sub of ["INFO", "DOCS"]) {
              const expected = await send(theirs, "COMMAND", sub, name);
              if (expected === "*1\r\n$-1\r\n" || expected === "*1\r\n_\r\n" || expected.startsWith("%0"))
                continue;
              if (expected.startsWith("*0") && sub === "DOCS") continue;
              if ((await send(ours, "COMMAND", sub, name)) === expected) continue;
              const hint = commandMeta(name)
                ? ""
                : " (no metadata: run test/redis/tools/generate-command-meta.ts)";
              mismatches.push(`RESP${protocol} ${sub} ${name}${hint}`);
            }
          }
        }
      }
      expect(mismatches).toEqual(KNOWN_SPEC_DIFFERENCES);
    },
    60_000,
  );

  itWithTools(["redis-cli"])(
    "serves redis-cli's COMMAND DOCS, one-shot and in an interactive session",
    async () => {
      const server = await startServer();
      const docs = await run("redis-cli", ["-p", String(server.port), "--no-raw", "COMMAND", "DOCS", "GET"]);
      expect(docs).toContain('2) "Get the value of a key"');
      expect(docs).toContain('"arguments"');
      // An interactive session (a pseudo-terminal through script(1)) asks COMMAND DOCS for its hints.
      const monitor = await connect(server.port);
      await send(monitor, "MONITOR");
      const session = await run(
        "script",
        ["-qc", `redis-cli -p ${server.port}`, "/dev/null"],
        "PING\nquit\n",
        {
          TERM: "dumb",
        },
      );
      expect(session).toContain("PONG");
      const lines = await pushed(monitor, 100);
      expect(lines.some((line) => line.endsWith(' "COMMAND" "DOCS"\r\n'))).toBe(true);
    },
  );
});

/** Specs of other families that differ from Redis 7.0 (their owners are told); empty when all agree. */
const KNOWN_SPEC_DIFFERENCES: string[] = [];

async function run(
  command: string,
  args: string[],
  input = "",
  env: Record<string, string> = {},
): Promise<string> {
  return (await runProcess(command, args, input, env)).stdout;
}

describe("MONITOR", () => {
  it("streams every command after it ran, in Redis's line format, admin commands excepted", async () => {
    const server = await startServer();
    const monitor = await connect(server.port);
    expect(await send(monitor, "MONITOR")).toBe("+OK\r\n");
    const client = await connect(server.port);
    await send(client, "SELECT", "5");
    await send(client, "SET", "k", 'quote" and \\ \n\x01\xff');
    await send(client, "CONFIG", "GET", "maxmemory");
    await send(client, "CLIENT", "ID");
    await send(client, "AUTH", "secret");
    await send(client, "HELLO", "3", "AUTH", "default", "secret", "SETNAME", "x");
    await send(client, "MULTI");
    await send(client, "INCR", "n");
    await send(client, "EXEC");
    const lines = await pushed(monitor);
    const port = "127\\.0\\.0\\.1:\\d+";
    const expected = [
      `\\[5 ${port}\\] "SELECT" "5"`,
      `\\[5 ${port}\\] "SET" "k" "quote\\\\" and \\\\\\\\ \\\\n\\\\x01\\\\xff"`,
      `\\[5 ${port}\\] "CLIENT" "ID"`,
      `\\[5 ${port}\\] "AUTH" "\\(redacted\\)"`,
      `\\[5 ${port}\\] "HELLO" "3" "AUTH" "\\(redacted\\)" "\\(redacted\\)" "SETNAME" "x"`,
      `\\[5 ${port}\\] "MULTI"`,
      `\\[5 ${port}\\] "INCR" "n"`,
      `\\[5 ${port}\\] "EXEC"`,
    ];
    expect(lines).toHaveLength(expected.length);
    lines.forEach((line, i) => {
      expect(line).toMatch(new RegExp(`^\\+\\d{10}\\.\\d{6} ${expected[i]}\\r\\n$`));
    });
  });

  it("shows the monitor its own commands, ignores a second MONITOR and keeps it off the keyspace", async () => {
    const server = await startServer();
    const monitor = await connect(server.port);
    await send(monitor, "MONITOR");
    const ping = await monitor.command(["PING"]);
    const replies = [...ping.replies, ...(await monitor.leftovers(30))].map((r) => r.bytes.toString());
    expect(replies[0]).toBe("+PONG\r\n");
    expect(replies[1]).toMatch(/\] "PING"\r\n$/);
    expect((await monitor.command(["MONITOR"], 100)).timedOut).toBe(true);
    expect(await send(monitor, "GET", "k")).toBe("-ERR Replica can't interact with the keyspace\r\n");
    expect(await send(monitor, "RESET")).toBe("+RESET\r\n");
    expect(await send(monitor, "GET", "k")).toBe("$-1\r\n");
    const client = await connect(server.port);
    await send(client, "SET", "k", "v");
    expect(await pushed(monitor)).toEqual([]);
  });

  it("names Unix socket clients as Redis does, and feeds ioredis's monitor API", async () => {
    const path = socketPath();
    const server = await startServer({ unixSocketPath: path });
    const monitor = await ioredis(server.port).monitor();
    const seen = new Promise<[string[], string, string]>((resolve) =>
      monitor.on("monitor", (_time: string, args: string[], source: string, database: string) => {
        if (args[0] === "select") resolve([args, source, database]);
      }),
    );
    const unix = ioredis(path);
    await unix.select(2);
    expect(await seen).toEqual([["select", "2"], `unix:${path}`, "2"]);
    monitor.disconnect();
  });
});
