import { describe, expect, it } from "vitest";
import { itWithTools } from "../helpers/tools.js";
import { ioredis, startRealRedis, startServer } from "./helpers.js";
import { blockedClients, runScript, type Step } from "./multi-client.js";

/** Multi-client scenarios whose replies must match redis-server's byte for byte. */
const SCRIPTS: [name: string, steps: Step[]][] = [
  [
    "XREAD BLOCK on $ is woken by an XADD from another client, with that entry only",
    [
      [0, "XADD s 1-1 a 1"],
      [1, "XREAD BLOCK 0 STREAMS s $"],
      [0, "XADD s 2-1 b 2"],
    ],
  ],
  [
    "XREAD BLOCK on several keys replies with the key that got data",
    [
      [1, "XREAD BLOCK 0 STREAMS a b c 0 0 0"],
      [0, "XADD b 1-1 x 1"],
      [2, "XREAD BLOCK 0 COUNT 1 STREAMS a b $ $"],
      [0, "MULTI | XADD a 5-1 y 1 | XADD a 6-1 y 2 | XADD b 7-1 z 1 | EXEC"],
    ],
  ],
  [
    "every XREAD waiting on a key is served by one XADD",
    [
      [1, "XREAD BLOCK 0 STREAMS s 0"],
      [2, "XREAD BLOCK 0 STREAMS s $"],
      [0, "XADD s 1-1 a 1"],
    ],
  ],
  [
    "blocked XREADGROUP consumers share new entries in the order they blocked",
    [
      [0, "XGROUP CREATE s g $ MKSTREAM"],
      [1, "XREADGROUP GROUP g alice BLOCK 0 STREAMS s >"],
      [2, "XREADGROUP GROUP g bob BLOCK 0 STREAMS s >"],
      [0, "XADD s 1-1 a 1"],
      [0, "XADD s 2-1 b 2"],
      [0, "XPENDING s g"],
    ],
  ],
  [
    "XREADGROUP BLOCK with COUNT and NOACK",
    [
      [0, "XGROUP CREATE s g $ MKSTREAM"],
      [1, "XREADGROUP GROUP g c COUNT 2 NOACK BLOCK 0 STREAMS s >"],
      [0, "MULTI | XADD s 1-1 a 1 | XADD s 2-1 a 2 | XADD s 3-1 a 3 | EXEC"],
      [0, "XPENDING s g | XINFO GROUPS s"],
    ],
  ],
  [
    "XGROUP DESTROY unblocks XREADGROUP with NOGROUP",
    [
      [0, "XGROUP CREATE s g $ MKSTREAM"],
      [1, "XREADGROUP GROUP g c BLOCK 0 STREAMS s >"],
      [0, "XGROUP DESTROY s g"],
    ],
  ],
  [
    "deleting the stream unblocks XREADGROUP, not XREAD",
    [
      [0, "XGROUP CREATE s g $ MKSTREAM"],
      [1, "XREADGROUP GROUP g c BLOCK 0 STREAMS s >"],
      [2, "XREAD BLOCK 0 STREAMS s $"],
      [0, "DEL s"],
      [0, "XADD s 5-5 a 1"],
    ],
  ],
  [
    "overwriting, renaming and flushing a stream unblock XREADGROUP",
    [
      [0, "XGROUP CREATE a g $ MKSTREAM | XGROUP CREATE b g $ MKSTREAM | XGROUP CREATE c g $ MKSTREAM"],
      [1, "XREADGROUP GROUP g c BLOCK 0 STREAMS a >"],
      [2, "XREADGROUP GROUP g c BLOCK 0 STREAMS b >"],
      [3, "XREADGROUP GROUP g c BLOCK 0 STREAMS c >"],
      [0, "SET a x"],
      [0, "RENAME b z"],
      [0, "FLUSHALL"],
    ],
  ],
  [
    "SWAPDB unblocks XREADGROUP when the other database lacks the stream, and serves it when it has entries",
    [
      [0, "XGROUP CREATE s g $ MKSTREAM | XGROUP CREATE t g $ MKSTREAM"],
      [1, "XREADGROUP GROUP g c BLOCK 0 STREAMS s >"],
      [2, "XREADGROUP GROUP g c BLOCK 0 STREAMS t >"],
      [0, "SELECT 1 | XADD t 1-1 a 1 | XGROUP CREATE t g 0 | SWAPDB 0 1"],
    ],
  ],
  [
    "a stream deleted and recreated in one transaction answers NOGROUP",
    [
      [0, "XGROUP CREATE s g $ MKSTREAM"],
      [1, "XREADGROUP GROUP g c BLOCK 0 STREAMS s >"],
      [0, "MULTI | DEL s | XADD s 1-1 a 1 | EXEC"],
    ],
  ],
  [
    "an expiring stream unblocks XREADGROUP",
    [
      [0, "XGROUP CREATE s g $ MKSTREAM"],
      [1, "XREADGROUP GROUP g c BLOCK 0 STREAMS s >"],
      [0, "PEXPIRE s 30", 400],
    ],
  ],
  [
    "XREAD waits past deletions and smaller IDs for an ID above the one it waits on",
    [
      [0, "XADD s 5-5 a 1"],
      [1, "XREAD BLOCK 0 STREAMS s $"],
      [0, "XDEL s 5-5"],
      [0, "DEL s"],
      [0, "XADD s 3-3 b 2"],
      [0, "XADD s 6-6 c 3"],
    ],
  ],
  [
    "XGROUP SETID does not wake a blocked XREADGROUP, the next XADD serves from the new ID",
    [
      [0, "XADD s 1-1 a 1 | XGROUP CREATE s g $"],
      [1, "XREADGROUP GROUP g c BLOCK 0 STREAMS s >"],
      [0, "XGROUP SETID s g 0"],
      [0, "XADD s 2-1 b 2"],
    ],
  ],
  [
    "an XDEL does not wake a blocked XREADGROUP",
    [
      [0, "XADD s 1-1 a 1 | XADD s 2-1 b 2 | XGROUP CREATE s g 1-1 | XDEL s 2-1"],
      [1, "XREADGROUP GROUP g c BLOCK 0 STREAMS s >"],
      [0, "XADD s 3-1 x 1 | XDEL s 3-1"],
      [0, "XADD s 4-1 y 1"],
    ],
  ],
  [
    "a blocked client runs its pipelined commands once served, and times out with a nil",
    [
      [1, "XREAD BLOCK 0 STREAMS s $ | PING | XREAD BLOCK 50 STREAMS s $ | PING", 20],
      [0, "XADD s 1-1 a 1", 150],
    ],
  ],
  [
    "blocked reads in RESP3",
    [
      [1, "HELLO 3 | XREAD BLOCK 0 STREAMS s $"],
      [2, "HELLO 3 | XGROUP CREATE t g $ MKSTREAM | XREADGROUP GROUP g c BLOCK 30 STREAMS t >", 100],
      [0, "XADD s 1-1 a 1"],
    ],
  ],
  [
    "a blocked XREAD is served at most 1000 entries without COUNT",
    [
      [1, "XREAD BLOCK 0 STREAMS s $ | XLEN s"],
      [
        0,
        [
          ["MULTI"],
          ...Array.from({ length: 1003 }, (_, i) => ["XADD", "s", `${i + 1}-1`, "f", "v"]),
          ["EXEC"],
        ],
      ],
    ],
  ],
];

describe("XREAD and XREADGROUP blocking", () => {
  itWithTools(["redis-server"])(
    "behave like redis-server in multi-client scenarios",
    async () => {
      const [server, realPort] = await Promise.all([startServer(), startRealRedis()]);
      for (const [name, steps] of SCRIPTS) {
        const expected = await runScript(realPort, [[99, "FLUSHALL"], ...steps]);
        const actual = await runScript(server.port, [[99, "FLUSHALL"], ...steps]);
        expect({ name, replies: actual }).toEqual({ name, replies: expected });
      }
    },
    60_000,
  );

  it("wakes XREAD BLOCK with an XADD from another ioredis client", async () => {
    const server = await startServer();
    const [reader, writer] = [ioredis(server.port), ioredis(server.port)];
    const read = reader.xread("BLOCK", 0, "STREAMS", "s", "$");
    await blockedClients(server, 1);
    await writer.xadd("s", "1-1", "a", "1");
    expect(await read).toEqual([["s", [["1-1", ["a", "1"]]]]]);
    expect(server.state.blocking.blockedCount).toBe(0);
  });

  it("times out after the BLOCK milliseconds with a nil", async () => {
    const server = await startServer();
    const reader = ioredis(server.port);
    const started = Date.now();
    expect(await reader.xread("BLOCK", 80, "STREAMS", "s", "$")).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
    expect(
      await reader
        .xreadgroup("GROUP", "g", "c", "BLOCK", 10, "STREAMS", "s", ">")
        .catch((e: Error) => e.message),
    ).toMatch(/^NOGROUP/);
  });

  it("does not block inside MULTI", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    await client.xgroup("CREATE", "s", "g", "$", "MKSTREAM");
    const results = await client
      .multi()
      .xread("BLOCK", 0, "STREAMS", "s", "$")
      .xreadgroup("GROUP", "g", "c", "BLOCK", 0, "STREAMS", "s", ">")
      .exec();
    expect(results).toEqual([
      [null, null],
      [null, null],
    ]);
    expect(server.state.blocking.blockedCount).toBe(0);
  });

  it("forgets a blocked client that disconnects", async () => {
    const server = await startServer();
    const [reader, writer] = [ioredis(server.port), ioredis(server.port)];
    await writer.xgroup("CREATE", "s", "g", "$", "MKSTREAM");
    reader.xreadgroup("GROUP", "g", "c", "BLOCK", 0, "STREAMS", "s", ">").catch(() => {});
    await blockedClients(server, 1);
    reader.disconnect();
    await blockedClients(server, 0);
    await writer.xadd("s", "1-1", "a", "1");
    expect(await writer.xpending("s", "g")).toEqual([0, null, null, null]);
  });
});
