// @ts-check
/** A small SVG line chart: a few series over shared times, gaps where a value is null. */
import { h } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
const W = 640;
const H = 180;
const PAD = { left: 52, right: 10, top: 10, bottom: 22 };

/**
 * @param {string} tag
 * @param {Record<string, string | number>} attrs
 * @param {string} [text]
 */
function s(tag, attrs, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** @param {number} ms */
function clock(ms) {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

/**
 * @typedef {object} ChartOptions
 * @property {string} title
 * @property {number[]} times epoch ms, ascending
 * @property {{ label: string, values: (number | null | undefined)[] }[]} series
 * @property {(value: number) => string} [format] y-axis labels
 * @property {number} [max] fixed top of the y axis (else the largest value)
 */

/**
 * A figure with the chart and its legend.
 * @param {ChartOptions} options
 */
export function lineChart({ title, times, series, format = (v) => String(Math.round(v)), max }) {
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img", "aria-label": title });
  svg.append(s("title", {}, title));
  const values = series.flatMap((one) => one.values).filter((v) => typeof v === "number");
  const top = max ?? Math.max(1e-9, ...values.map(Number)) * 1.1;
  const first = times[0] ?? 0;
  const last = times[times.length - 1] ?? first + 1;
  const x = (/** @type {number} */ t) =>
    PAD.left + ((t - first) / Math.max(1, last - first)) * (W - PAD.left - PAD.right);
  const y = (/** @type {number} */ v) => H - PAD.bottom - (v / top) * (H - PAD.top - PAD.bottom);
  for (const fraction of [0, 0.5, 1]) {
    const v = top * fraction;
    svg.append(s("line", { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v), class: "grid" }));
    svg.append(s("text", { x: PAD.left - 6, y: y(v) + 4, class: "axis", "text-anchor": "end" }, format(v)));
  }
  if (times.length > 0) {
    svg.append(s("text", { x: PAD.left, y: H - 6, class: "axis" }, clock(first)));
    svg.append(s("text", { x: W - PAD.right, y: H - 6, class: "axis", "text-anchor": "end" }, clock(last)));
  } else {
    svg.append(s("text", { x: W / 2, y: H / 2, class: "axis", "text-anchor": "middle" }, "no data yet"));
  }
  series.forEach((one, index) => {
    let d = "";
    let pen = false;
    one.values.forEach((v, i) => {
      const t = times[i];
      if (typeof v !== "number" || t === undefined) {
        pen = false;
        return;
      }
      d += `${pen ? "L" : "M"}${x(t).toFixed(1)},${y(Math.min(v, top)).toFixed(1)}`;
      pen = true;
    });
    if (d) svg.append(s("path", { d, class: `line series-${index}` }));
  });
  const legend = h(
    "figcaption",
    { class: "legend" },
    h("strong", null, title),
    series.map((one, index) => {
      const latest = [...one.values].reverse().find((v) => typeof v === "number");
      return h(
        "span",
        null,
        h("i", { class: `swatch series-${index}` }),
        `${one.label}${typeof latest === "number" ? ` ${format(latest)}` : ""}`,
      );
    }),
  );
  return h("figure", { class: "chart-box" }, svg, legend);
}
