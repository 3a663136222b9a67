/**
 * The metric charts, drawn by uPlot: one chart per metric key against step, each selected run
 * (or seed group) a line on it, in the sections of series.js. `render` runs on every change; a
 * chart whose lines are unchanged only gets new data (uPlot's setData), so a live update does
 * not rebuild the page. Each chart's element carries data-key, data-points (points drawn over
 * its lines), data-series-points (per line) and data-log, which the browser test reads.
 */
import uPlot from "./uPlot.esm.js";
import { chartData, countPoints, ema, sectionsFor } from "./series.js";
import { el, fmt } from "./dom.js";

const HEIGHT = 210;
const FALLBACK_WIDTH = 420;

export class Charts {
  constructor(container) {
    this.container = container;
    /** @type {Map<string, { el: HTMLElement, plot: HTMLElement, u: uPlot | null, signature: string }>} */
    this.charts = new Map();
    this.layout = "";
    this.closedSections = new Set();
    window.addEventListener("resize", () => this.resize());
  }

  /**
   * @param {{ label: string, group: string, color: string, steps: number[], columns: Map<string, (number|null)[]> }[]} runs
   * @param {{ smoothing: number, log: boolean, groupSeeds: boolean }} opts
   */
  render(runs, opts) {
    const sections = sectionsFor(new Set(runs.flatMap((r) => [...r.columns.keys()])));
    const layout = JSON.stringify(sections);
    if (layout !== this.layout) this.rebuild(sections, layout);
    for (const [key, chart] of this.charts) {
      const lines = runs
        .filter((r) => r.columns.has(key))
        .map((r) => ({ label: r.label, group: r.group, color: r.color, steps: r.steps, values: ema(r.columns.get(key), opts.smoothing) }));
      this.draw(chart, chartData(lines, opts), opts.log);
    }
  }

  /** Fits every chart to its cell (after a resize, or when a hidden tab or section is shown). */
  resize() {
    for (const c of this.charts.values()) {
      const width = c.plot.clientWidth;
      if (c.u && width > 0 && width !== c.u.width) c.u.setSize({ width, height: HEIGHT });
    }
  }

  rebuild(sections, layout) {
    for (const c of this.charts.values()) c.u?.destroy();
    this.charts.clear();
    this.layout = layout;
    this.container.replaceChildren(
      ...sections.map((s) => {
        const grid = el("div", { class: "grid" });
        for (const key of s.keys) {
          const plot = el("div", { class: "plot" });
          const chart = { el: el("div", { class: "chart", dataset: { key } }, el("h3", {}, key), plot), plot, u: null, signature: "" };
          this.charts.set(key, chart);
          grid.append(chart.el);
        }
        const details = el("details", { class: "section", open: !this.closedSections.has(s.title) }, el("summary", {}, s.title, el("span", { class: "muted" }, ` ${s.keys.length}`)), grid);
        details.addEventListener("toggle", () => {
          if (details.open) this.closedSections.delete(s.title);
          else this.closedSections.add(s.title);
          this.resize();
        });
        return details;
      }),
    );
  }

  draw(chart, data, log) {
    const values = [data.x, ...data.lines.map((l) => l.values), ...data.bands.flatMap((b) => [b.hi, b.lo])];
    const signature = JSON.stringify([log, data.lines.map((l) => [l.label, l.color, l.runs]), data.bands.map((b) => b.line)]);
    if (chart.u && chart.signature === signature) chart.u.setData(values);
    else {
      chart.u?.destroy();
      chart.u = new uPlot(options(data, log, chart.plot.clientWidth || FALLBACK_WIDTH), values, chart.plot);
      chart.signature = signature;
      // The band edges are series too; their legend rows would only repeat the band.
      const rows = chart.u.root.querySelectorAll(".u-legend .u-series");
      for (let i = 1 + data.lines.length; i < rows.length; i++) rows[i].style.display = "none";
    }
    const counts = data.lines.map((l) => countPoints(l.values));
    chart.el.dataset.points = String(counts.reduce((a, b) => a + b, 0));
    chart.el.dataset.seriesPoints = counts.join(",");
    chart.el.dataset.log = log ? "1" : "0";
  }
}

/** uPlot's own y range, except that a constant series gets ±|value| around it (uPlot would show 0..100 for zeros). */
function linearRange(u, min, max) {
  if (min === null || max === null) return [0, 1];
  if (min !== max) return uPlot.rangeNum(min, max, 0.1, true);
  const pad = Math.abs(min) || 1;
  return [min - pad, max + pad];
}

/** uPlot options: step on x, the lines, then for each band its upper and lower edge (no stroke). */
function options(data, log, width) {
  const edge = { stroke: "transparent", width: 0, points: { show: false }, spanGaps: true };
  return {
    width,
    height: HEIGHT,
    scales: { x: { time: false }, y: log ? { distr: 3 } : { range: linearRange } },
    series: [
      { label: "step" },
      ...data.lines.map((l) => ({ label: l.runs > 1 ? `${l.label} (mean of ${l.runs})` : l.label, stroke: l.color, width: 1.5, spanGaps: true, value: (u, v) => (v === null ? "--" : fmt(v)) })),
      ...data.bands.flatMap(() => [{ ...edge, label: "max" }, { ...edge, label: "min" }]),
    ],
    bands: data.bands.map((b, i) => {
      const hi = 1 + data.lines.length + 2 * i;
      return { series: [hi, hi + 1], fill: `${data.lines[b.line].color}33` };
    }),
    axes: [{}, { size: 60, values: (u, splits) => splits.map(fmt) }],
    cursor: { sync: { key: "rlzero-step" } },
  };
}
