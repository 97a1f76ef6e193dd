/**
 * The byte size of Redis's listpack encoding, computed (not built): a stream node starts a new
 * listpack at 4096 bytes or 100 entries (stream-node-max-bytes / -entries), and those boundaries
 * decide what MAXLEN ~ / MINID ~ trim and what XINFO STREAM reports, so we track them exactly.
 */

/** An empty listpack: the 6-byte header and the end byte. */
export const LISTPACK_EMPTY_BYTES = 7;
export const NODE_MAX_BYTES = 4096;
export const NODE_MAX_ENTRIES = 100;

/** Encoding plus data of an integer element (lpEncodeIntegerGetType). */
function integerBody(value: number | bigint): number {
  if (value >= 0 && value <= 127) return 1;
  if (value >= -4096 && value <= 4095) return 2;
  if (value >= -32768 && value <= 32767) return 3;
  if (value >= -8388608 && value <= 8388607) return 4;
  if (value >= -2147483648 && value <= 2147483647) return 5;
  return 9;
}

/** The back-length bytes that follow an element of `body` bytes (lpEncodeBacklen). */
function backlen(body: number): number {
  if (body <= 127) return 1;
  if (body < 16383) return 2;
  if (body < 2097151) return 3;
  if (body < 268435455) return 4;
  return 5;
}

/** Bytes of an integer element. */
export function integerBytes(value: number | bigint): number {
  const body = integerBody(value);
  return body + backlen(body);
}

/** Bytes of a string element; strings that read as a 64-bit integer are stored as integers. */
export function stringBytes(text: string): number {
  const asInteger = int64Value(text);
  if (asInteger !== undefined) return integerBytes(asInteger);
  const length = text.length;
  const body = length + (length < 64 ? 1 : length < 4096 ? 2 : 5);
  return body + backlen(body);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** lpStringToInt64: a canonical decimal integer ("0", "-12", no "+", no leading zeros) in range. */
function int64Value(text: string): number | bigint | undefined {
  const length = text.length;
  if (length === 0 || length > 20) return undefined;
  const first = text.charCodeAt(0);
  if (first !== 45 && (first < 48 || first > 57)) return undefined; // '-' or a digit
  if (!/^(0|-?[1-9][0-9]*)$/.test(text)) return undefined;
  if (length < 16) return Number(text);
  const value = BigInt(text);
  return value < INT64_MIN || value > INT64_MAX ? undefined : value;
}
