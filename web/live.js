// @ts-check
/**
 * The one live stream of the app: an EventSource on /api/events shared by every page. Pages
 * subscribe to `job` and `stats` events while they are shown. The browser reconnects a dropped
 * stream by itself; a refused one (401, server restart) is reopened here with a growing pause.
 */

/** @typedef {{ jobId: number, topic: string, status: string, previous: string | null, version: number, attempts: number, progress: number, updatedAt: number }} JobEvent */
/** @typedef {{ time: number, services: { name: string, state: string }[], jobs: Record<string, Record<string, number>> }} StatsEvent */

/** @type {EventSource | undefined} */
let source;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let retryTimer;
let retryDelay = 1000;
/** @type {Map<string, Set<(data: any) => void>>} */
const listeners = new Map();
/** @type {Set<(connected: boolean) => void>} */
const statusListeners = new Set();
/** @type {StatsEvent | undefined} */
let lastStats;

/** Opens the stream (after login); a no-op when it is open. */
export function connect() {
  if (source) return;
  clearTimeout(retryTimer);
  const stream = new EventSource("/api/events");
  source = stream;
  for (const type of ["job", "stats"]) {
    stream.addEventListener(type, (event) => {
      let data;
      try {
        data = JSON.parse(/** @type {MessageEvent} */ (event).data);
      } catch {
        return;
      }
      if (type === "stats") lastStats = data;
      for (const fn of listeners.get(type) ?? []) fn(data);
    });
  }
  stream.addEventListener("open", () => {
    retryDelay = 1000;
    notify(true);
  });
  stream.addEventListener("error", () => {
    notify(false);
    if (stream.readyState !== EventSource.CLOSED) return; // the browser retries by itself
    stream.close();
    if (source === stream) source = undefined;
    retryTimer = setTimeout(connect, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 15_000);
  });
}

/** Closes the stream (logout). */
export function disconnect() {
  clearTimeout(retryTimer);
  source?.close();
  source = undefined;
  notify(false);
}

/** @param {boolean} connected */
function notify(connected) {
  for (const fn of statusListeners) fn(connected);
}

/**
 * Calls `fn` for every event of `type` until `signal` aborts (the page is left).
 * @overload
 * @param {"job"} type
 * @param {(data: JobEvent) => void} fn
 * @param {AbortSignal} signal
 * @returns {void}
 */
/**
 * @overload
 * @param {"stats"} type
 * @param {(data: StatsEvent) => void} fn
 * @param {AbortSignal} signal
 * @returns {void}
 */
/**
 * @param {string} type
 * @param {(data: any) => void} fn
 * @param {AbortSignal} signal
 */
export function on(type, fn, signal) {
  const set = listeners.get(type) ?? new Set();
  listeners.set(type, set);
  set.add(fn);
  signal.addEventListener("abort", () => set.delete(fn));
}

/** @param {(connected: boolean) => void} fn */
export function onStatus(fn) {
  statusListeners.add(fn);
  fn(source?.readyState === EventSource.OPEN);
}

/** The newest stats event, if one came. */
export const latestStats = () => lastStats;
