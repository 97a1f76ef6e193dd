import { err, syntaxError } from "../errors.js";
import type { Reply } from "../resp/reply.js";
import type { HashValue } from "../types/hash.js";
import { is } from "./args.js";
import { randomCountArg, randomDistinct, selectionSample } from "./random-picks.js";
import { type CommandContext, type CommandSpec, command } from "./spec.js";

const LONG_MAX = 2n ** 63n - 1n;

/** One field, with its value when asked: a [field, value] pair in RESP3, two flat items in RESP2. */
function entry(reply: Reply, hash: HashValue, slot: number, withValues: boolean): void {
  if (withValues && reply.resp === 3) reply.array(2);
  reply.bulk(hash.fieldAtSlot(slot));
  if (withValues) reply.bulk(hash.valueAtSlot(slot));
}

/**
 * HRANDFIELD key [count [WITHVALUES]]. A negative count may repeat fields; a positive one gives
 * distinct fields, the whole hash in its own order when count ≥ size (as Redis does).
 */
function hrandfield(ctx: CommandContext, argv: string[]): void {
  const key = argv[1] as string;
  if (argv.length === 2) {
    const hash = ctx.db.getTyped<HashValue>(key, "hash");
    return ctx.reply.bulk(hash ? hash.fieldAtSlot(hash.randomSlot()) : undefined);
  }
  const count = randomCountArg(argv[2] as string);
  if (argv.length > 4 || (argv.length === 4 && !is(argv[3], "withvalues"))) throw syntaxError();
  const withValues = argv.length === 4;
  // Redis 7.0 refuses what would overflow the count of a WITHVALUES reply.
  if (withValues && (count < -LONG_MAX / 2n || count > LONG_MAX / 2n)) throw err("value is out of range");
  const hash = ctx.db.getTyped<HashValue>(key, "hash");
  if (!hash || count === 0n) return ctx.reply.array(0);
  const reply = ctx.reply;
  if (count < 0n || count === 1n) return withRepeats(ctx, hash, count < 0n ? -count : count, withValues);
  const arrayLength = (n: number) => (withValues && reply.resp === 2 ? n * 2 : n);
  if (count >= BigInt(hash.size)) {
    reply.array(arrayLength(hash.size));
    for (const slot of hash.orderedSlots()) entry(reply, hash, slot, withValues);
    return;
  }
  const wanted = Number(count);
  // A listpack answers a sample in its own order (lpRandomPairsUnique); a hashtable in any order.
  const slots = hash.compact
    ? selectionSample(hash.orderedSlots(), hash.size, wanted)
    : randomDistinct(hash.size, wanted);
  reply.array(arrayLength(wanted));
  for (const slot of slots) entry(reply, hash, slot, withValues);
}

/**
 * `count` random picks that may repeat. The reply can be huge (Redis goes on until its output limit
 * closes the client): past our output limit the client is disconnected.
 */
function withRepeats(ctx: CommandContext, hash: HashValue, count: bigint, withValues: boolean): void {
  const reply = ctx.reply;
  reply.raw(`*${withValues && reply.resp === 2 ? count * 2n : count}\r\n`);
  const limit = reply.written + ctx.server.options.maxOutputBuffer;
  // Numbers are exact far beyond what the output limit lets through.
  const picks = Number(count);
  for (let i = 0; i < picks; i++) {
    entry(reply, hash, hash.randomSlot(), withValues);
    if (reply.written > limit) return ctx.server.disconnect(ctx.client);
  }
}

export const hashRandomCommands: CommandSpec[] = [
  command({
    name: "hrandfield",
    arity: -2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    group: "hash",
    since: "6.2.0",
    summary: "Get one or multiple random fields from a hash",
    complexity: "O(N) where N is the number of fields returned",
    handler: hrandfield,
  }),
];
