import { err, notInteger, syntaxError } from "../errors.js";
import { parseInt64 } from "../resp/numbers.js";
import type { SortedSet, ZNode } from "../types/zset.js";
import { is } from "./args.js";
import type { CommandContext } from "./spec.js";
import { scoredEntry } from "./zsets-common.js";

const LONG_MAX = 2n ** 63n - 1n;
/** Past count × 3 > size, Redis copies the set and drops random members instead of picking some. */
const SUB_STRATEGY_MUL = 3;

/** ZRANDMEMBER key [count [WITHSCORES]]. */
export function zrandmember(ctx: CommandContext, argv: string[]): void {
  const key = argv[1] as string;
  if (argv.length === 2) {
    const zset = ctx.db.getTyped<SortedSet>(key, "zset");
    if (!zset) return ctx.reply.nil();
    return ctx.reply.bulk(zset.random().member);
  }
  const count = parseInt64(argv[2] as string);
  if (count === undefined) throw notInteger();
  if (count < -LONG_MAX) {
    throw err("value is out of range, value must between -9223372036854775807 and 9223372036854775807");
  }
  if (argv.length > 4 || (argv.length === 4 && !is(argv[3], "withscores"))) throw syntaxError();
  const withScores = argv.length === 4;
  if (withScores && (count < -LONG_MAX / 2n || count > LONG_MAX / 2n)) throw err("value is out of range");
  const zset = ctx.db.getTyped<SortedSet>(key, "zset");
  if (!zset || count === 0n) return ctx.reply.array(0);
  if (count < 0n || count === 1n) return withRepeats(ctx, zset, count < 0n ? -count : count, withScores);
  const size = zset.size;
  if (count >= BigInt(size)) return everything(ctx, zset, withScores);
  const wanted = Number(count);
  const picked =
    wanted * SUB_STRATEGY_MUL > size || zset.isCompact ? sample(zset, wanted) : pickDistinct(zset, wanted);
  ctx.reply.array(withScores && ctx.reply.resp === 2 ? wanted * 2 : wanted);
  for (const node of picked) scoredEntry(ctx.reply, node.member, node.score, withScores);
}

/**
 * A negative count: members may repeat. The reply can be huge (Redis stops when the client's output
 * limit closes it): past our output limit the client is disconnected.
 */
function withRepeats(ctx: CommandContext, zset: SortedSet, count: bigint, withScores: boolean): void {
  const reply = ctx.reply;
  reply.raw(`*${withScores && reply.resp === 2 ? count * 2n : count}\r\n`);
  const limit = reply.written + ctx.server.options.maxOutputBuffer;
  for (let i = 0n; i < count; i++) {
    const node = zset.random();
    scoredEntry(reply, node.member, node.score, withScores);
    if (reply.written > limit) {
      ctx.server.disconnect(ctx.client);
      return;
    }
  }
}

/** The whole set, from the highest to the lowest as Redis's zset iterator walks it. */
function everything(ctx: CommandContext, zset: SortedSet, withScores: boolean): void {
  ctx.reply.array(withScores && ctx.reply.resp === 2 ? zset.size * 2 : zset.size);
  for (let node = zset.last; node !== undefined; node = node.backward) {
    scoredEntry(ctx.reply, node.member, node.score, withScores);
  }
}

/** `count` distinct members in set order (selection sampling, like lpRandomPairsUnique). */
function sample(zset: SortedSet, count: number): ZNode[] {
  const picked: ZNode[] = [];
  let left = zset.size;
  for (let node = zset.first; node !== undefined && picked.length < count; node = node.forward, left--) {
    if (Math.random() * left < count - picked.length) picked.push(node);
  }
  return picked;
}

/** `count` distinct members picked at random (few of a big set). */
function pickDistinct(zset: SortedSet, count: number): ZNode[] {
  const seen = new Set<string>();
  const picked: ZNode[] = [];
  while (picked.length < count) {
    const node = zset.random();
    if (seen.has(node.member)) continue;
    seen.add(node.member);
    picked.push(node);
  }
  return picked;
}
