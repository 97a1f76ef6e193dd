/**
 * INCRBYFLOAT and HINCRBYFLOAT compute in C's `long double` (x87 80-bit extended precision on
 * x86-64 Linux: a 64-bit mantissa) and print with "%.17Lf", trailing zeros removed. Doing the same
 * sums in JS doubles gives other digits (0.1 + 0.2 is "0.3" in Redis), so this module emulates that
 * arithmetic exactly with BigInt: parsing like strtold, one correctly rounded addition, and the print.
 */

/** A finite extended-precision value: sign × mantissa × 2^exponent, mantissa < 2^64. */
export interface LongDouble {
  negative: boolean;
  mantissa: bigint;
  exponent: number;
}

const MANTISSA_BITS = 64;
/** The smallest exponent of a mantissa bit (denormals included) and the first one past the maximum. */
const MIN_EXPONENT = -16445;
const MAX_BINARY_EXPONENT = 16384;
/** Redis refuses longer inputs (MAX_LONG_DOUBLE_CHARS). */
const MAX_CHARS = 5 * 1024;

const bitLength = (n: bigint) => (n === 0n ? 0 : n.toString(2).length);

/** num / den (both > 0) rounded to nearest-even on 64 bits; undefined when it overflows. */
function round(negative: boolean, num: bigint, den: bigint): LongDouble | undefined | "zero" {
  const shift = MANTISSA_BITS + 2 - (bitLength(num) - bitLength(den));
  const n = shift >= 0 ? num << BigInt(shift) : num;
  const d = shift >= 0 ? den : den << BigInt(-shift);
  // The quotient has at least 66 bits, so its remainder only ever breaks ties (sticky bit).
  let q = n / d;
  const sticky = n % d !== 0n;
  let exponent = -shift;
  const drop = Math.max(bitLength(q) - MANTISSA_BITS, MIN_EXPONENT - exponent, 0);
  if (drop > 0) {
    const mask = (1n << BigInt(drop)) - 1n;
    const rest = q & mask;
    const half = 1n << BigInt(drop - 1);
    q >>= BigInt(drop);
    exponent += drop;
    if (rest > half || (rest === half && (sticky || (q & 1n) === 1n))) q += 1n;
  }
  if (q === 0n) return "zero";
  if (bitLength(q) > MANTISSA_BITS) {
    q >>= 1n;
    exponent += 1;
  }
  if (exponent + bitLength(q) > MAX_BINARY_EXPONENT) return undefined;
  return { negative, mantissa: q, exponent };
}

const ZERO = (negative: boolean): LongDouble => ({ negative, mantissa: 0n, exponent: 0 });

/**
 * A string as Redis's string2ld reads it (strtold, then: no leading space, nothing left over, no
 * overflow or underflow to zero, no NaN). Returns "inf"/"-inf" for infinities, undefined if invalid.
 */
export function parseLongDouble(text: string): LongDouble | "inf" | "-inf" | undefined {
  if (text.length === 0 || text.length >= MAX_CHARS) return undefined;
  const match =
    /^([+-]?)(?:(inf(?:inity)?)|0x([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?\d+))?|(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?)$/i.exec(
      text,
    );
  if (!match) return undefined;
  const [, sign, infinity, hexInt, hexFrac, hexExp, decInt, decFrac, decExp] = match;
  const negative = sign === "-";
  if (infinity) return negative ? "-inf" : "inf";
  if (hexInt !== undefined) {
    const digits = `${hexInt}${hexFrac ?? ""}`;
    if (digits.length === 0) return undefined;
    const power = Number(hexExp ?? 0) - 4 * (hexFrac?.length ?? 0);
    return fromParts(negative, BigInt(`0x${digits}`), 2n, power);
  }
  const digits = `${decInt ?? ""}${decFrac ?? ""}`;
  if (digits.length === 0) return undefined;
  const power = Number(decExp ?? 0) - (decFrac?.length ?? 0);
  return fromParts(negative, BigInt(digits), 10n, power);
}

/** digits × base^power, rounded; undefined on overflow or underflow to zero (ERANGE in strtold). */
function fromParts(negative: boolean, digits: bigint, base: bigint, power: number): LongDouble | undefined {
  if (digits === 0n) return ZERO(negative);
  // Past these the value is surely out of range, and the BigInt powers would be huge.
  const decimalPower = base === 10n ? power : power * 0.30103;
  if (decimalPower + digits.toString().length > 4940) return undefined;
  if (decimalPower + digits.toString().length < -4960) return undefined;
  const scale = base ** BigInt(Math.abs(power));
  const rounded = power >= 0 ? round(negative, digits * scale, 1n) : round(negative, digits, scale);
  return rounded === "zero" ? undefined : rounded;
}

/** a + b in extended precision; undefined when the sum is infinite. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | undefined {
  const low = Math.min(a.exponent, b.exponent);
  const term = (x: LongDouble) => (x.negative ? -x.mantissa : x.mantissa) << BigInt(x.exponent - low);
  const sum = term(a) + term(b);
  if (sum === 0n) return ZERO(a.negative && b.negative);
  const negative = sum < 0n;
  const magnitude = negative ? -sum : sum;
  const scaled =
    low >= 0 ? round(negative, magnitude << BigInt(low), 1n) : round(negative, magnitude, 1n << BigInt(-low));
  return scaled === "zero" ? ZERO(negative) : scaled;
}

/** "%.17Lf" with trailing zeros (and a bare point) removed, and "-0" as "0": Redis's LD_STR_HUMAN. */
export function formatLongDouble(value: LongDouble): string {
  const { mantissa, exponent } = value;
  let digits: bigint;
  if (exponent >= 0) digits = (mantissa << BigInt(exponent)) * 10n ** 17n;
  else {
    const den = 1n << BigInt(-exponent);
    const num = mantissa * 10n ** 17n;
    digits = num / den;
    const rest = num % den;
    if (rest * 2n > den || (rest * 2n === den && (digits & 1n) === 1n)) digits += 1n;
  }
  const text = digits.toString().padStart(18, "0");
  const whole = text.slice(0, -17);
  const fraction = text.slice(-17).replace(/0+$/, "");
  const body = fraction.length > 0 ? `${whole}.${fraction}` : whole;
  return value.negative && body !== "0" ? `-${body}` : body;
}

/** A long double from a 64-bit integer (Redis's int-encoded strings convert exactly). */
export function longDoubleFromInteger(value: bigint): LongDouble {
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  return magnitude === 0n ? ZERO(negative) : (round(negative, magnitude, 1n) as LongDouble);
}
