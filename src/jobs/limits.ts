/** Size limits of the job system, in one place so the store, the manager and the docs agree. */

/** Params and results are stored intact up to this many UTF-8 bytes (1 MiB). */
export const VALUE_BYTES_MAX = 1024 * 1024;

/** The error text the caller stores when a handler's result is over VALUE_BYTES_MAX. */
export const RESULT_TOO_LARGE = "result too large";

/** Error texts are never refused (failing must not fail); past this they are cut with a visible marker. */
export const ERROR_BYTES_MAX = VALUE_BYTES_MAX;

/** Logs keep the newest lines within these bounds; dropped lines are counted in `logsDropped`. */
export const LOG_LINES_MAX = 100;
export const LOG_LINE_CHARS_MAX = 1000;
export const LOG_BYTES_MAX = 16 * 1024;

/** Topics appear in Redis keys (`herojobs:<topic>:<jobId>`), so no ':' and no spaces. */
export const TOPIC_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export const utf8Bytes = (text: string) => Buffer.byteLength(text, "utf8");

/** True when a handler's result cannot be stored; the caller then fails the job with RESULT_TOO_LARGE. */
export const isResultTooLarge = (result: string) => utf8Bytes(result) > VALUE_BYTES_MAX;
