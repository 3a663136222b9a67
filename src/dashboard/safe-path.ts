/**
 * The one gate between a request and the file system. A request names a path relative to the
 * runs directory; it is served only if it has no `..` segment, is not absolute, and still lies
 * inside the runs directory once every symlink is resolved (realpath). Every file the dashboard
 * reads, a run's own metrics.jsonl included, goes through `resolveInside`.
 */
import { realpath } from "node:fs/promises";
import path from "node:path";

export type Resolved = { ok: true; path: string } | { ok: false; reason: "forbidden" | "missing" };

/** Percent-decodes a raw URL path (so `%2e%2e%2f` becomes `../` before it is checked); null if malformed. */
export function decodeUrlPath(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/** The segments of a decoded relative path, or null if it is absolute, holds a NUL or climbs with `..`. */
export function relativeSegments(rel: string): string[] | null {
  if (rel.includes("\0")) return null;
  if (path.posix.isAbsolute(rel) || path.win32.isAbsolute(rel)) return null;
  const segments = rel.split(/[/\\]/).filter((s) => s !== "" && s !== ".");
  return segments.includes("..") ? null : segments;
}

/** True if `p` is `root` or below it (both already real paths). */
export function isInside(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/** The real path of `rel` under the real directory `root`, if the path is allowed and exists. */
export async function resolveInside(root: string, rel: string): Promise<Resolved> {
  const segments = relativeSegments(rel);
  if (segments === null) return { ok: false, reason: "forbidden" };
  let real: string;
  try {
    real = await realpath(path.join(root, ...segments));
  } catch {
    return { ok: false, reason: "missing" };
  }
  return isInside(root, real) ? { ok: true, path: real } : { ok: false, reason: "forbidden" };
}
