import { describe, expect, it } from "vitest";
import { timeoutArg } from "../../src/redis/commands/args.js";
import { listpackScoreText, scoreArg, scoreRangeArgs, strtod } from "../../src/redis/commands/zsets-args.js";
import { SortedSet } from "../../src/redis/types/zset.js";

/** A tiny deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

type Entry = [member: string, score: number];
const order = (a: Entry, b: Entry) =>
  a[1] - b[1] !== 0 ? a[1] - b[1] : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;

function contents(zset: SortedSet): Entry[] {
  const out: Entry[] = [];
  for (let node = zset.first; node !== undefined; node = node.forward) out.push([node.member, node.score]);
  return out;
}

function backwards(zset: SortedSet): Entry[] {
  const out: Entry[] = [];
  for (let node = zset.last; node !== undefined; node = node.backward) out.push([node.member, node.score]);
  return out;
}

describe("SortedSet, the skiplist behind sorted sets", () => {
  it("matches a sorted array through random adds, score changes and removals, ranks included", () => {
    const next = random(7);
    const zset = new SortedSet(false);
    const model = new Map<string, number>();
    for (let step = 0; step < 4000; step++) {
      const member = `m${Math.floor(next() * 600)}`;
      const score = Math.floor(next() * 50) / 2;
      const current = model.get(member);
      const roll = next();
      if (current === undefined) {
        zset.add(member, score);
        model.set(member, score);
      } else if (roll < 0.5) {
        if (score !== current) zset.setScore(member, current, score);
        model.set(member, score);
      } else {
        expect(zset.remove(member)).toBe(true);
        model.delete(member);
      }
    }
    const sorted = [...model.entries()].sort(order);
    expect(contents(zset)).toEqual(sorted);
    expect(backwards(zset)).toEqual([...sorted].reverse());
    expect(zset.size).toBe(sorted.length);
    for (const [rank, [member, score]] of sorted.entries()) {
      expect(zset.rank(member)).toBe(rank);
      expect(zset.rank(member, true)).toBe(sorted.length - 1 - rank);
      expect(zset.at(rank)?.member).toBe(member);
      expect(zset.score(member)).toBe(score);
    }
    expect(zset.at(sorted.length)).toBeUndefined();
    expect(zset.rank("absent")).toBeUndefined();
    expect(zset.remove("absent")).toBe(false);
  });

  it("finds score ranges and counts them like a linear scan", () => {
    const next = random(11);
    const zset = new SortedSet(false);
    for (let i = 0; i < 500; i++) zset.add(`m${i}`, Math.floor(next() * 100));
    const all = contents(zset);
    for (let trial = 0; trial < 300; trial++) {
      const a = Math.floor(next() * 110) - 5;
      const b = Math.floor(next() * 110) - 5;
      const range = { min: a, max: b, minExclusive: next() < 0.5, maxExclusive: next() < 0.5 };
      const inside = all.filter(
        ([, s]) => (range.minExclusive ? s > a : s >= a) && (range.maxExclusive ? s < b : s <= b),
      );
      expect(zset.countInRange(range)).toBe(inside.length);
      expect(zset.firstInRange(range)?.member).toBe(inside[0]?.[0]);
      expect(zset.lastInRange(range)?.member).toBe(inside.at(-1)?.[0]);
    }
  });

  it("deletes by rank, score and lex range, keeping ranks right", () => {
    const zset = new SortedSet(false);
    for (let i = 0; i < 300; i++) zset.add(`k${String(i).padStart(3, "0")}`, i % 3 === 0 ? 0 : i);
    expect(zset.deleteRangeByRank(10, 19)).toBe(10);
    const inScores = contents(zset).filter(([, score]) => score > 100 && score <= 150).length;
    expect(inScores).toBe(33);
    expect(zset.deleteRangeByScore({ min: 100, max: 150, minExclusive: true, maxExclusive: false })).toBe(33);
    const lex = {
      min: { value: "", exclusive: true, infinity: -1 as const },
      max: { value: "k050", exclusive: false, infinity: 0 as const },
    };
    const zeros = contents(zset).filter(([member, score]) => score === 0 && member <= "k050").length;
    expect(zset.deleteRangeByLex(lex)).toBe(zeros);
    const left = contents(zset);
    expect(zset.size).toBe(left.length);
    for (const [rank, [member]] of left.entries()) expect(zset.rank(member)).toBe(rank);
  });

  it("stays a listpack up to 128 members of at most 64 bytes, then becomes a skiplist for good", () => {
    const zset = new SortedSet();
    for (let i = 0; i < 128; i++) zset.add(`m${i}`, i);
    expect(zset.encoding()).toBe("listpack");
    zset.add("one-more", 0);
    expect(zset.encoding()).toBe("skiplist");
    for (let i = 0; i < 120; i++) zset.remove(`m${i}`);
    expect(zset.encoding()).toBe("skiplist");
    const long = new SortedSet();
    long.add("x".repeat(64), 1);
    expect(long.encoding()).toBe("listpack");
    long.add("y".repeat(65), 2);
    expect(long.encoding()).toBe("skiplist");
    expect(SortedSet.forFirstMember("z".repeat(65)).encoding()).toBe("skiplist");
  });

  it("stores -0 as 0 while a listpack, as Redis's listpack keeps the integer 0", () => {
    const compact = new SortedSet();
    compact.add("a", -0);
    expect(Object.is(compact.score("a"), 0)).toBe(true);
    const big = new SortedSet(false);
    big.add("a", -0);
    expect(Object.is(big.score("a"), -0)).toBe(true);
    big.compactIfSmall();
    expect(big.encoding()).toBe("listpack");
    expect(Object.is(big.score("a"), 0)).toBe(true);
  });

  it("clones deeply, keeping the encoding", () => {
    const zset = new SortedSet(false);
    zset.add("a", 1);
    zset.add("b", 2);
    const copy = zset.clone();
    copy.add("c", 3);
    zset.remove("a");
    expect(contents(copy)).toEqual([
      ["a", 1],
      ["b", 2],
      ["c", 3],
    ]);
    expect(copy.encoding()).toBe("skiplist");
    expect(contents(zset)).toEqual([["b", 2]]);
  });

  it("describes itself as ZADD commands of at most 64 members for the AOF rewrite", () => {
    const zset = new SortedSet(false);
    for (let i = 0; i < 130; i++) zset.add(`m${i}`, i / 10);
    const commands = zset.toCommands("k");
    expect(commands.map((c) => c.length)).toEqual([130, 130, 6]);
    expect(commands[0]?.slice(0, 6)).toEqual(["ZADD", "k", "0", "m0", "0.10000000000000001", "m1"]);
  });
});

describe("sorted-set argument parsing", () => {
  it("reads scores as C's strtod and getDoubleFromObject do", () => {
    expect(scoreArg("0x10")).toBe(16);
    expect(scoreArg("0x1p-2")).toBe(0.25);
    expect(scoreArg("-infinity")).toBe(-Infinity);
    expect(scoreArg("+INF")).toBe(Infinity);
    expect(scoreArg("5.")).toBe(5);
    expect(scoreArg(".5e1")).toBe(5);
    expect(scoreArg("1e-310")).toBeGreaterThan(0);
    for (const bad of ["", " 1", "1 ", "nan", "1e999", "1e-400", "0x", "1e", "--1", "inf1"]) {
      expect(() => scoreArg(bad), bad).toThrow("ERR value is not a valid float");
    }
    expect(() => scoreArg("x", "weight value is not a float")).toThrow("ERR weight value is not a float");
    expect(strtod(" 12abc")).toEqual({ value: 12, end: 3, outOfRange: false });
    expect(strtod("abc").end).toBe(0);
  });

  it("reads range bounds as zslParseRange does: '(' exclusive, spaces and an empty number allowed", () => {
    expect(scoreRangeArgs("(1", "+inf")).toEqual({
      min: 1,
      minExclusive: true,
      max: Infinity,
      maxExclusive: false,
    });
    expect(scoreRangeArgs("(", "")).toEqual({ min: 0, minExclusive: true, max: 0, maxExclusive: false });
    expect(scoreRangeArgs(" 5", "1e999").min).toBe(5);
    expect(() => scoreRangeArgs("nan", "1")).toThrow("ERR min or max is not a float");
    expect(() => scoreRangeArgs("1", "2 ")).toThrow("ERR min or max is not a float");
  });

  it("reads timeouts as seconds rounded up to milliseconds, with Redis's overflow quirks", () => {
    expect(timeoutArg("0")).toBe(0);
    expect(timeoutArg("0.0001")).toBe(1);
    expect(timeoutArg("1.5")).toBe(1500);
    expect(timeoutArg("-0.0001")).toBe(0);
    expect(timeoutArg("1e-400")).toBe(1);
    for (const negative of ["-1", "inf", "-inf", "1e400", "9223372036854775807"]) {
      expect(() => timeoutArg(negative), negative).toThrow("ERR timeout is negative");
    }
    for (const bad of ["abc", "nan", " 1", "", "1e5000"]) {
      expect(() => timeoutArg(bad), bad).toThrow("ERR timeout is not a float or out of range");
    }
  });

  it("prints listpack scores as integers when exact within 2^62, else as %.17g", () => {
    expect(listpackScoreText(1e17)).toBe("100000000000000000");
    expect(listpackScoreText(2 ** 62)).toBe("4611686018427387904");
    expect(listpackScoreText(2 ** 63)).toBe("9.2233720368547758e+18");
    expect(listpackScoreText(-0)).toBe("0");
    expect(listpackScoreText(0.1)).toBe("0.10000000000000001");
    expect(listpackScoreText(-Infinity)).toBe("-inf");
  });
});
