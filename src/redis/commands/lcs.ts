import { err, syntaxError, wrongType } from "../errors.js";
import { intArg, is } from "./args.js";
import type { CommandContext } from "./spec.js";

/** LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN], ported from Redis's lcsCommand. */
export function lcs(ctx: CommandContext, argv: string[]): void {
  let wantLength = false;
  let wantIndexes = false;
  let withMatchLength = false;
  let minMatchLength = 0;
  for (let i = 3; i < argv.length; i++) {
    if (is(argv[i], "len")) wantLength = true;
    else if (is(argv[i], "idx")) wantIndexes = true;
    else if (is(argv[i], "withmatchlen")) withMatchLength = true;
    else if (is(argv[i], "minmatchlen") && i + 1 < argv.length)
      minMatchLength = Math.max(0, intArg(argv[++i] as string));
    else throw syntaxError();
  }
  const a = stringOf(ctx, argv[1] as string);
  const b = stringOf(ctx, argv[2] as string);
  if (wantLength && wantIndexes) throw err("If you want both the length and indexes, please just use IDX.");
  if ((a.length + 1) * (b.length + 1) * 4 > ctx.server.options.maxBulkLength) {
    throw err("Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
  }
  const width = b.length + 1;
  const table = new Uint32Array((a.length + 1) * width);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      table[i * width + j] =
        a[i - 1] === b[j - 1]
          ? (table[(i - 1) * width + j - 1] as number) + 1
          : Math.max(table[(i - 1) * width + j] as number, table[i * width + j - 1] as number);
    }
  }
  const length = table[a.length * width + b.length] as number;
  if (wantLength) return ctx.reply.int(length);
  const { text, matches } = walkBack(a, b, table, width, length, minMatchLength);
  if (!wantIndexes) return ctx.reply.bulk(text);
  ctx.reply.map(2);
  ctx.reply.bulk("matches");
  ctx.reply.array(matches.length);
  for (const [aStart, aEnd, bStart, bEnd] of matches) {
    ctx.reply.array(withMatchLength ? 3 : 2);
    ctx.reply.array(2);
    ctx.reply.int(aStart);
    ctx.reply.int(aEnd);
    ctx.reply.array(2);
    ctx.reply.int(bStart);
    ctx.reply.int(bEnd);
    if (withMatchLength) ctx.reply.int(aEnd - aStart + 1);
  }
  ctx.reply.bulk("len");
  ctx.reply.int(length);
}

function stringOf(ctx: CommandContext, key: string): string {
  try {
    return ctx.db.getString(key) ?? "";
  } catch (error) {
    if ((error as Error).message === wrongType().message)
      throw err("The specified keys must contain string values");
    throw error;
  }
}

/** Walks the table from the end, collecting the LCS and its ranges as Redis does (quirks included). */
function walkBack(
  a: string,
  b: string,
  table: Uint32Array,
  width: number,
  length: number,
  minMatchLength: number,
) {
  const chars: string[] = new Array(length);
  const matches: [number, number, number, number][] = [];
  let idx = length;
  let i = a.length;
  let j = b.length;
  const none = a.length;
  let aStart = none;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a[i - 1] === b[j - 1]) {
      chars[idx - 1] = a[i - 1] as string;
      if (aStart === none) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else emit = true;
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      if ((table[(i - 1) * width + j] as number) > (table[i * width + j - 1] as number)) i--;
      else j--;
      if (aStart !== none) emit = true;
    }
    if (emit) {
      if (minMatchLength === 0 || aEnd - aStart + 1 >= minMatchLength)
        matches.push([aStart, aEnd, bStart, bEnd]);
      aStart = none;
    }
  }
  return { text: chars.join(""), matches };
}
