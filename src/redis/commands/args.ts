import { err, notFloat, notInteger, syntaxError } from "../errors.js";
import { type LongDouble, parseLongDouble } from "../resp/long-double.js";
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

/**
 * A blocking command's timeout in seconds, as milliseconds (0 = wait forever). Redis computes
 * ceil(seconds × 1000) as a long long: a result out of its range becomes LLONG_MIN, hence "negative".
 */
export function timeoutArg(text: string): number {
  const seconds = parseLongDouble(text);
  if (seconds === undefined) throw err("timeout is not a float or out of range");
  if (seconds === "inf" || seconds === "-inf") throw err("timeout is negative");
  const ms = Math.ceil(toNumber(seconds) * 1000);
  if (ms < 0 || !(ms < 2 ** 63)) throw err("timeout is negative");
  return ms === 0 ? 0 : ms; // -0 (from a tiny negative timeout) waits forever too
}

/** A long double as a JS number; a non-zero one too small for a double keeps its sign. */
function toNumber({ negative, mantissa, exponent }: LongDouble): number {
  const magnitude = Number(mantissa) * 2 ** exponent;
  const value = magnitude === 0 && mantissa !== 0n ? Number.MIN_VALUE : magnitude;
  return negative ? -value : value;
}
