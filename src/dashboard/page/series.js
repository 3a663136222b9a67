/**
 * What the charts show, as plain data (no DOM, so it is unit-tested in Node): which metric keys
 * go in which section, a run's metrics as columns, EMA smoothing, and the series of one chart,
 * with the seeds of a comparison's algorithm folded into a mean line and a min–max band.
 */

/** The sections shown first, in this order; every other numeric key is grouped by its prefix. */
export const SECTIONS = [
  { title: "Reward and accuracy", keys: ["critic/score/mean", "train/accuracy", "critic/rewards/mean"] },
  { title: "Evaluation accuracy", match: /^val-core\/.+\/acc\/mean@\d+$/ },
  { title: "Loss", keys: ["train/loss", "val/loss"] },
  { title: "Response length", keys: ["response_length/mean", "response_length/clip_ratio"] },
  { title: "Entropy and KL", keys: ["actor/entropy", "actor/kl", "actor/ppo_kl", "actor/kl_loss"] },
  { title: "Clip fraction", keys: ["actor/pg_clipfrac", "actor/pg_clipfrac_lower", "critic/vf_clipfrac"] },
  { title: "Value loss and explained variance", keys: ["critic/vf_loss", "critic/vf_explained_var"] },
  { title: "Gradient norm", keys: ["actor/grad_norm", "critic/grad_norm"] },
  { title: "Throughput and timing", keys: ["perf/throughput", "perf/time_per_step", "timing_s/step", "timing_s/gen", "timing_s/update_actor"] },
];

/** Keys that are not metrics. */
const NOT_METRICS = new Set(["step", "time"]);

/**
 * The sections for a set of metric keys: the fixed sections (only the keys present), then one
 * section per prefix ("critic/", "timing_s/", ...; "other" for keys without one) for the rest.
 * @param {Iterable<string>} keys
 * @returns {{ title: string, keys: string[] }[]}
 */
export function sectionsFor(keys) {
  const present = new Set(keys);
  const shown = new Set();
  const sections = [];
  for (const s of SECTIONS) {
    const ks = s.keys ? s.keys.filter((k) => present.has(k)) : [...present].filter((k) => s.match.test(k)).sort();
    ks.forEach((k) => shown.add(k));
    if (ks.length) sections.push({ title: s.title, keys: ks });
  }
  const byPrefix = new Map();
  for (const k of [...present].sort()) {
    if (shown.has(k)) continue;
    const slash = k.indexOf("/");
    const prefix = slash === -1 ? "other" : k.slice(0, slash + 1);
    if (!byPrefix.has(prefix)) byPrefix.set(prefix, []);
    byPrefix.get(prefix).push(k);
  }
  for (const [prefix, ks] of [...byPrefix].sort(([a], [b]) => a.localeCompare(b))) sections.push({ title: prefix, keys: ks });
  return sections;
}

/**
 * A run's metric records as columns: the steps in order, and per numeric key its value at each
 * step (null where the step lacks it, as `val-core/*` on steps without evaluation).
 * @param {Iterable<Record<string, unknown>>} records one per step, any order
 * @returns {{ steps: number[], columns: Map<string, (number | null)[]> }}
 */
export function toColumns(records) {
  const sorted = [...records].sort((a, b) => a.step - b.step);
  const columns = new Map();
  sorted.forEach((r, i) => {
    for (const [k, v] of Object.entries(r)) {
      if (NOT_METRICS.has(k) || typeof v !== "number" || !Number.isFinite(v)) continue;
      if (!columns.has(k)) columns.set(k, new Array(sorted.length).fill(null));
      columns.get(k)[i] = v;
    }
  });
  return { steps: sorted.map((r) => r.step), columns };
}

/**
 * Exponential moving average, debiased as TensorBoard's: s_t = w·s_{t-1} + (1−w)·x_t over the
 * non-null values, divided by 1 − w^t so the first points are not pulled toward 0. w = 0 is the
 * identity; nulls stay null and are skipped.
 * @param {(number | null)[]} values
 * @param {number} weight in [0, 1)
 */
export function ema(values, weight) {
  if (weight <= 0) return values.slice();
  let last = 0;
  let norm = 0;
  return values.map((v) => {
    if (v === null) return null;
    last = weight * last + (1 - weight) * v;
    norm = weight * norm + (1 - weight);
    return last / norm;
  });
}

/** Count of non-null values. */
export function countPoints(values) {
  return values.reduce((n, v) => n + (v === null ? 0 : 1), 0);
}

/**
 * One chart's data: x = the union of the steps of every series, each line's values aligned to it.
 * A group of several runs (the seeds of one algorithm, when `groupSeeds`) becomes its mean at
 * each step over the seeds that have the step, with a band from their min to their max.
 * @param {{ label: string, group: string, color: string, steps: number[], values: (number|null)[] }[]} runs
 *   each run's smoothed values of this chart's key
 * @param {{ groupSeeds: boolean, log: boolean }} opts log: values <= 0 become null
 * @returns {{ x: number[], lines: { label: string, color: string, values: (number|null)[], runs: number }[],
 *             bands: { line: number, lo: (number|null)[], hi: (number|null)[] }[] }}
 */
export function chartData(runs, opts) {
  const x = [...new Set(runs.flatMap((r) => r.steps))].sort((a, b) => a - b);
  const at = new Map(x.map((s, i) => [s, i]));
  const align = (r) => {
    const out = new Array(x.length).fill(null);
    r.steps.forEach((s, i) => (out[at.get(s)] = r.values[i]));
    return out;
  };
  const groups = new Map();
  for (const r of runs) {
    const key = opts.groupSeeds ? r.group : r.label;
    if (!groups.has(key)) groups.set(key, { label: opts.groupSeeds ? r.group : r.label, color: r.color, members: [] });
    groups.get(key).members.push(align(r));
  }
  const positive = (v) => (opts.log && v !== null && v <= 0 ? null : v);
  const lines = [];
  const bands = [];
  for (const g of groups.values()) {
    const reduce = (f) =>
      x.map((_, i) => {
        const vs = g.members.map((m) => m[i]).filter((v) => v !== null);
        return vs.length ? positive(f(vs)) : null;
      });
    lines.push({ label: g.label, color: g.color, values: reduce((vs) => vs.reduce((a, b) => a + b, 0) / vs.length), runs: g.members.length });
    if (g.members.length > 1) bands.push({ line: lines.length - 1, lo: reduce((vs) => Math.min(...vs)), hi: reduce((vs) => Math.max(...vs)) });
  }
  return { x, lines, bands };
}
