// @ts-check
/**
 * Jobs: a paged table (cursor paging, newest first) with topic, status, time and text filters, all
 * kept in the URL so a link shows the same list. Rows follow the live job events in place; new jobs
 * reload the first page (at most every few seconds).
 */
import { get, withQuery } from "../api.js";
import { badge, empty, errorBox, fmtTime, h, replace, throttle } from "../dom.js";
import * as live from "../live.js";

const STATUSES = ["new", "active", "done", "error"];
const PAGE_SIZE = 50;

/** @typedef {{ jobId: number, topic: string, status: string, params: string, result: string | null, error: string | null, createdAt: number, updatedAt: number, attempts: number, maxAttempts: number, progress: number }} Job */

/**
 * "2026-11-28T10:00" (datetime-local) from epoch ms, and back.
 * @param {string | null} ms
 */
function toLocalInput(ms) {
  if (!ms || !/^\d+$/.test(ms)) return "";
  const d = new Date(Number(ms));
  const p = (/** @type {number} */ n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** @param {string} value */
function fromLocalInput(value) {
  const ms = value ? new Date(value).getTime() : Number.NaN;
  return Number.isFinite(ms) ? String(ms) : "";
}

/** @param {import("../app.js").PageContext} ctx */
export async function render(ctx) {
  const { main, signal, query } = ctx;
  const filters = {
    topic: query.get("topic") ?? "",
    status: (query.get("status") ?? "").split(",").filter((s) => STATUSES.includes(s)),
    since: query.get("since") ?? "",
    until: query.get("until") ?? "",
    q: query.get("q") ?? "",
    cursor: query.get("cursor") ?? "",
  };
  const topics = h("datalist", { id: "topics" });
  const form = h(
    "form",
    { class: "filters rows", role: "search" },
    h(
      "div",
      { class: "filter-row" },
      h(
        "label",
        { class: "grow" },
        "Search ",
        h("input", {
          type: "search",
          name: "q",
          value: filters.q,
          placeholder: "text in params, result or error",
        }),
      ),
      h("button", { type: "submit" }, "Apply"),
      h("a", { href: "/jobs", class: "button quiet" }, "Clear"),
    ),
    h(
      "div",
      { class: "filter-row" },
      h(
        "label",
        null,
        "Topic ",
        h("input", { name: "topic", value: filters.topic, list: "topics", autocomplete: "off" }),
      ),
      topics,
      h(
        "fieldset",
        null,
        h("legend", null, "Status"),
        STATUSES.map((s) =>
          h(
            "label",
            { class: "check" },
            h("input", { type: "checkbox", name: "status", value: s, checked: filters.status.includes(s) }),
            s,
          ),
        ),
      ),
      h(
        "label",
        null,
        "Created ",
        h("input", { type: "datetime-local", name: "since", value: toLocalInput(filters.since) }),
      ),
      h(
        "label",
        null,
        "until ",
        h("input", { type: "datetime-local", name: "until", value: toLocalInput(filters.until) }),
      ),
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    ctx.navigate(
      withQuery("/jobs", {
        q: String(data.get("q") ?? "").trim(),
        topic: String(data.get("topic") ?? "").trim(),
        status: data.getAll("status").join(","),
        since: fromLocalInput(String(data.get("since") ?? "")),
        until: fromLocalInput(String(data.get("until") ?? "")),
      }),
    );
  });
  const body = h("div", { id: "job-list" }, h("p", { class: "muted" }, "Loading…"));
  const notice = h("p", { class: "notice", hidden: true });
  main.append(
    h(
      "div",
      { class: "row" },
      h("h1", null, "Jobs"),
      ctx.readOnly ? null : h("a", { href: "/jobs/new", class: "button" }, "New job"),
    ),
    form,
    notice,
    body,
  );

  get("/api/jobs/counts", signal).then(
    (reply) =>
      replace(
        topics,
        Object.keys(reply.counts)
          .sort()
          .map((t) => h("option", { value: t })),
      ),
    () => undefined,
  );

  const base = {
    topic: filters.topic,
    status: filters.status.join(","),
    since: filters.since,
    until: filters.until,
    q: filters.q,
  };
  /** @type {Map<number, HTMLTableRowElement>} */
  const rows = new Map();
  const load = async () => {
    try {
      const reply = await get(
        withQuery("/api/jobs", { ...base, limit: PAGE_SIZE, cursor: filters.cursor, view: "summary" }),
        signal,
      );
      rows.clear();
      notice.hidden = true;
      replace(body, table(reply.jobs, rows), pager(reply, base, filters.cursor));
    } catch (error) {
      if (!signal.aborted) replace(body, errorBox(error));
    }
  };
  // Only the first page of an unsearched list can take new jobs in place; elsewhere say so.
  const autoReload = !filters.cursor && !filters.q;
  const reload = throttle(load, 2000, signal);
  let unseen = 0;
  live.on(
    "job",
    (event) => {
      const row = rows.get(event.jobId);
      if (row) {
        updateRow(row, event);
        return;
      }
      if (event.version !== 1) return;
      if (filters.topic && event.topic !== filters.topic) return;
      if (filters.status.length && !filters.status.includes(event.status)) return;
      if (autoReload) {
        reload();
        return;
      }
      unseen++;
      replace(
        notice,
        `${unseen} new job${unseen === 1 ? "" : "s"} since this page was loaded. `,
        h("a", { href: "/jobs" }, "Show the newest"),
      );
      notice.hidden = false;
    },
    signal,
  );
  await load();
}

/**
 * @param {Job[]} jobs
 * @param {Map<number, HTMLTableRowElement>} rows filled with each job's row
 */
function table(jobs, rows) {
  if (jobs.length === 0) return empty("No jobs match these filters.");
  return h(
    "table",
    { class: "grid-table jobs" },
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        ["id", "topic", "status", "progress", "attempts", "created", "updated", "params / result"].map((t) =>
          h("th", null, t),
        ),
      ),
    ),
    h(
      "tbody",
      null,
      jobs.map((job) => {
        const row = h(
          "tr",
          { "data-job-id": job.jobId },
          h("td", { class: "num" }, h("a", { href: `/jobs/${job.jobId}` }, `#${job.jobId}`)),
          h("td", null, job.topic),
          h("td", { class: "status" }, badge(job.status)),
          h(
            "td",
            { class: "progress" },
            h("progress", { max: 100, value: job.progress }),
            ` ${job.progress}%`,
          ),
          h("td", { class: "num attempts" }, `${job.attempts}/${job.maxAttempts}`),
          h("td", { class: "time" }, fmtTime(job.createdAt)),
          h("td", { class: "time updated" }, fmtTime(job.updatedAt)),
          h(
            "td",
            { class: "data" },
            h("code", null, job.params),
            job.error !== null
              ? h("code", { class: "error-text" }, job.error)
              : job.result !== null
                ? h("code", { class: "result-text" }, job.result)
                : null,
          ),
        );
        rows.set(job.jobId, row);
        return row;
      }),
    ),
  );
}

/**
 * @param {HTMLTableRowElement} row
 * @param {import("../live.js").JobEvent} event
 */
function updateRow(row, event) {
  const cell = (/** @type {string} */ selector) => /** @type {HTMLElement} */ (row.querySelector(selector));
  replace(cell(".status"), badge(event.status));
  replace(cell(".progress"), h("progress", { max: 100, value: event.progress }), ` ${event.progress}%`);
  const attempts = cell(".attempts");
  attempts.textContent = `${event.attempts}/${(attempts.textContent ?? "").split("/")[1] ?? "?"}`;
  cell(".updated").textContent = fmtTime(event.updatedAt);
  row.classList.add("flash");
  setTimeout(() => row.classList.remove("flash"), 600);
}

/**
 * @param {{ nextCursor: string | null, scanned?: number, jobs: Job[] }} reply
 * @param {Record<string, string>} base
 * @param {string} cursor
 */
function pager(reply, base, cursor) {
  return h(
    "nav",
    { class: "pager", "aria-label": "Pages of jobs" },
    cursor ? h("a", { href: withQuery("/jobs", base), class: "button quiet" }, "« First page") : null,
    reply.nextCursor
      ? h(
          "a",
          {
            href: withQuery("/jobs", { ...base, cursor: reply.nextCursor }),
            class: "button quiet",
            rel: "next",
          },
          "Next page »",
        )
      : null,
    h(
      "span",
      { class: "muted" },
      `${reply.jobs.length} shown${reply.scanned !== undefined ? `, ${reply.scanned} scanned` : ""}`,
    ),
  );
}
