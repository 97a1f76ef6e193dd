// @ts-check
/** System: CPU, memory and load over time; the host, disks, network and the heroagent process. */
import { ApiError, get } from "../api.js";
import { lineChart } from "../chart.js";
import { empty, errorBox, every, fmtBytes, fmtDuration, h, replace, tableHead } from "../dom.js";

/** Both requests every 10 s: at most one request per 5 s on average. */
const REFRESH_MS = 10_000;

/** @typedef {{ time: number, cpu: number | null, processCpu: number | null, memUsed: number, memTotal: number, rss: number, heapUsed: number, load1: number }} Sample */

/** @param {number} v */
const percent = (v) => `${Math.round(v * 100)}%`;

/** @param {import("../app.js").PageContext} ctx */
export async function render(ctx) {
  const { main, signal } = ctx;
  const charts = h("div", { class: "charts", id: "system-charts" });
  const facts = h("div", { class: "cards", id: "system-facts" });
  const disks = h("div", { id: "disks" });
  const network = h("div", { id: "network" });
  main.append(
    h("h1", null, "System"),
    charts,
    h("h2", null, "Host and process"),
    facts,
    h("h2", null, "Disks of the data folders"),
    disks,
    h("h2", null, "Network"),
    network,
  );

  const loadHistory = async () => {
    try {
      const { samples } = /** @type {{ intervalMs: number, samples: Sample[] }} */ (
        await get("/api/system/history", signal)
      );
      replace(charts, historyCharts(samples));
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ApiError && error.status === 404) {
        replace(charts, empty("No history from this server yet (GET /api/system/history)."));
      } else replace(charts, errorBox(error));
    }
  };
  const loadNow = async () => {
    try {
      const system = await get("/api/system", signal);
      replace(facts, hostCard(system.host), processCard(system.process));
      replace(disks, disksTable(system.disks));
      replace(network, networkTable(system.network));
    } catch (error) {
      if (!signal.aborted) replace(facts, errorBox(error));
    }
  };
  const both = () => Promise.all([loadHistory(), loadNow()]).then(() => undefined);
  every(both, REFRESH_MS, signal);
  await both();
}

/** @param {Sample[]} samples */
function historyCharts(samples) {
  const times = samples.map((s) => s.time);
  const memTotal = samples[samples.length - 1]?.memTotal;
  return [
    lineChart({
      title: "CPU",
      times,
      max: 1,
      format: percent,
      series: [
        { label: "host", values: samples.map((s) => s.cpu) },
        { label: "heroagent (of one core)", values: samples.map((s) => s.processCpu) },
      ],
    }),
    lineChart({
      title: "Memory",
      times,
      format: fmtBytes,
      ...(memTotal ? { max: memTotal } : {}),
      series: [
        { label: "host used", values: samples.map((s) => s.memUsed) },
        { label: "heroagent RSS", values: samples.map((s) => s.rss) },
        { label: "JS heap", values: samples.map((s) => s.heapUsed) },
      ],
    }),
    lineChart({
      title: "Load (1 min)",
      times,
      format: (v) => v.toFixed(2),
      series: [{ label: "load", values: samples.map((s) => s.load1) }],
    }),
  ];
}

/**
 * @param {string} title
 * @param {[string, string][]} facts
 */
function card(title, facts) {
  return h(
    "article",
    { class: "card" },
    h("header", null, h("h3", null, title)),
    h(
      "dl",
      { class: "facts" },
      facts.map(([k, v]) => [h("dt", null, k), h("dd", null, v)]),
    ),
  );
}

/** @param {{ hostname: string, platform: string, cpus: number, loadAverage: number[], memory: { total: number, free: number }, uptimeSeconds: number }} host */
function hostCard(host) {
  return card("Host", [
    ["name", host.hostname],
    ["platform", host.platform],
    ["CPUs", String(host.cpus)],
    ["load", host.loadAverage.map((v) => v.toFixed(2)).join(" · ")],
    ["memory", `${fmtBytes(host.memory.total - host.memory.free)} used of ${fmtBytes(host.memory.total)}`],
    ["uptime", fmtDuration(host.uptimeSeconds * 1000)],
  ]);
}

/** @param {{ pid: number, node: string, uptimeSeconds: number, rss: number, heapUsed: number, heapTotal: number, cpuMicros: { user: number, system: number } }} proc */
function processCard(proc) {
  return card("heroagent process", [
    ["pid", String(proc.pid)],
    ["Node.js", proc.node],
    ["uptime", fmtDuration(proc.uptimeSeconds * 1000)],
    ["RSS", fmtBytes(proc.rss)],
    ["JS heap", `${fmtBytes(proc.heapUsed)} of ${fmtBytes(proc.heapTotal)}`],
    ["CPU time", fmtDuration((proc.cpuMicros.user + proc.cpuMicros.system) / 1000)],
  ]);
}

/** @param {{ path: string, total: number, free: number }[]} list */
function disksTable(list) {
  if (list.length === 0) return empty("No disk information.");
  return h(
    "table",
    { class: "grid-table compact" },
    tableHead(["folder", "size", "used", "free", "in use"], ["size", "used", "free"]),
    h(
      "tbody",
      null,
      list.map((d) =>
        h(
          "tr",
          null,
          h("td", null, h("code", null, d.path)),
          h("td", { class: "num" }, fmtBytes(d.total)),
          h("td", { class: "num" }, fmtBytes(d.total - d.free)),
          h("td", { class: "num" }, fmtBytes(d.free)),
          h(
            "td",
            null,
            h("meter", { min: 0, max: 1, high: 0.9, value: d.total ? (d.total - d.free) / d.total : 0 }),
          ),
        ),
      ),
    ),
  );
}

/** @param {{ name: string, rxBytes: number, txBytes: number }[]} list */
function networkTable(list) {
  if (list.length === 0) return empty("No network counters on this platform.");
  return h(
    "table",
    { class: "grid-table compact" },
    tableHead(["interface", "received", "sent"], ["received", "sent"]),
    h(
      "tbody",
      null,
      list.map((n) =>
        h(
          "tr",
          null,
          h("td", null, n.name),
          h("td", { class: "num" }, fmtBytes(n.rxBytes)),
          h("td", { class: "num" }, fmtBytes(n.txBytes)),
        ),
      ),
    ),
  );
}
