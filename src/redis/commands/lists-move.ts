import type { ListValue } from "../types/list.js";
import {
  firstList,
  headArg,
  listCommand,
  moveElement,
  parseMultiPop,
  popManyWithKey,
} from "./lists-common.js";
import type { CommandContext, CommandSpec } from "./spec.js";

/** LMOVE and RPOPLPUSH: nil when the source is missing. */
export function move(
  ctx: CommandContext,
  from: string,
  to: string,
  fromHead: boolean,
  toHead: boolean,
): void {
  const source = ctx.db.getTyped<ListValue>(from, "list");
  if (!source) return ctx.reply.nil();
  moveElement(ctx.db, ctx.reply, from, source, to, fromHead, toHead);
}

function lmove(ctx: CommandContext, argv: string[]): void {
  const fromHead = headArg(argv[3] as string);
  const toHead = headArg(argv[4] as string);
  move(ctx, argv[1] as string, argv[2] as string, fromHead, toHead);
}

function lmpop(ctx: CommandContext, argv: string[]): void {
  const { keys, head, count } = parseMultiPop(argv, 1);
  const found = firstList(ctx.db, keys);
  if (!found) return ctx.reply.nilArray();
  popManyWithKey(ctx.db, ctx.reply, found[0], found[1], head, count);
}

const MPOP_COMPLEXITY =
  "O(N+M) where N is the number of provided keys and M is the number of elements returned.";

export const listMoveCommands: CommandSpec[] = [
  listCommand(
    "lmove",
    5,
    ["write", "denyoom"],
    "6.2.0",
    "Pop an element from a list, push it to another list and return it",
    "O(1)",
    lmove,
    [1, 2, 1],
  ),
  listCommand(
    "rpoplpush",
    3,
    ["write", "denyoom"],
    "1.2.0",
    "Remove the last element in a list, prepend it to another list and return it",
    "O(1)",
    (ctx, argv) => move(ctx, argv[1] as string, argv[2] as string, false, true),
    [1, 2, 1],
  ),
  listCommand(
    "lmpop",
    -4,
    ["write", "movablekeys"],
    "7.0.0",
    "Pop elements from a list",
    MPOP_COMPLEXITY,
    lmpop,
    [0, 0, 0],
  ),
];
