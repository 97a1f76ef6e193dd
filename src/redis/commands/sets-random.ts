import { err, syntaxError } from "../errors.js";
import { parseInteger } from "../resp/numbers.js";
import type { SetValue } from "../types/set.js";
import { randomCountArg, randomDistinct } from "./random-picks.js";
import { setAt, setCommand } from "./sets-common.js";
import type { CommandContext, CommandSpec } from "./spec.js";

/** Members per logged SREM when SPOP takes several (Redis 7.2 batches the same way). */
const SREM_BATCH = 1024;

/** SPOP key [count]: removes random members, logged as SREMs (or a DEL when all go). */
function spop(ctx: CommandContext, argv: string[]): void {
  if (argv.length > 3) throw syntaxError();
  if (argv.length === 3) return spopCount(ctx, argv[1] as string, argv[2] as string);
  const key = argv[1] as string;
  const set = setAt(ctx, key);
  if (!set) return ctx.reply.nil();
  const member = set.random();
  set.remove(member);
  ctx.reply.bulk(member);
  ctx.db.changed(key, set);
  ctx.propagate(["SREM", key, member]);
}

function spopCount(ctx: CommandContext, key: string, countText: string): void {
  const count = parseInteger(countText);
  if (count === undefined || count < 0) throw err("value is out of range, must be positive");
  const set = setAt(ctx, key);
  if (!set || count === 0) return ctx.reply.set(0);
  if (count >= set.size) {
    // Everything, in the set's order (sorted for an intset), and the key goes.
    const members = set.values();
    ctx.reply.set(members.length);
    for (const member of members) ctx.reply.bulk(member);
    ctx.db.delete(key);
    return ctx.propagate(["DEL", key]);
  }
  const picked = randomDistinct(set.size, count).map((position) => set.at(position));
  ctx.reply.set(picked.length);
  for (const member of picked) {
    set.remove(member);
    ctx.reply.bulk(member);
  }
  ctx.db.changed(key, set);
  const logged: string[][] = [];
  for (let i = 0; i < picked.length; i += SREM_BATCH) {
    logged.push(["SREM", key, ...picked.slice(i, i + SREM_BATCH)]);
  }
  ctx.propagate(...logged);
}

/**
 * SRANDMEMBER key [count]: a negative count may repeat members; a positive one gives distinct
 * members, the whole set in its own order when count ≥ size. Arrays, even in RESP3 (as 7.0 answers).
 */
function srandmember(ctx: CommandContext, argv: string[]): void {
  if (argv.length > 3) throw syntaxError();
  const key = argv[1] as string;
  if (argv.length === 2) return ctx.reply.bulk(setAt(ctx, key)?.random());
  const count = randomCountArg(argv[2] as string);
  const set = setAt(ctx, key);
  if (!set || count === 0n) return ctx.reply.array(0);
  if (count < 0n) return withRepeats(ctx, set, -count);
  if (count >= BigInt(set.size)) {
    ctx.reply.bulks(set.values());
    return;
  }
  const positions = randomDistinct(set.size, Number(count));
  ctx.reply.array(positions.length);
  for (const position of positions) ctx.reply.bulk(set.at(position));
}

/**
 * `count` random picks that may repeat. The reply can be huge (Redis goes on until its output limit
 * closes the client): past our output limit the client is disconnected.
 */
function withRepeats(ctx: CommandContext, set: SetValue, count: bigint): void {
  const reply = ctx.reply;
  reply.raw(`*${count}\r\n`);
  const limit = reply.written + ctx.server.options.maxOutputBuffer;
  // Numbers are exact far beyond what the output limit lets through.
  const picks = Number(count);
  for (let i = 0; i < picks; i++) {
    reply.bulk(set.random());
    if (reply.written > limit) return ctx.server.disconnect(ctx.client);
  }
}

export const setRandomCommands: CommandSpec[] = [
  setCommand(
    "spop",
    -2,
    ["write", "fast"],
    "1.0.0",
    "Remove and return one or multiple random members from a set",
    "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.",
    spop,
  ),
  setCommand(
    "srandmember",
    -2,
    ["readonly"],
    "1.0.0",
    "Get one or multiple random members from a set",
    "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.",
    srandmember,
  ),
];
