/** XLEN, XRANGE and XREVRANGE. */
import { syntaxError } from "../errors.js";
import { intArg } from "./args.js";
import { type CommandContext, type CommandSpec, command } from "./spec.js";
import { getStream, group, ONE_KEY, rangeEndArg, rangeStartArg, replyEntries } from "./streams-shared.js";

function xlen(ctx: CommandContext, argv: string[]): void {
  ctx.reply.int(getStream(ctx, argv[1] as string)?.length ?? 0);
}

/** XRANGE key start end [COUNT n], and XREVRANGE key end start [COUNT n]. */
function xrange(ctx: CommandContext, argv: string[], reverse: boolean): void {
  const start = rangeStartArg(argv[reverse ? 3 : 2] as string);
  const end = rangeEndArg(argv[reverse ? 2 : 3] as string);
  let count = -1;
  for (let i = 4; i < argv.length; i++) {
    if ((argv[i] as string).toLowerCase() === "count" && i + 1 < argv.length) {
      count = Math.max(intArg(argv[++i] as string), 0);
    } else throw syntaxError();
  }
  const stream = getStream(ctx, argv[1] as string);
  if (stream === undefined) return ctx.reply.array(0);
  if (count === 0) return ctx.reply.nilArray();
  replyEntries(ctx.reply, stream.range(start, end, Math.max(count, 0), reverse));
}

const RANGE_COMPLEXITY =
  "O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).";

export const streamReadCommands: CommandSpec[] = [
  command({
    name: "xlen",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: ONE_KEY,
    group,
    since: "5.0.0",
    summary: "Return the number of entries in a stream",
    complexity: "O(1)",
    handler: xlen,
  }),
  command({
    name: "xrange",
    arity: -4,
    flags: ["readonly"],
    keys: ONE_KEY,
    group,
    since: "5.0.0",
    summary: "Return a range of elements in a stream, with IDs matching the specified IDs interval",
    complexity: RANGE_COMPLEXITY,
    handler: (ctx, argv) => xrange(ctx, argv, false),
  }),
  command({
    name: "xrevrange",
    arity: -4,
    flags: ["readonly"],
    keys: ONE_KEY,
    group,
    since: "5.0.0",
    summary:
      "Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE",
    complexity: RANGE_COMPLEXITY.replace("elements being returned", "elements returned"),
    handler: (ctx, argv) => xrange(ctx, argv, true),
  }),
];
