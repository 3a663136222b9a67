/** Numbers over seeds as text: "41.3 ± 2.1" (mean ± sample std), the mean alone for one seed. */
import type { SeedStat } from "./stats.ts";

/** percent: a share shown in percentage points, one decimal; number: three significant digits. */
export type NumberKind = "percent" | "number";

export function formatNumber(x: number, kind: NumberKind, decimals = decimalsFor(x, kind)): string {
  if (!Number.isFinite(x)) return String(x);
  return (kind === "percent" ? 100 * x : x).toFixed(decimals);
}

export function formatStat(s: SeedStat | null, kind: NumberKind): string {
  if (s === null) return "–";
  const d = decimalsFor(s.mean, kind);
  return s.std === null ? formatNumber(s.mean, kind, d) : `${formatNumber(s.mean, kind, d)} ± ${formatNumber(s.std, kind, d)}`;
}

function decimalsFor(x: number, kind: NumberKind): number {
  if (kind === "percent") return 1;
  if (x === 0 || !Number.isFinite(x)) return 2;
  return Math.min(6, Math.max(0, 2 - Math.floor(Math.log10(Math.abs(x)))));
}
