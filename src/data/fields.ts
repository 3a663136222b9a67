/**
 * Field paths into a row: `problem`, or dotted through objects and arrays where a file nests
 * its fields (`prompt.0.value`, `reward_model.ground_truth`). A key that itself contains a
 * dot is looked up whole first, so flat files with dotted column names still work.
 */

/** The value at `path` in `row`, or undefined when any step is missing. */
export function getPath(row: unknown, path: string): unknown {
  if (isRecord(row) && Object.hasOwn(row, path)) return row[path];
  let cur: unknown = row;
  for (const step of path.split(".")) {
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(step)) return undefined;
      cur = cur[Number(step)];
    } else if (isRecord(cur)) {
      cur = Object.hasOwn(cur, step) ? cur[step] : undefined;
    } else {
      return undefined;
    }
    if (cur === undefined) return undefined;
  }
  return cur;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A short description of what a row holds, for error messages: its keys, or its type. */
export function describeRow(row: unknown): string {
  if (isRecord(row)) return `keys: ${Object.keys(row).slice(0, 12).join(", ") || "none"}`;
  if (Array.isArray(row)) return `a list of ${row.length}`;
  return `a ${row === null ? "null" : typeof row}`;
}
