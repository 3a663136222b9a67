/**
 * The page's own files, by the name the page asks for under /assets/: the files of page/ and
 * uPlot's module and stylesheet from node_modules. The names are fixed when the server starts,
 * so a request for an asset is a lookup in this table and never a path on disk.
 */
import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const pageDir = fileURLToPath(new URL("./page/", import.meta.url));
const uplotDist = path.join(path.dirname(createRequire(import.meta.url).resolve("uplot/package.json")), "dist");

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

/** The content type a file is served with; text formats of a run are shown as plain text. */
export function contentType(file: string): string {
  const ext = path.extname(file).toLowerCase();
  if ([".jsonl", ".yaml", ".yml", ".md", ".txt", ".log"].includes(ext)) return "text/plain; charset=utf-8";
  return CONTENT_TYPES[ext] ?? "application/octet-stream";
}

/** Asset name → file on disk. */
export const ASSETS = new Map<string, string>([
  ...readdirSync(pageDir, { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e): [string, string] => [e.name, path.join(pageDir, e.name)]),
  ["uPlot.esm.js", path.join(uplotDist, "uPlot.esm.js")],
  ["uPlot.min.css", path.join(uplotDist, "uPlot.min.css")],
]);
