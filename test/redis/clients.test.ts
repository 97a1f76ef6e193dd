/**
 * redis-cli (Debian's redis-tools) against the embedded server, over TCP and the Unix socket:
 * one-shot commands, commands from stdin, --pipe mass insertion, RESP3 (-3), AUTH, and the same
 * invocations compared with a real redis-server's output.
 */

import { describe, expect } from "vitest";
import { type ProcessResult, runProcess } from "../helpers/run-process.js";
import { itWithTools } from "../helpers/tools.js";
import { resp, socketPath, startRealRedis, startServer } from "./helpers.js";

/** Runs redis-cli with `args`, feeding `input` on stdin. */
const cli = (args: string[], input: string | Buffer = ""): Promise<ProcessResult> =>
  runProcess("redis-cli", args, input);

const withCli = itWithTools(["redis-cli"]);
const withCliAndRedis = itWithTools(["redis-cli", "redis-server"]);

describe("redis-cli against the embedded server", () => {
  withCli("runs one-shot commands over TCP", async () => {
    const server = await startServer();
    const p = ["-p", String(server.port)];
    expect((await cli([...p, "PING"])).stdout).toBe("PONG\n");
    expect((await cli([...p, "SET", "greeting", "hello world"])).stdout).toBe("OK\n");
    expect((await cli([...p, "GET", "greeting"])).stdout).toBe("hello world\n");
    expect((await cli([...p, "--no-raw", "GET", "missing"])).stdout).toBe("(nil)\n");
    expect((await cli([...p, "-r", "3", "INCR", "counter"])).stdout).toBe("1\n2\n3\n");
    expect((await cli([...p, "-n", "3", "SET", "k", "in-db-3"])).stdout).toBe("OK\n");
    expect((await cli([...p, "-n", "3", "GET", "k"])).stdout).toBe("in-db-3\n");
    expect((await cli([...p, "GET", "k"])).stdout).toBe("\n");
    expect((await cli([...p, "--csv", "MGET", "greeting", "missing", "counter"])).stdout).toBe(
      '"hello world",NULL,"3"\n',
    );
    const unknown = await cli([...p, "NOSUCH", "x"]);
    expect(unknown.stdout).toBe("ERR unknown command 'NOSUCH', with args beginning with: 'x' \n\n");
  });

  withCli("reads commands from stdin, a binary value with -x, and scans with --scan", async () => {
    const server = await startServer();
    const p = ["-p", String(server.port)];
    const lines = await cli(p, "SET a 1\nINCR a\nGET a\nMSET user:1 x user:2 y other z\n");
    expect(lines.stdout).toBe("OK\n2\n2\nOK\n");
    expect((await cli([...p, "-x", "SET", "bin"], Buffer.from("abc\x00def\xff", "latin1"))).stdout).toBe(
      "OK\n",
    );
    expect((await cli([...p, "--no-raw", "GET", "bin"])).stdout).toBe('"abc\\x00def\\xff"\n');
    expect((await cli([...p, "STRLEN", "bin"])).stdout).toBe("8\n");
    const scanned = (await cli([...p, "--scan", "--pattern", "user:*"])).stdout.split("\n").filter(Boolean);
    expect(scanned.sort()).toEqual(["user:1", "user:2"]);
  });

  withCli("works over the Unix socket, sharing the keyspace with TCP", async () => {
    const path = socketPath();
    const server = await startServer({ unixSocketPath: path });
    expect((await cli(["-s", path, "PING"])).stdout).toBe("PONG\n");
    expect((await cli(["-s", path, "SET", "shared", "via-socket"])).stdout).toBe("OK\n");
    expect((await cli(["-p", String(server.port), "GET", "shared"])).stdout).toBe("via-socket\n");
    const piped = await cli(
      ["-s", path, "--pipe"],
      Buffer.concat([resp("SET", "p", "1"), resp("INCR", "p")]),
    );
    expect(piped.stdout).toContain("errors: 0, replies: 2");
    expect((await cli(["-s", path, "GET", "p"])).stdout).toBe("2\n");
  });

  withCli("loads 10,000 commands with --pipe", async () => {
    const server = await startServer();
    const count = 10_000;
    const commands = Buffer.concat(
      Array.from({ length: count }, (_, i) => resp("SET", `key:${i}`, `value:${i}`.repeat(1 + (i % 5)))),
    );
    const result = await cli(["-p", String(server.port), "--pipe"], commands);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("All data transferred. Waiting for the last reply...");
    expect(result.stdout).toContain(`errors: 0, replies: ${count}`);
    expect((await cli(["-p", String(server.port), "DBSIZE"])).stdout).toBe(`${count}\n`);
    expect((await cli(["-p", String(server.port), "GET", "key:9999"])).stdout).toBe(
      `${"value:9999".repeat(5)}\n`,
    );
  });

  withCli("counts the error replies of --pipe", async () => {
    const server = await startServer();
    const commands = Buffer.concat([
      resp("SET", "a", "x"),
      resp("INCR", "a"),
      resp("NOSUCH"),
      resp("GET", "a"),
    ]);
    const result = await cli(["-p", String(server.port), "--pipe"], commands);
    expect(result.stdout).toContain("errors: 2, replies: 4");
  });

  withCli("speaks RESP3 with -3", async () => {
    const server = await startServer();
    const p = ["-p", String(server.port), "--no-raw"];
    const hello = await cli([...p, "-3", "HELLO"]);
    expect(hello.stdout).toMatch(
      /^1# "server" => "redis"\n2# "version" => "7\.0\.15"\n3# "proto" => \(integer\) 3\n/,
    );
    expect((await cli([...p, "-3", "ZADD", "z", "1.5", "a", "2", "b"])).stdout).toBe("(integer) 2\n");
    expect((await cli([...p, "-3", "ZSCORE", "z", "a"])).stdout).toBe("(double) 1.5\n");
    expect((await cli([...p, "ZSCORE", "z", "a"])).stdout).toBe('"1.5"\n');
    expect((await cli([...p, "-3", "ZRANGE", "z", "0", "-1", "WITHSCORES"])).stdout).toBe(
      '1) 1) "a"\n   2) (double) 1.5\n2) 1) "b"\n   2) (double) 2\n',
    );
    expect((await cli([...p, "-3", "GET", "missing"])).stdout).toBe("(nil)\n");
  });

  withCli("authenticates with -a when a password is set", async () => {
    const server = await startServer({ password: "s3cret" });
    const p = ["-p", String(server.port)];
    expect((await cli([...p, "PING"])).stdout).toBe("NOAUTH Authentication required.\n\n");
    const authed = await cli([...p, "-a", "s3cret", "--no-auth-warning", "PING"]);
    expect(authed.stdout).toBe("PONG\n");
    const wrong = await cli([...p, "-a", "nope", "--no-auth-warning", "PING"]);
    expect(wrong.stdout).toContain("NOAUTH Authentication required.");
    expect(wrong.stderr).toContain(
      "AUTH failed: WRONGPASS invalid username-password pair or user is disabled.",
    );
    expect((await cli([...p, "-3", "-a", "s3cret", "--no-auth-warning", "PING"])).stdout).toBe("PONG\n");
  });

  withCliAndRedis("prints the same as against redis-server", async () => {
    const server = await startServer();
    const realPort = await startRealRedis();
    const invocations: [string[], string?][] = [
      [["SET", "k", "v", "EX", "100"]],
      [["--no-raw", "TTL", "k"]],
      [["--no-raw", "MSET", "a", "1", "b", "2"]],
      [["--no-raw", "MGET", "a", "b", "missing"]],
      [["--no-raw", "INCRBYFLOAT", "a", "0.1"]],
      [["--no-raw", "-3", "INCRBYFLOAT", "a", "0.2"]],
      [["--no-raw", "RPUSH", "l", "x", "y", "z"]],
      [["--no-raw", "LRANGE", "l", "0", "-1"]],
      [["--no-raw", "-3", "LRANGE", "l", "0", "-1"]],
      [["--csv", "LRANGE", "l", "0", "-1"]],
      [["--no-raw", "GET", "l"]],
      [["--no-raw", "OBJECT", "ENCODING", "l"]],
      [["--no-raw", "ZADD", "z", "1", "one", "2.5", "two"]],
      [["--no-raw", "-3", "ZRANGE", "z", "0", "-1", "WITHSCORES"]],
      [["--no-raw", "ZRANGE", "z", "0", "-1", "WITHSCORES"]],
      [["--no-raw", "EXPIRE", "k", "100", "NX"]],
      [["--no-raw", "SELECT", "99"]],
      [["--no-raw", "NOSUCH", "arg"]],
      [["--no-raw"], "PING\nECHO hello\nGET missing\nSET x 1\nINCR x\n"],
      [["--no-raw", "-3"], "PING\nGET missing\nEXISTS x\nTYPE l\n"],
      [["--pipe"], Buffer.concat([resp("SET", "p", "1"), resp("INCR", "p"), resp("BAD")]).toString("latin1")],
    ];
    for (const [args, input] of invocations) {
      const ours = await cli(["-p", String(server.port), ...args], input);
      const theirs = await cli(["-p", String(realPort), ...args], input);
      expect({ args, stdout: ours.stdout, code: ours.code }).toEqual({
        args,
        stdout: theirs.stdout,
        code: theirs.code,
      });
    }
  });
});
