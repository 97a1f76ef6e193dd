import { err, notFloat, notInteger, syntaxError } from "../errors.js";
import { parseDouble, parseInteger } from "../resp/numbers.js";

/** An integer argument (64-bit range, as a number), or Redis's "not an integer" error. */
export function intArg(text: string): number {
  const value = parseInteger(text);
  if (value === undefined) throw notInteger();
  return value;
}

/** A float argument as Redis's strtod reads it, or "not a valid float". NaN is refused. */
export function floatArg(text: string): number {
  const value = parseDouble(text);
  if (value === undefined) throw notFloat();
  return value;
}

/** A count or index that must be ≥ `min`, with Redis's message when it is not. */
export function intAtLeast(
  text: string,
  min: number,
  message = "value is out of range, must be positive",
): number {
  const value = intArg(text);
  if (value < min) throw err(message);
  return value;
}

/** Whether `arg` is the keyword `word` (case-insensitive). */
export const is = (arg: string | undefined, word: string) => arg !== undefined && arg.toLowerCase() === word;

/** The argument after an option, or a syntax error when it is missing. */
export function valueAfter(argv: readonly string[], i: number): string {
  const value = argv[i + 1];
  if (value === undefined) throw syntaxError();
  return value;
}

/** Redis's long range check for indexes: a value that does not fit a 64-bit integer. */
export const LONG_MAX = 2 ** 63;

/** A database index for SELECT, MOVE, COPY … DB, SWAPDB. */
export function dbIndexArg(
  text: string,
  databases: number,
  invalid = "value is not an integer or out of range",
): number {
  const value = parseInteger(text);
  if (value === undefined) throw err(invalid);
  if (value < 0 || value >= databases) throw err("DB index is out of range");
  return value;
}
