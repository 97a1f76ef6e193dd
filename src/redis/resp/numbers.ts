/**
 * Numbers as Redis reads and writes them: 64-bit integers (string2ll), doubles with C's "%.17g",
 * and INCRBYFLOAT's human-friendly form.
 */
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A signed 64-bit integer as Redis's string2ll accepts it, or undefined. */
export function parseInt64(text: string): bigint | undefined {
  if (text.length === 0 || text.length > 20) return undefined;
  if (!/^-?(0|[1-9][0-9]*)$/.test(text) || text === "-0") return undefined;
  const value = BigInt(text);
  return value < INT64_MIN || value > INT64_MAX ? undefined : value;
}

/** Like parseInt64 but as a number when it is exactly representable, for counts and indexes. */
export function parseInteger(text: string): number | undefined {
  const value = parseInt64(text);
  if (value === undefined) return undefined;
  return Number(value);
}

export const inInt64 = (value: bigint) => value >= INT64_MIN && value <= INT64_MAX;

/** A double as Redis's strtod accepts it: no spaces, no hex, no "nan"; "inf" and "-inf" allowed. */
export function parseDouble(text: string): number | undefined {
  if (text.length === 0 || /\s/.test(text) || /^[+-]?0x/i.test(text)) return undefined;
  const lower = text.toLowerCase();
  if (lower === "inf" || lower === "+inf" || lower === "infinity" || lower === "+infinity") return Infinity;
  if (lower === "-inf" || lower === "-infinity") return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return undefined;
  const value = Number(text);
  return Number.isNaN(value) ? undefined : value;
}

/** C's printf("%.17g"), which Redis 7.0 uses for doubles in replies. */
export function formatDouble(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  if (value === 0) return Object.is(value, -0) ? "-0" : "0";
  const [mantissa, exponentText] = value.toExponential(16).split("e") as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 17) {
    const digits = stripZeros(mantissa);
    return `${digits}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  return stripZeros(value.toFixed(Math.max(0, 16 - exponent)));
}

/** INCRBYFLOAT's result: plain decimal notation, shortest round-trip digits, no exponent. */
export function formatHumanDouble(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return BigInt(value).toString();
  const text = String(value);
  if (!text.includes("e")) return text;
  const [mantissa, exponentText] = text.split("e") as [string, string];
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  const point =
    (mantissa.replace("-", "").indexOf(".") === -1 ? digits.length : mantissa.replace("-", "").indexOf(".")) +
    exponent;
  const body =
    point <= 0
      ? `0.${"0".repeat(-point)}${digits}`
      : point >= digits.length
        ? digits + "0".repeat(point - digits.length)
        : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return (negative ? "-" : "") + body;
}

function stripZeros(text: string): string {
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}
