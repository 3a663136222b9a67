/**
 * The comparison's charts, drawn by ECharts and rendered to SVG on the server (its SSR mode, no
 * DOM): one line per algorithm, the mean over seeds, with a shaded min–max band over seeds.
 *
 *   accuracy-vs-step.svg         held-out accuracy against step (step 0: the base model)
 *   accuracy-vs-kl.svg           held-out accuracy against the KL of the evaluated policy to the base
 *                                model; means only (the seeds differ in KL too, so a band in accuracy
 *                                alone would mislead)
 *   entropy-vs-step.svg          actor/entropy
 *   reward-vs-step.svg           critic/score/mean
 *   response-length-vs-step.svg  response_length/mean
 */
import fs from "node:fs";
import path from "node:path";
import type { CustomSeriesRenderItemAPI, CustomSeriesRenderItemParams, CustomSeriesRenderItemReturn, EChartsCoreOption } from "echarts";
import type { ComparisonResults, Series, SeriesName } from "./results.ts";

/** One algorithm's curve: the mean over seeds at each x, and the range over seeds. */
interface Curve {
  label: string;
  x: number[];
  mean: number[];
  min: number[];
  max: number[];
}

interface ChartSpec {
  file: string;
  title: string;
  xName: string;
  yName: string;
  curves: Curve[];
  /** Shade the min–max range over seeds. */
  bands: boolean;
  /** The x axis counts steps: whole-number ticks. */
  xSteps: boolean;
}

const WIDTH = 800;
const HEIGHT = 440;
/** One colour per algorithm, in --algorithms order, the same in every chart (ECharts' default palette). */
const PALETTE = ["#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452", "#9a60b4", "#ea7ccc"];

export function chartSpecs(results: ComparisonResults): ChartSpec[] {
  const bands = results.seeds.length > 1;
  const bench = `${results.shared.benchmark} (avg@${results.shared.benchmarkSamples}), %`;
  const overSteps = (name: SeriesName, scale = 1) => results.algorithms.map((a) => curve(a.label, a.series[name], a.series[name].steps, scale));
  return [
    { file: "accuracy-vs-step.svg", title: "Held-out accuracy", xName: "step", yName: bench, curves: overSteps("accuracy", 100), bands, xSteps: true },
    {
      file: "accuracy-vs-kl.svg", title: "Held-out accuracy against KL to the base model", xName: "KL of the evaluated policy (actor/kl, mean over seeds)", yName: bench,
      curves: results.algorithms.map((a) => curve(a.label, a.series.accuracy, evaluatedKl(a.series.accuracy.steps, a.series.kl), 100)),
      bands: false, xSteps: false,
    },
    { file: "entropy-vs-step.svg", title: "Policy entropy", xName: "step", yName: "actor/entropy", curves: overSteps("entropy"), bands, xSteps: true },
    { file: "reward-vs-step.svg", title: "Training reward", xName: "step", yName: "critic/score/mean", curves: overSteps("reward"), bands, xSteps: true },
    { file: "response-length-vs-step.svg", title: "Response length", xName: "step", yName: "response_length/mean (tokens)", curves: overSteps("response_length"), bands, xSteps: true },
  ];
}

/**
 * The KL of the policy evaluated at each step. Step s's actor/kl is measured on that step's
 * rollouts, before its update, so it is the KL of the policy evaluated at step s − 1: the
 * evaluation at step s pairs with step s + 1's KL (0 for the base model, step 0). The last
 * evaluation has no later step; it takes the last step's KL, one update behind.
 */
export function evaluatedKl(evalSteps: number[], kl: Series): number[] {
  const byStep = new Map(kl.steps.map((s, i) => [s, kl.mean[i]]));
  const last = kl.mean[kl.mean.length - 1];
  return evalSteps.map((s) => byStep.get(s + 1) ?? last);
}

function curve(label: string, s: Series, x: number[], scale: number): Curve {
  return { label, x, mean: s.mean.map((v) => v * scale), min: s.min.map((v) => v * scale), max: s.max.map((v) => v * scale) };
}

/** Renders every chart into `dir`; returns the files written. */
export async function writeCharts(results: ComparisonResults, dir: string): Promise<string[]> {
  const echarts = await loadECharts();
  fs.mkdirSync(dir, { recursive: true });
  return chartSpecs(results).map((spec) => {
    const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width: WIDTH, height: HEIGHT });
    chart.setOption(chartOption(spec));
    const file = path.join(dir, spec.file);
    fs.writeFileSync(file, chart.renderToSVGString() + "\n");
    chart.dispose();
    return file;
  });
}

/** ECharts is loaded when charts are drawn (its modules take seconds to load), not by every CLI command. */
async function loadECharts() {
  const [core, charts, components, renderers] = await Promise.all([
    import("echarts/core"), import("echarts/charts"), import("echarts/components"), import("echarts/renderers"),
  ]);
  core.use([charts.LineChart, charts.CustomChart, components.GridComponent, components.LegendComponent, components.TitleComponent, renderers.SVGRenderer]);
  return core;
}

export function chartOption(spec: ChartSpec): EChartsCoreOption {
  return {
    animation: false,
    backgroundColor: "#fff",
    title: { text: spec.title, left: "center", textStyle: { fontSize: 14 } },
    legend: { data: spec.curves.map((c) => c.label), bottom: 0 },
    grid: { left: 70, right: 30, top: 50, bottom: 80 },
    xAxis: { type: "value", name: spec.xName, nameLocation: "middle", nameGap: 28, scale: true, ...(spec.xSteps ? { minInterval: 1 } : {}) },
    yAxis: { type: "value", name: spec.yName, nameLocation: "middle", nameGap: 50, scale: true },
    series: spec.curves.flatMap((c, i) => {
      const color = PALETTE[i % PALETTE.length];
      const line = {
        type: "line", name: c.label, color, symbol: "circle", symbolSize: 4, showSymbol: true,
        data: c.x.map((x, j) => [x, c.mean[j]]),
      };
      return spec.bands ? [bandSeries(c, color), line] : [line];
    }),
  };
}

/** The min–max range over seeds as one filled polygon: along the maxima, back along the minima. */
function bandSeries(c: Curve, color: string) {
  return {
    type: "custom", name: `${c.label} (range over seeds)`, silent: true, z: 1,
    data: c.x.map((x, j) => [x, c.min[j], c.max[j]]),
    encode: { x: 0, y: [1, 2] }, // the y axis spans the band, not only the means
    renderItem: (params: CustomSeriesRenderItemParams, api: CustomSeriesRenderItemAPI): CustomSeriesRenderItemReturn => {
      if (params.dataIndexInside !== 0) return null;
      const upper = c.x.map((x, j) => api.coord([x, c.max[j]]));
      const lower = c.x.map((x, j) => api.coord([x, c.min[j]])).reverse();
      return { type: "polygon", shape: { points: [...upper, ...lower] }, style: { fill: color, opacity: 0.18 } };
    },
  };
}
