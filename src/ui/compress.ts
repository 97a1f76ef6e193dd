/**
 * Content coding of replies: which of br and gzip a client accepts (Accept-Encoding, q=0 refuses),
 * and the compression of API replies (JSON and text past COMPRESS_MIN bytes) on the thread pool.
 */
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";

export type Encoding = "br" | "gzip";

/** Smaller replies gain too little to be worth a thread-pool trip. */
export const COMPRESS_MIN = 1024;

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** The first of `offered` (in preference order) that the Accept-Encoding header allows. */
export function acceptedEncoding(
  header: string | undefined,
  offered: readonly Encoding[],
): Encoding | undefined {
  if (!header) return undefined;
  const accepted = new Set<string>();
  for (const part of header.split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    if (name && !(q && Number(q.slice(2)) === 0)) accepted.add(name);
  }
  return offered.find((encoding) => accepted.has(encoding) || accepted.has("*"));
}

/** `text` compressed fast (brotli quality 4, gzip level 6): for replies made per request. */
export function compressText(text: string, encoding: Encoding): Promise<Buffer> {
  const bytes = Buffer.from(text, "utf8");
  return encoding === "br"
    ? brotli(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } })
    : gzipAsync(bytes, { level: 6 });
}
