import { syntaxError } from "../errors.js";
import { globMatch } from "../glob.js";
import type { Reply } from "../resp/reply.js";
import { intArg, is } from "./args.js";

export { scanCursorArg } from "../keyspace/scan.js";

export interface ScanOptions {
  count: number;
  /** undefined when every element matches ("*" or no MATCH). */
  pattern: string | undefined;
}

/** COUNT and MATCH after the cursor (from `start`), as scanGenericCommand parses them; the last wins. */
export function scanOptions(argv: readonly string[], start: number): ScanOptions {
  let count = 10;
  let pattern: string | undefined;
  for (let i = start; i < argv.length; i += 2) {
    const value = argv[i + 1];
    if (value === undefined) throw syntaxError();
    if (is(argv[i], "count")) {
      count = intArg(value);
      if (count < 1) throw syntaxError();
    } else if (is(argv[i], "match")) pattern = value === "*" ? undefined : value;
    else throw syntaxError();
  }
  return { count, pattern };
}

export const matches = (pattern: string | undefined, text: string) =>
  pattern === undefined || globMatch(pattern, text);

/** [cursor, [elements…]]; an empty scan of a missing key is ["0", []]. */
export function replyScan(reply: Reply, cursor: string, elements: readonly string[]): void {
  reply.array(2);
  reply.bulk(cursor);
  reply.bulks(elements);
}
