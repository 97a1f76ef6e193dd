// @ts-check
/** Logs: the server's recent log lines and a live tail, by level and text, with pause. */
import { ApiError, get, withQuery } from "../api.js";
import { empty, errorBox, h, replace } from "../dom.js";

const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"];
/** Lines kept on the page; older ones leave from the top. */
const MAX_LINES = 2000;

/** @typedef {{ seq: number, time: number, level: string, service?: string, msg: string, fields?: Record<string, unknown> }} LogLine */

/** @param {number} ms */
function clock(ms) {
  const d = new Date(ms);
  const p = (/** @type {number} */ n, w = 2) => String(n).padStart(w, "0");
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** @param {LogLine} line */
function lineView(line) {
  const fields = line.fields && Object.keys(line.fields).length ? JSON.stringify(line.fields) : "";
  return h(
    "div",
    { class: `log-line level-${LEVELS.includes(line.level) ? line.level : "info"}`, "data-seq": line.seq },
    h("span", { class: "when" }, clock(line.time)),
    h("span", { class: "level" }, line.level),
    h("span", { class: "service" }, line.service ?? ""),
    h("span", { class: "msg" }, line.msg),
    fields ? h("span", { class: "fields" }, fields) : null,
  );
}

/** @param {import("../app.js").PageContext} ctx */
export async function render(ctx) {
  const { main, signal, query } = ctx;
  const level = LEVELS.includes(query.get("level") ?? "") ? String(query.get("level")) : "info";
  const text = query.get("q") ?? "";
  const lines = h("div", { class: "log-lines", id: "log-lines", role: "log", "aria-live": "off" });
  const state = h("span", { class: "muted", id: "tail-state" }, "connecting…");
  const pause = h("button", { type: "button", id: "pause", "aria-pressed": "false" }, "Pause");
  const form = h(
    "form",
    { class: "filters", role: "search" },
    h(
      "label",
      null,
      "Level ",
      h(
        "select",
        { name: "level" },
        LEVELS.map((l) => h("option", { value: l, selected: l === level }, `${l} and above`)),
      ),
    ),
    h(
      "label",
      null,
      "Text ",
      h("input", { type: "search", name: "q", value: text, placeholder: "contains…" }),
    ),
    h("button", { type: "submit" }, "Apply"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    ctx.navigate(
      withQuery("/logs", { level: String(data.get("level")), q: String(data.get("q") ?? "").trim() }),
    );
  });
  main.append(
    h("h1", null, "Logs"),
    h("div", { class: "row" }, form, h("span", { class: "spacer" }), state, pause),
    lines,
  );

  let paused = false;
  let lastSeq = -1;
  /** @type {LogLine[]} */
  let held = [];
  const needle = text.toLowerCase();
  /** @param {LogLine} line */
  const matches = (line) =>
    !needle ||
    `${line.msg} ${line.service ?? ""} ${JSON.stringify(line.fields ?? {})}`.toLowerCase().includes(needle);
  /** @param {LogLine[]} batch */
  const show = (batch) => {
    const fresh = batch.filter((line) => line.seq > lastSeq);
    if (fresh.length === 0) return;
    lastSeq = fresh[fresh.length - 1]?.seq ?? lastSeq;
    const atBottom = lines.scrollTop + lines.clientHeight >= lines.scrollHeight - 8;
    lines.querySelector(".empty")?.remove();
    lines.append(...fresh.filter(matches).map(lineView));
    while (lines.childElementCount > MAX_LINES) lines.firstElementChild?.remove();
    if (atBottom) lines.scrollTop = lines.scrollHeight;
  };
  pause.addEventListener("click", () => {
    paused = !paused;
    pause.textContent = paused ? "Resume" : "Pause";
    pause.setAttribute("aria-pressed", String(paused));
    if (!paused) {
      show(held);
      held = [];
    }
    state.textContent = paused ? "paused" : "live";
  });

  // The stream opens first and holds its lines until the recent ones are shown (no gap).
  let ready = false;
  /** @type {LogLine[]} */
  let early = [];
  /** @type {EventSource | undefined} */
  let source;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let retry;
  const open = () => {
    const stream = new EventSource(withQuery("/api/logs/stream", { level }));
    source = stream;
    stream.addEventListener("open", () => {
      if (!paused) state.textContent = "live";
    });
    stream.addEventListener("log", (event) => {
      /** @type {LogLine} */
      let line;
      try {
        line = JSON.parse(/** @type {MessageEvent} */ (event).data);
      } catch {
        return;
      }
      if (!ready) early.push(line);
      else if (paused) {
        held.push(line);
        if (held.length > MAX_LINES) held.shift();
        state.textContent = `paused (${held.length} new)`;
      } else show([line]);
    });
    stream.addEventListener("error", () => {
      if (stream.readyState !== EventSource.CLOSED) {
        state.textContent = "reconnecting…";
        return;
      }
      state.textContent = "live tail unavailable; retrying";
      stream.close();
      retry = setTimeout(() => {
        if (!signal.aborted) open();
      }, 5000);
    });
  };
  signal.addEventListener("abort", () => {
    clearTimeout(retry);
    source?.close();
  });
  open();

  try {
    const reply = await get(withQuery("/api/logs", { limit: 500, level, q: text }), signal);
    if (reply.lines.length === 0) lines.append(empty("No log lines at this level yet."));
    show(reply.lines);
  } catch (error) {
    if (signal.aborted) return;
    if (error instanceof ApiError && error.status === 404)
      replace(lines, empty("This server has no log API yet (GET /api/logs)."));
    else replace(lines, errorBox(error));
  }
  ready = true;
  show(early);
  early = [];
}
