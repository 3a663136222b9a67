/**
 * Figures over seeds: mean, sample standard deviation (n − 1), range; and whether one figure is
 * above another by more than the seeds' spread allows one to say.
 */

export interface SeedStat {
  /** One value per seed. */
  values: number[];
  mean: number;
  /** Sample standard deviation (divides by n − 1); null for a single seed. */
  std: number | null;
  min: number;
  max: number;
}

/** The stat of per-seed values; null when there are none. */
export function seedStat(values: readonly number[]): SeedStat | null {
  const n = values.length;
  if (n === 0) return null;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const std = n < 2 ? null : Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  return { values: [...values], mean, std, min: Math.min(...values), max: Math.max(...values) };
}

export type Order = "above" | "below" | "unresolved";

export interface Comparison {
  order: Order;
  /** mean_a − mean_b */
  difference: number;
  /** Twice the standard error of the difference, sqrt(s_a²/n_a + s_b²/n_b); null with a single seed. */
  margin: number | null;
}

/**
 * `a` is above `b` when mean_a − mean_b exceeds twice the standard error of the difference
 * (Welch's t of 2: a two-sided test at about 88% confidence with 3 seeds each, 92% with 5);
 * below when the difference is at most minus that (so equal means with no spread are "below":
 * not ahead); unresolved in between, and always with a single seed on either side, where there
 * is no spread to judge by.
 */
export function compareStats(a: SeedStat, b: SeedStat): Comparison {
  const difference = a.mean - b.mean;
  if (a.std === null || b.std === null) return { order: "unresolved", difference, margin: null };
  const margin = 2 * Math.sqrt(a.std ** 2 / a.values.length + b.std ** 2 / b.values.length);
  const order = difference > margin ? "above" : difference <= -margin ? "below" : "unresolved";
  return { order, difference, margin };
}

/** Element-wise mean, min and max of equally long rows (one row per seed). */
export function band(rows: readonly (readonly number[])[]): { mean: number[]; min: number[]; max: number[] } {
  const columns = rows.length === 0 ? [] : rows[0].map((_, i) => rows.map((r) => r[i]));
  return {
    mean: columns.map((c) => c.reduce((s, v) => s + v, 0) / c.length),
    min: columns.map((c) => Math.min(...c)),
    max: columns.map((c) => Math.max(...c)),
  };
}
