// @ts-check
/** A small SVG line chart: a few series over shared times, gaps where a value is null. */
import { h } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
const W = 520;
const H = 170;
const PAD = { left: 62, right: 12, top: 12, bottom: 26 };

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

/**
 * The y-axis top for values up to `value`: 1, 2 or 5 times a power of ten (at least 1).
 * @param {number} value
 */
function niceCeil(value) {
  if (!(value > 1)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((m) => m * power >= value) ?? 10;
  return step * power;
}

/** @param {number} v */
function plain(v) {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
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
export function lineChart({ title, times, series, format = plain, max }) {
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img", "aria-label": title });
  svg.append(s("title", {}, title));
  const values = series.flatMap((one) => one.values).filter((v) => typeof v === "number");
  const top = max ?? niceCeil(Math.max(0, ...values.map(Number)));
  const first = times[0] ?? 0;
  const last = times[times.length - 1] ?? first + 1;
  const x = (/** @type {number} */ t) =>
    PAD.left + ((t - first) / Math.max(1, last - first)) * (W - PAD.left - PAD.right);
  const y = (/** @type {number} */ v) => H - PAD.bottom - (v / top) * (H - PAD.top - PAD.bottom);
  const empty = values.length === 0;
  for (const fraction of empty ? [0] : [0, 0.5, 1]) {
    const v = top * fraction;
    svg.append(s("line", { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v), class: "grid" }));
    svg.append(s("text", { x: PAD.left - 6, y: y(v) + 5, class: "axis", "text-anchor": "end" }, format(v)));
  }
  if (empty) {
    svg.append(
      s("text", { x: W / 2, y: H / 2, class: "axis", "text-anchor": "middle" }, "no data in this range"),
    );
  }
  if (times.length > 0) {
    svg.append(s("text", { x: PAD.left, y: H - 6, class: "axis" }, clock(first)));
    svg.append(s("text", { x: W - PAD.right, y: H - 6, class: "axis", "text-anchor": "end" }, clock(last)));
  }
  series.forEach((one, index) => {
    let d = "";
    one.values.forEach((v, i) => {
      const t = times[i];
      if (typeof v !== "number" || t === undefined) return;
      const px = x(t).toFixed(1);
      const py = y(Math.min(v, top)).toFixed(1);
      const joined = typeof one.values[i - 1] === "number";
      d += `${joined ? "L" : "M"}${px},${py}`;
      // A value with no neighbour would draw nothing as a line: mark it with a dot.
      if (!joined && typeof one.values[i + 1] !== "number") {
        svg.append(s("circle", { cx: px, cy: py, r: 2.5, class: `dot series-${index}` }));
      }
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
