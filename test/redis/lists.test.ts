import { describe, expect, it } from "vitest";
import { ListValue } from "../../src/redis/types/list.js";
import { ioredis, rawExchange, resp, startServer } from "./helpers.js";

/** Sends `commands` (one array of arguments each) over raw RESP2 and returns the raw reply bytes. */
async function raw(port: number, ...commands: string[][]): Promise<string> {
  const { reply } = await rawExchange(port, Buffer.concat(commands.map((argv) => resp(...argv))));
  return reply;
}

const WRONGTYPE = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

describe("ListValue, the ring buffer behind lists", () => {
  it("matches a plain array through random pushes, pops, inserts, removals and trims", () => {
    const list = new ListValue();
    const model: string[] = [];
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let step = 0; step < 20_000; step++) {
      const value = String(random(8));
      const op = random(10);
      if (op < 3) {
        list.pushBack(value);
        model.push(value);
      } else if (op < 5) {
        list.pushFront(value);
        model.unshift(value);
      } else if (op === 5) expect(list.popFront()).toBe(model.shift());
      else if (op === 6) expect(list.popBack()).toBe(model.pop());
      else if (op === 7) {
        const at = random(model.length + 1);
        list.insertAt(at, value);
        model.splice(at, 0, value);
      } else if (op === 8) {
        const count = random(5) - 2;
        const expected = removeFromModel(model, value, count);
        expect(list.removeMatching(value, count)).toBe(expected);
      } else if (model.length > 0 && random(4) === 0) {
        const head = random(3);
        const tail = random(3);
        list.trim(head, tail);
        model.splice(0, head);
        model.splice(Math.max(0, model.length - tail), tail);
      }
      expect(list.size).toBe(model.length);
    }
    expect(Array.from({ length: list.size }, (_, i) => list.at(i))).toEqual(model);
  });

  it("wraps around, grows, shrinks after pops, and answers undefined outside its range", () => {
    const list = new ListValue();
    for (let i = 0; i < 3; i++) list.pushBack(`b${i}`);
    for (let i = 0; i < 3; i++) list.pushFront(`f${i}`);
    expect(Array.from({ length: 6 }, (_, i) => list.at(i))).toEqual(["f2", "f1", "f0", "b0", "b1", "b2"]);
    expect(list.at(-1)).toBeUndefined();
    expect(list.at(6)).toBeUndefined();
    for (let i = 0; i < 10_000; i++) list.pushBack(String(i));
    while (list.size > 2) list.popFront();
    expect([list.at(0), list.at(1)]).toEqual(["9998", "9999"]);
    expect(list.popBack()).toBe("9999");
    expect(list.popBack()).toBe("9998");
    expect(list.popBack()).toBeUndefined();
    expect(list.popFront()).toBeUndefined();
  });

  it("clones deeply and reports quicklist, as Redis 7.0 does for every list", () => {
    const list = new ListValue();
    list.pushBack("a");
    const copy = list.clone();
    copy.pushBack("b");
    copy.setAt(0, "z");
    expect([list.size, list.at(0)]).toEqual([1, "a"]);
    expect([copy.size, copy.at(0), copy.at(1)]).toEqual([2, "z", "b"]);
    expect(list.encoding()).toBe("quicklist");
  });

  it("describes itself as RPUSH commands of at most 64 elements for the AOF rewrite", () => {
    const list = new ListValue();
    for (let i = 0; i < 130; i++) list.pushBack(`e${i}`);
    list.pushFront("first");
    const commands = list.toCommands("k");
    expect(commands.map((command) => command.length - 2)).toEqual([64, 64, 3]);
    expect(commands.flatMap((command) => command.slice(2))).toEqual([
      "first",
      ...Array.from({ length: 130 }, (_, i) => `e${i}`),
    ]);
    expect(commands.every(([name, key]) => name === "RPUSH" && key === "k")).toBe(true);
  });
});

function removeFromModel(model: string[], value: string, count: number): number {
  let removed = 0;
  const limit = count === 0 ? Number.POSITIVE_INFINITY : Math.abs(count);
  if (count >= 0) {
    for (let i = 0; i < model.length && removed < limit; ) {
      if (model[i] === value) {
        model.splice(i, 1);
        removed++;
      } else i++;
    }
  } else {
    for (let i = model.length - 1; i >= 0 && removed < limit; i--) {
      if (model[i] === value) {
        model.splice(i, 1);
        removed++;
      }
    }
  }
  return removed;
}

describe("list commands", () => {
  it("pushes at both ends, with and without an existing list (ioredis, RESP3)", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    expect(await client.lpushx("l", "x")).toBe(0);
    expect(await client.exists("l")).toBe(0);
    expect(await client.lpush("l", "b", "a")).toBe(2);
    expect(await client.rpush("l", "c", "d")).toBe(4);
    expect(await client.lpushx("l", "0")).toBe(5);
    expect(await client.rpushx("l", "e", "f")).toBe(7);
    expect(await client.lrange("l", 0, -1)).toEqual(["0", "a", "b", "c", "d", "e", "f"]);
    expect(await client.llen("l")).toBe(7);
    expect(await client.type("l")).toBe("list");
    expect(await client.object("ENCODING", "l")).toBe("quicklist");
  });

  it("pops one or a count of elements and deletes the emptied key", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    await client.rpush("l", "a", "b", "c", "d", "e");
    expect(await client.lpop("l")).toBe("a");
    expect(await client.rpop("l")).toBe("e");
    expect(await client.lpop("l", 2)).toEqual(["b", "c"]);
    expect(await client.lpop("l", 0)).toEqual([]);
    expect(await client.rpop("l", 10)).toEqual(["d"]);
    expect(await client.exists("l")).toBe(0);
    expect(await client.lpop("l")).toBeNull();
    expect(await client.rpop("l", 2)).toBeNull();
  });

  it("answers nils, empty arrays and nil arrays as RESP2 does", async () => {
    const server = await startServer();
    const reply = await raw(
      server.port,
      ["LPOP", "l"],
      ["LPOP", "l", "2"],
      ["LRANGE", "l", "0", "-1"],
      ["LINDEX", "l", "0"],
      ["LPOS", "l", "a"],
      ["LPOS", "l", "a", "COUNT", "0"],
      ["LMPOP", "1", "l", "LEFT"],
      ["LMOVE", "l", "m", "LEFT", "LEFT"],
      ["RPUSH", "l", "a"],
      ["LPOP", "l", "0"],
    );
    expect(reply).toBe("$-1\r\n*-1\r\n*0\r\n$-1\r\n$-1\r\n*0\r\n*-1\r\n$-1\r\n:1\r\n*0\r\n");
  });

  it("reads ranges and single elements with negative and out-of-range indexes", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    await client.rpush("l", "a", "b", "c", "d", "e");
    expect(await client.lrange("l", -2, -1)).toEqual(["d", "e"]);
    expect(await client.lrange("l", -100, 1)).toEqual(["a", "b"]);
    expect(await client.lrange("l", 3, 100)).toEqual(["d", "e"]);
    expect(await client.lrange("l", 3, 2)).toEqual([]);
    expect(await client.lrange("l", 5, 9)).toEqual([]);
    expect(await client.lrange("missing", 0, -1)).toEqual([]);
    expect(await client.lindex("l", 0)).toBe("a");
    expect(await client.lindex("l", -1)).toBe("e");
    expect(await client.lindex("l", 5)).toBeNull();
    expect(await client.lindex("l", -6)).toBeNull();
  });

  it("sets, removes, trims and inserts", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    await client.rpush("l", "a", "b", "a", "c", "a");
    expect(await client.lset("l", -1, "z")).toBe("OK");
    expect(await client.lrem("l", 1, "a")).toBe(1);
    expect(await client.lrange("l", 0, -1)).toEqual(["b", "a", "c", "z"]);
    expect(await client.linsert("l", "BEFORE", "c", "x")).toBe(5);
    expect(await client.linsert("l", "AFTER", "z", "y")).toBe(6);
    expect(await client.linsert("l", "AFTER", "nope", "y")).toBe(-1);
    expect(await client.linsert("missing", "AFTER", "a", "y")).toBe(0);
    expect(await client.lrange("l", 0, -1)).toEqual(["b", "a", "x", "c", "z", "y"]);
    expect(await client.ltrim("l", 1, -2)).toBe("OK");
    expect(await client.lrange("l", 0, -1)).toEqual(["a", "x", "c", "z"]);
    expect(await client.lrem("l", -10, "x")).toBe(1);
    expect(await client.ltrim("l", 9, 10)).toBe("OK");
    expect(await client.exists("l")).toBe(0);
  });

  it("finds positions with RANK, COUNT and MAXLEN", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    await client.rpush("l", "a", "b", "c", "a", "b", "c", "a");
    expect(await client.lpos("l", "a")).toBe(0);
    expect(await client.lpos("l", "a", "RANK", -1)).toBe(6);
    expect(await client.lpos("l", "a", "RANK", 2)).toBe(3);
    expect(await client.lpos("l", "a", "COUNT", 0)).toEqual([0, 3, 6]);
    expect(await client.lpos("l", "a", "RANK", -1, "COUNT", 2)).toEqual([6, 3]);
    expect(await client.lpos("l", "c", "MAXLEN", 2)).toBeNull();
    expect(await client.lpos("l", "zz", "COUNT", 1)).toEqual([]);
    expect(await client.lpos("missing", "a")).toBeNull();
  });

  it("moves elements between lists and rotates one list", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    await client.rpush("src", "a", "b", "c");
    expect(await client.lmove("src", "dst", "LEFT", "RIGHT")).toBe("a");
    expect(await client.rpoplpush("src", "dst")).toBe("c");
    expect(await client.lmove("dst", "dst", "LEFT", "RIGHT")).toBe("c");
    expect(await client.lrange("dst", 0, -1)).toEqual(["a", "c"]);
    expect(await client.lmove("src", "src", "RIGHT", "LEFT")).toBe("b");
    expect(await client.lrange("src", 0, -1)).toEqual(["b"]);
    expect(await client.lmove("missing", "dst", "LEFT", "LEFT")).toBeNull();
  });

  it("pops from the first non-empty of several lists with LMPOP", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    await client.rpush("b", "1", "2", "3");
    expect(await client.lmpop(2, "a", "b", "RIGHT", "COUNT", 2)).toEqual(["b", ["3", "2"]]);
    expect(await client.lmpop(2, "a", "b", "LEFT", "COUNT", 9)).toEqual(["b", ["1"]]);
    expect(await client.lmpop(2, "a", "b", "LEFT")).toBeNull();
  });

  it("keeps elements byte-exact", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await client.rpush(Buffer.from([0xff, 0x00]), bytes, Buffer.alloc(0));
    const range = await client.lrangeBuffer(Buffer.from([0xff, 0x00]), 0, -1);
    expect(range.map((b) => b.toString("hex"))).toEqual([bytes.toString("hex"), ""]);
    expect(await client.lpos(Buffer.from([0xff, 0x00]), bytes)).toBe(0);
  });

  it("copies a list deeply", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    await client.rpush("l", "a");
    expect(await client.copy("l", "c")).toBe(1);
    await client.rpush("c", "b");
    expect(await client.lrange("l", 0, -1)).toEqual(["a"]);
    expect(await client.lrange("c", 0, -1)).toEqual(["a", "b"]);
  });

  it("refuses another type with WRONGTYPE in every command", async () => {
    const server = await startServer();
    const commands = [
      ["LPUSH", "s", "a"],
      ["RPUSH", "s", "a"],
      ["LPUSHX", "s", "a"],
      ["RPUSHX", "s", "a"],
      ["LPOP", "s"],
      ["RPOP", "s", "2"],
      ["LLEN", "s"],
      ["LRANGE", "s", "0", "-1"],
      ["LINDEX", "s", "0"],
      ["LSET", "s", "0", "a"],
      ["LREM", "s", "0", "a"],
      ["LTRIM", "s", "0", "1"],
      ["LINSERT", "s", "BEFORE", "a", "b"],
      ["LPOS", "s", "a"],
      ["LMOVE", "s", "d", "LEFT", "LEFT"],
      ["RPOPLPUSH", "s", "d"],
      ["LMPOP", "1", "s", "LEFT"],
      ["BLPOP", "s", "0"],
      ["BRPOP", "missing", "s", "0"],
      ["BLMOVE", "s", "d", "LEFT", "LEFT", "0"],
      ["BRPOPLPUSH", "s", "d", "0"],
      ["BLMPOP", "0", "1", "s", "LEFT"],
    ];
    const reply = await raw(server.port, ["SET", "s", "v"], ...commands, ["GET", "s"]);
    expect(reply).toBe(`+OK\r\n${WRONGTYPE.repeat(commands.length)}$1\r\nv\r\n`);
  });

  it("replies Redis's error texts", async () => {
    const server = await startServer();
    const reply = await raw(
      server.port,
      ["RPUSH", "l", "a"],
      ["LPOP", "l", "-1"],
      ["LPOP", "l", "1", "2"],
      ["LRANGE", "l", "x", "1"],
      ["LSET", "missing", "0", "a"],
      ["LSET", "l", "9", "a"],
      ["LINSERT", "l", "MIDDLE", "a", "b"],
      ["LPOS", "l", "a", "RANK", "0"],
      ["LPOS", "l", "a", "COUNT", "-1"],
      ["LPOS", "l", "a", "MAXLEN", "-1"],
      ["LPOS", "l", "a", "FOO", "1"],
      ["LMOVE", "l", "d", "UP", "LEFT"],
      ["LMPOP", "0", "l", "LEFT"],
      ["LMPOP", "1", "l", "LEFT", "COUNT", "0"],
      ["BLPOP", "l", "x"],
      ["BLPOP", "l", "-1"],
      ["LPUSH", "l"],
    );
    expect(reply.split("\r\n").slice(0, -1)).toEqual([
      ":1",
      "-ERR value is out of range, must be positive",
      "-ERR wrong number of arguments for 'lpop' command",
      "-ERR value is not an integer or out of range",
      "-ERR no such key",
      "-ERR index out of range",
      "-ERR syntax error",
      "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
      "-ERR COUNT can't be negative",
      "-ERR MAXLEN can't be negative",
      "-ERR syntax error",
      "-ERR syntax error",
      "-ERR numkeys should be greater than 0",
      "-ERR count should be greater than 0",
      "-ERR timeout is not a float or out of range",
      "-ERR timeout is negative",
      "-ERR wrong number of arguments for 'lpush' command",
    ]);
  });

  it("pushes and pops at both ends of a long list", async () => {
    const server = await startServer();
    const client = ioredis(server.port);
    const batch = client.pipeline();
    for (let i = 0; i < 200; i++) {
      batch.rpush("l", ...Array.from({ length: 500 }, (_, j) => String(i * 500 + j)));
    }
    await batch.exec();
    expect(await client.llen("l")).toBe(100_000);
    expect(await client.lindex("l", 77_777)).toBe("77777");
    expect(await client.lrange("l", -2, -1)).toEqual(["99998", "99999"]);
    const pops = client.pipeline();
    for (let i = 0; i < 20_000; i++) pops.lpush("l", `x${i}`).rpop("l");
    await pops.exec();
    expect(await client.lrange("l", 0, 1)).toEqual(["x19999", "x19998"]);
    expect(await client.lindex("l", -1)).toBe("79999");
    expect(await client.llen("l")).toBe(100_000);
  });
});
