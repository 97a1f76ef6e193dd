import { err } from "../errors.js";
import { formatDouble } from "../resp/numbers.js";
import type { LexBound, LexRange, ScoreRange } from "../types/zset-range.js";

/**
 * Sorted-set arguments read exactly as Redis 7.0 reads them. Scores go through C's strtod, which
 * accepts more than JSON numbers: leading spaces (in ranges), hex floats, "inf", "infinity".
 */

interface Strtod {
  value: number;
  /** Where parsing stopped; 0 when nothing was converted (as strtod sets endptr = nptr). */
  end: number;
  /** errno = ERANGE: the literal overflowed to ±inf or underflowed to 0. */
  outOfRange: boolean;
}

const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);
const DECIMAL = /^(\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const HEX = /^0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP]([+-]?\d+))?/;
const SPECIAL = /^(?:(inf(?:inity)?)|nan(?:\([0-9A-Za-z_]*\))?)/i;

/** C's strtod (glibc) over a whole JS string. */
export function strtod(text: string): Strtod {
  let i = 0;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  let negative = false;
  if (text[i] === "+" || text[i] === "-") negative = text[i++] === "-";
  const rest = text.slice(i);
  const special = SPECIAL.exec(rest);
  if (special) {
    const value = special[1] !== undefined ? Infinity : Number.NaN;
    return { value: negative ? -value : value, end: i + special[0].length, outOfRange: false };
  }
  const hex = HEX.exec(rest);
  if (hex)
    return signed(
      hexValue(hex[1] as string, hex[2]),
      negative,
      i + hex[0].length,
      /[1-9a-f]/i.test(hex[1] as string),
    );
  const decimal = DECIMAL.exec(rest);
  if (!decimal) return { value: 0, end: 0, outOfRange: false };
  const mantissa = decimal[1] as string;
  return signed(Number(decimal[0]), negative, i + decimal[0].length, /[1-9]/.test(mantissa));
}

function signed(magnitude: number, negative: boolean, end: number, nonZeroDigits: boolean): Strtod {
  const outOfRange = magnitude === Infinity || (magnitude === 0 && nonZeroDigits);
  return { value: negative ? -magnitude : magnitude, end, outOfRange };
}

function hexValue(digits: string, exponent: string | undefined): number {
  const point = digits.indexOf(".");
  const fraction = point < 0 ? 0 : digits.length - point - 1;
  const mantissa = Number(BigInt(`0x${digits.replace(".", "") || "0"}`));
  const power = Number(exponent ?? 0) - 4 * fraction;
  // Two steps so that a large mantissa with a very negative exponent does not underflow early.
  const half = Math.trunc(power / 2);
  return mantissa * 2 ** half * 2 ** (power - half);
}

/** getDoubleFromObject: a score, increment or weight; `message` is the error without "ERR ". */
export function scoreArg(text: string, message = "value is not a valid float"): number {
  const parsed = strtod(text);
  if (
    text.length === 0 ||
    isSpace(text.charCodeAt(0)) ||
    parsed.end !== text.length ||
    parsed.outOfRange ||
    Number.isNaN(parsed.value)
  ) {
    throw err(message);
  }
  return parsed.value;
}

/** One end of a score range (zslParseRange): strtod must consume it all, NaN refused. */
function scoreBound(text: string): [value: number, exclusive: boolean] | undefined {
  const exclusive = text.startsWith("(");
  const body = exclusive ? text.slice(1) : text;
  const parsed = strtod(body);
  if (parsed.end !== body.length || Number.isNaN(parsed.value)) return undefined;
  return [parsed.value, exclusive];
}

export function scoreRangeArgs(minText: string, maxText: string): ScoreRange {
  const min = scoreBound(minText);
  const max = scoreBound(maxText);
  if (!min || !max) throw err("min or max is not a float");
  return { min: min[0], minExclusive: min[1], max: max[0], maxExclusive: max[1] };
}

function lexBound(text: string): LexBound | undefined {
  const first = text[0];
  if (first === "+" || first === "-") {
    if (text.length !== 1) return undefined;
    return { value: "", exclusive: true, infinity: first === "+" ? 1 : -1 };
  }
  if (first === "(" || first === "[") return { value: text.slice(1), exclusive: first === "(", infinity: 0 };
  return undefined;
}

export function lexRangeArgs(minText: string, maxText: string): LexRange {
  const min = lexBound(minText);
  const max = lexBound(maxText);
  if (!min || !max) throw err("min or max not valid string range item");
  return { min, max };
}

/** How a listpack keeps a score (ZSCAN shows it): an integer when exact within ±2^62, else %.17g. */
export function listpackScoreText(score: number): string {
  if (Number.isInteger(score) && Math.abs(score) <= 2 ** 62)
    return score === 0 ? "0" : BigInt(score).toString();
  return formatDouble(score);
}
