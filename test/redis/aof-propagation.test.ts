/** What each command logs: its argv, what its handler asked for, or nothing. */
import { describe, expect, it } from "vitest";
import type { LoggedCommand } from "../../src/redis/aof/encoding.js";
import { Propagation } from "../../src/redis/aof/propagation.js";
import type { BlockedState } from "../../src/redis/client.js";
import { allCommands } from "../../src/redis/commands/index.js";
import { type CommandFlag, command } from "../../src/redis/commands/spec.js";
import { aofPath, nextTurn, parseAof, readAof, startAofServer } from "./aof-helpers.js";
import { ioredis } from "./helpers.js";

const spec = (name: string, flags: CommandFlag[]) =>
  command({ name, arity: -1, flags, keys: [1, 1, 1], group: "test", since: "7.0.0", summary: "" });
const SET = spec("set", ["write"]);
const GET = spec("get", ["readonly"]);
const EXEC = spec("exec", []);

function recorder() {
  const units: { commands: LoggedCommand[]; atomic: boolean }[] = [];
  const before: string[] = [];
  const propagation = new Propagation();
  propagation.sink = {
    beforeWrite: (s, _db, argv) => before.push(`${s.name} ${argv.slice(1).join(" ")}`),
    append: (commands, atomic) => units.push({ commands, atomic }),
  };
  /** Runs a fake command: `change` counts as a data change, `body` may call record(). */
  const run = (s = SET, argv = ["SET", "k", "v"], change = true, body = () => {}) => {
    propagation.enter(s, 0, argv);
    if (change) propagation.dirty++;
    body();
    propagation.leave(s, 0, argv);
  };
  return { propagation, units, before, run };
}

describe("Propagation", () => {
  it("logs a write command that changed data as its argv, and nothing else", () => {
    const { units, before, run } = recorder();
    run();
    run(SET, ["SET", "k", "v", "NX"], false);
    run(GET, ["GET", "k"], true);
    expect(units).toEqual([{ commands: [{ db: 0, argv: ["SET", "k", "v"] }], atomic: false }]);
    expect(before).toEqual(["set k v", "set k v NX"]);
  });

  it("logs what the handler recorded instead of the argv; an empty record logs nothing", () => {
    const { propagation, units, run } = recorder();
    run(SET, ["SPOP", "s"], true, () => propagation.record(3, [["SREM", "s", "a"]]));
    run(SET, ["X", "k"], true, () => propagation.record(0, []));
    run(SET, ["LMPOP"], true, () =>
      propagation.record(0, [
        ["LPOP", "a"],
        ["LPOP", "b"],
      ]),
    );
    expect(units).toEqual([
      { commands: [{ db: 3, argv: ["SREM", "s", "a"] }], atomic: false },
      {
        commands: [
          { db: 0, argv: ["LPOP", "a"] },
          { db: 0, argv: ["LPOP", "b"] },
        ],
        atomic: true,
      },
    ]);
  });

  it("logs the writes of one EXEC as one unit, wrapped in MULTI/EXEC only when there are several", () => {
    const { propagation, units, run } = recorder();
    const exec = (inner: () => void) => {
      propagation.enter(EXEC, 0, ["EXEC"]);
      inner();
      propagation.leave(EXEC, 0, ["EXEC"]);
    };
    exec(() => {
      run(SET, ["SET", "a", "1"]);
      run(GET, ["GET", "a"], false);
      run(SET, ["SET", "b", "2"]);
    });
    exec(() => run(SET, ["SET", "c", "3"]));
    exec(() => run(GET, ["GET", "c"], false));
    expect(units.map((unit) => [unit.commands.map((c) => c.argv[1]), unit.atomic])).toEqual([
      [["a", "b"], true],
      [["c"], false],
    ]);
  });

  it("logs a key deleted by expiry as a DEL of its own, before the command that found it", () => {
    const { propagation, units, run } = recorder();
    run(SET, ["SET", "k", "v"], true, () => propagation.expired(2, "k"));
    expect(units).toEqual([
      { commands: [{ db: 2, argv: ["DEL", "k"] }], atomic: false },
      { commands: [{ db: 0, argv: ["SET", "k", "v"] }], atomic: false },
    ]);
  });

  it("logs a blocked command when it is served: its record, or else its argv if it changed data", () => {
    const { propagation, units } = recorder();
    const BLPOP = spec("blpop", ["write", "blocking"]);
    const blocked = (serve: (key: string) => boolean): BlockedState => ({
      dbIndex: 0,
      keys: ["l"],
      serve,
      timeout: () => {},
      timer: undefined,
    });
    const quiet = blocked(() => false);
    const popping = blocked(() => {
      propagation.dirty++;
      return true;
    });
    const recording = blocked(() => {
      propagation.dirty++;
      propagation.record(0, [["LPOP", "l"]]);
      return true;
    });
    for (const state of [quiet, popping, recording]) {
      propagation.whenServed(state, BLPOP, 0, ["BLPOP", "l", "0"]);
    }
    expect([quiet.serve("l"), popping.serve("l"), recording.serve("l")]).toEqual([false, true, true]);
    expect(units.map((unit) => unit.commands[0]?.argv)).toEqual([
      ["BLPOP", "l", "0"],
      ["LPOP", "l"],
    ]);
  });

  it("records nothing and costs nothing without a sink", () => {
    const propagation = new Propagation();
    expect(propagation.active).toBe(false);
    propagation.record(0, [["SET", "k", "v"]]);
    propagation.expired(0, "k");
  });
});

const has = (name: string) => allCommands().some((spec) => spec.name === name);

describe("propagation through the server", () => {
  it.skipIf(!has("exec"))("logs a transaction with several writes as MULTI … EXEC", async () => {
    const file = aofPath();
    const { server } = await startAofServer(file);
    const client = ioredis(server.port);
    await client.multi().set("a", "1").get("a").incr("a").exec();
    await client.multi().set("b", "1").get("b").exec();
    await nextTurn();
    expect(parseAof(readAof(file))).toEqual([
      ["SELECT", "0"],
      ["MULTI"],
      ["set", "a", "1"],
      ["incr", "a"],
      ["EXEC"],
      ["set", "b", "1"],
    ]);
  });

  it.skipIf(!has("blpop"))(
    "logs a blocked pop when it is served, so a replay gives the same lists",
    async () => {
      const file = aofPath();
      const { server } = await startAofServer(file);
      const waiting = ioredis(server.port);
      const pusher = ioredis(server.port);
      const popped = waiting.blpop("l", 0);
      const moved = ioredis(server.port).blmove("src", "dst", "LEFT", "RIGHT", 0);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await pusher.rpush("l", "a", "b");
      await pusher.rpush("src", "x", "y");
      expect(await popped).toEqual(["l", "a"]);
      expect(await moved).toBe("x");
      await server.stop();
      const again = await startAofServer(file);
      const client = ioredis(again.server.port);
      expect(await client.lrange("l", 0, -1)).toEqual(["b"]);
      expect(await client.lrange("src", 0, -1)).toEqual(["y"]);
      expect(await client.lrange("dst", 0, -1)).toEqual(["x"]);
    },
  );
});
