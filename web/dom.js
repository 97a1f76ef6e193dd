// @ts-check
/**
 * DOM building without HTML parsing: h() only ever sets textContent, properties and attributes,
 * so server data containing "<script>" or "<img onerror>" is shown as text and never runs.
 */

/** @typedef {string | number | Node | null | undefined | false} Child */
/** @typedef {Child | Array<Child | Array<Child | Child[]>>} Children nested lists are flattened */

/**
 * An element. Attributes: `class`, `on<event>` (a function), properties such as `value`,
 * `checked`, `disabled` (non-string values), everything else as a string attribute.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, unknown> | null} [attrs]
 * @param {...Children} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, ...children);
  return el;
}

/**
 * @param {Element} el
 * @param {Record<string, unknown> | null | undefined} attrs
 */
export function setAttrs(el, attrs) {
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) {
      // Inline handlers (strings) would be code from data: only functions are accepted.
      if (typeof value !== "function") throw new TypeError(`${key} must be a function`);
      el.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
    } else if (key === "class") {
      el.setAttribute("class", String(value));
    } else if (typeof value !== "string" && key in el) {
      /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (el))[key] = value;
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
}

/**
 * Appends children as nodes or text (strings never become markup).
 * @param {Node} el
 * @param {...Children} children
 */
export function append(el, ...children) {
  for (const child of /** @type {Child[]} */ (children.flat(Infinity))) {
    if (child === null || child === undefined || child === false) continue;
    el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/**
 * Replaces every child of `el`.
 * @param {Node} el
 * @param {...Children} children
 */
export function replace(el, ...children) {
  while (el.firstChild) el.removeChild(el.firstChild);
  append(el, ...children);
}

/**
 * A status badge ("new", "running", …) styled by its value.
 * @param {string} state
 */
export function badge(state) {
  return h("span", { class: `badge badge-${state.replace(/[^a-z]/g, "")}` }, state);
}

/**
 * An error box for a failed request.
 * @param {unknown} error
 */
export function errorBox(error) {
  const message = error instanceof Error ? error.message : String(error);
  return h("p", { class: "error", role: "alert" }, message);
}

/** @param {string} text */
export function empty(text) {
  return h("p", { class: "empty" }, text);
}

/**
 * Local date and time, "2026-11-28 14:03:05".
 * @param {number | null | undefined} ms
 */
export function fmtTime(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms <= 0) return "—";
  const d = new Date(ms);
  const p = (/** @type {number} */ n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/**
 * "1.5 s", "3 min 4 s", "2 h 5 min", "3 d 4 h".
 * @param {number | null | undefined} ms
 */
export function fmtDuration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms < 10 && ms !== 0 && !Number.isInteger(ms)) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.floor(s % 60)} s`;
  const hours = Math.floor(m / 60);
  if (hours < 48) return `${hours} h ${m % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/**
 * "512 B", "1.5 KiB", "3.2 GiB".
 * @param {number | null | undefined} n
 */
export function fmtBytes(n) {
  if (n === null || n === undefined || !Number.isFinite(n)) return "—";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = n;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/**
 * Calls `fn` at most once per `ms` (trailing call kept), for bursts of live events.
 * @param {() => void} fn
 * @param {number} ms
 * @param {AbortSignal} signal stops a pending call when the page is left
 */
export function throttle(fn, ms, signal) {
  let last = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  signal.addEventListener("abort", () => clearTimeout(timer));
  return () => {
    if (timer !== undefined || signal.aborted) return;
    const wait = Math.max(0, last + ms - Date.now());
    timer = setTimeout(() => {
      timer = undefined;
      last = Date.now();
      if (!signal.aborted) fn();
    }, wait);
  };
}

/**
 * Runs `fn` every `ms` while the page is shown (no overlapping runs).
 * @param {() => Promise<void> | void} fn
 * @param {number} ms
 * @param {AbortSignal} signal
 */
export function every(fn, ms, signal) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  const tick = async () => {
    try {
      await fn();
    } catch {
      // shown by the page; try again next time
    }
    if (!signal.aborted) timer = setTimeout(tick, ms);
  };
  timer = setTimeout(tick, ms);
  signal.addEventListener("abort", () => clearTimeout(timer));
}

/**
 * A table head; the columns named in `numeric` are right-aligned like their cells.
 * @param {string[]} names
 * @param {string[]} [numeric]
 */
export function tableHead(names, numeric = []) {
  return h(
    "thead",
    null,
    h(
      "tr",
      null,
      names.map((n) => h("th", numeric.includes(n) ? { class: "num" } : null, n)),
    ),
  );
}
