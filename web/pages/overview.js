// @ts-check
/** Overview: every service (state, address, uptime, start/stop/restart), job counts, throughput. */
import { ApiError, get, post } from "../api.js";
import { lineChart } from "../chart.js";
import { badge, empty, errorBox, every, fmtDuration, h, replace, throttle } from "../dom.js";
import * as live from "../live.js";

const STATUSES = ["new", "active", "done", "error"];
const RANGES = ["15m", "1h", "24h"];

/**
 * @typedef {{ name: string, enabled: boolean, state: string, address?: string, startedAt?: number, error?: string, details?: Record<string, unknown> }} Service
 */

/** @param {import("../app.js").PageContext} ctx */
export async function render(ctx) {
  const { main, signal } = ctx;
  const services = h("div", { class: "cards", id: "services" });
  const counts = h("div", { id: "counts" });
  const charts = h("div", { class: "charts", id: "timeline" });
  const range = RANGES.includes(ctx.query.get("range") ?? "") ? String(ctx.query.get("range")) : "1h";
  const rangeLinks = h(
    "span",
    { class: "tabs" },
    RANGES.map((r) =>
      h("a", { href: `/?range=${r}`, "aria-current": r === range ? "page" : false }, `last ${r}`),
    ),
  );
  main.append(
    h("h1", null, "Overview"),
    h("h2", null, "Services"),
    services,
    h("div", { class: "row section" }, h("h2", null, "Jobs"), h("span", { class: "spacer" }), rangeLinks),
    h("div", { class: "jobs-overview" }, counts, charts),
  );

  /** @type {Service[]} */
  let shown = [];
  const loadServices = async () => {
    try {
      shown = (await get("/api/services", signal)).services;
      replace(
        services,
        shown.map((service) => serviceCard(service, ctx, loadServices)),
      );
    } catch (error) {
      if (!signal.aborted) replace(services, errorBox(error));
    }
  };
  const reloadServices = throttle(loadServices, 1000, signal);

  let countsKey = "";
  /** @param {Record<string, Record<string, number>>} data */
  const showCounts = (data) => {
    const key = JSON.stringify(data);
    if (key === countsKey) return;
    countsKey = key;
    replace(counts, countsTable(data));
  };

  live.on(
    "stats",
    (stats) => {
      showCounts(stats.jobs);
      // A state that differs from the cards: fetch the full list (address, start time).
      if (stats.services.some((s) => shown.find((one) => one.name === s.name)?.state !== s.state)) {
        reloadServices();
      }
    },
    signal,
  );
  // Uptimes tick locally; no request.
  const ticker = setInterval(() => {
    for (const el of services.querySelectorAll("[data-started]")) {
      el.textContent = fmtDuration(Date.now() - Number(el.getAttribute("data-started")));
    }
  }, 1000);
  signal.addEventListener("abort", () => clearInterval(ticker));

  const loadTimeline = async () => {
    try {
      const data = await get(`/api/jobs/timeline?range=${range}`, signal);
      replace(charts, timelineCharts(data));
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ApiError && (error.status === 404 || error.status === 400)) {
        replace(charts, empty("No throughput history from this server yet (GET /api/jobs/timeline)."));
      } else replace(charts, errorBox(error));
    }
  };
  every(loadTimeline, 10_000, signal);

  const initialCounts = get("/api/jobs/counts", signal).then(
    (reply) => showCounts(reply.counts),
    (error) => {
      if (!signal.aborted) replace(counts, errorBox(error));
    },
  );
  await Promise.all([loadServices(), initialCounts, loadTimeline()]);
}

/**
 * @param {Service} service
 * @param {import("../app.js").PageContext} ctx
 * @param {() => Promise<void>} reload
 */
function serviceCard(service, ctx, reload) {
  const running = service.state === "running";
  const message = h("p", { class: "card-message" });
  const details = service.details ?? {};
  /** @param {string} action */
  const act = async (action) => {
    for (const b of card.querySelectorAll("button")) b.disabled = true;
    replace(message, `${action}…`);
    try {
      await post(`/api/services/${service.name}/${action}`);
      replace(message);
    } catch (error) {
      replace(message, errorBox(error));
    }
    await reload();
  };
  const controllable = service.enabled && service.name !== "ui" && !ctx.readOnly;
  /**
   * @param {string} action
   * @param {boolean} allowed
   */
  const button = (action, allowed) =>
    h(
      "button",
      { type: "button", disabled: !controllable || !allowed, onclick: () => act(action) },
      action[0]?.toUpperCase() + action.slice(1),
    );
  const facts = [
    ["address", service.address ?? "—"],
    [
      "uptime",
      running && service.startedAt
        ? h("span", { "data-started": service.startedAt }, fmtDuration(Date.now() - service.startedAt))
        : "—",
    ],
  ];
  if (service.name === "redis" && details.clients !== undefined)
    facts.push(["clients", String(details.clients)]);
  if (service.name === "jobs") {
    facts.push(["workers", String(details.workerCount ?? "—")]);
    if (Array.isArray(details.topics)) facts.push(["topics", details.topics.join(", ") || "—"]);
  }
  if (service.name === "webdav" && details.url) facts.push(["url", String(details.url)]);
  if (service.error) facts.push(["error", service.error]);
  const card = h(
    "article",
    { class: "card", "data-service": service.name },
    h("header", null, h("h3", null, service.name), badge(service.enabled ? service.state : "disabled")),
    h(
      "dl",
      { class: "facts" },
      facts.map(([key, value]) => [h("dt", null, key), h("dd", null, value)]),
    ),
    service.name === "ui"
      ? h("p", { class: "muted" }, "serves this page")
      : h(
          "div",
          { class: "actions" },
          button("start", !running && service.state !== "starting"),
          button("stop", running),
          button("restart", running),
        ),
    message,
  );
  return card;
}

/** @param {Record<string, Record<string, number>>} data */
function countsTable(data) {
  const topics = Object.keys(data).sort();
  if (topics.length === 0) return empty("No jobs stored yet. Create one on the New job page.");
  const totals = Object.fromEntries(STATUSES.map((s) => [s, 0]));
  /** @param {string} topic @param {string} status @param {number} n */
  const cell = (topic, status, n) =>
    h(
      "td",
      { class: "num" },
      n > 0
        ? h("a", { href: `/jobs?${new URLSearchParams({ ...(topic ? { topic } : {}), status })}` }, String(n))
        : "0",
    );
  const rows = topics.map((topic) => {
    const row = data[topic] ?? {};
    for (const s of STATUSES) totals[s] = (totals[s] ?? 0) + (row[s] ?? 0);
    const total = STATUSES.reduce((sum, s) => sum + (row[s] ?? 0), 0);
    return h(
      "tr",
      null,
      h("th", { scope: "row" }, h("a", { href: `/jobs?topic=${encodeURIComponent(topic)}` }, topic)),
      STATUSES.map((s) => cell(topic, s, row[s] ?? 0)),
      h("td", { class: "num" }, String(total)),
    );
  });
  const grand = STATUSES.reduce((sum, s) => sum + (totals[s] ?? 0), 0);
  return h(
    "table",
    { class: "grid-table counts" },
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        h("th", null, "topic"),
        STATUSES.map((s) => h("th", { class: "num" }, badge(s))),
        h("th", { class: "num" }, "total"),
      ),
    ),
    h("tbody", null, rows),
    h(
      "tfoot",
      null,
      h(
        "tr",
        null,
        h("th", { scope: "row" }, "all"),
        STATUSES.map((s) => cell("", s, totals[s] ?? 0)),
        h("td", { class: "num" }, String(grand)),
      ),
    ),
  );
}

/**
 * @param {{ range: string, bucketMs: number, points: { time: number, created: number, done: number, error: number, runP50Ms: number | null, runP95Ms: number | null, waitP50Ms: number | null }[] }} data
 */
function timelineCharts(data) {
  const times = data.points.map((p) => p.time);
  const minutes = data.bucketMs / 60_000;
  const per = Number.isInteger(minutes)
    ? `${minutes === 1 ? "" : `${minutes} `}min`
    : fmtDuration(data.bucketMs);
  return [
    lineChart({
      title: `Jobs per ${per}`,
      times,
      series: [
        { label: "created", values: data.points.map((p) => p.created) },
        { label: "done", values: data.points.map((p) => p.done) },
        { label: "error", values: data.points.map((p) => p.error) },
      ],
    }),
    lineChart({
      title: "Latency",
      times,
      format: fmtDuration,
      series: [
        { label: "run p50", values: data.points.map((p) => p.runP50Ms) },
        { label: "run p95", values: data.points.map((p) => p.runP95Ms) },
        { label: "wait p50", values: data.points.map((p) => p.waitP50Ms) },
      ],
    }),
  ];
}
