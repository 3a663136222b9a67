/**
 * Rows of a data file, each with where it came from for error messages: JSON lines
 * (`file:LINE`), a JSON list (`file:LINE` of the element's first character, found by a scan
 * of the text since JSON.parse gives no positions) or Parquet (`file: row N`, read with
 * hyparquet; 64-bit integers become numbers when exact, else strings). A JSON-lines row that
 * does not parse is returned with its error, so the caller decides to fail or skip.
 * Simplification: the whole file is read into memory.
 */
import { readFileSync } from "node:fs";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import { fileAccessError, UserInputError } from "../errors.ts";

export type RowFormat = "jsonl" | "json" | "parquet";

export interface Row {
  /** 0-based position among the file's rows (blank lines do not count). */
  index: number;
  /** "file:LINE" or "file: row N". */
  where: string;
  value?: unknown;
  /** Why the row could not be read (JSON lines only). */
  error?: string;
}

/** The row format a file name implies, or null. */
export function formatFromName(file: string): RowFormat | null {
  if (/\.(jsonl|ndjson)$/i.test(file)) return "jsonl";
  if (/\.json$/i.test(file)) return "json";
  if (/\.parquet$/i.test(file)) return "parquet";
  return null;
}

export async function readRows(file: string, format: RowFormat): Promise<Row[]> {
  if (format === "parquet") return readParquet(file);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw fileAccessError(file, e, "read");
  }
  return format === "jsonl" ? jsonLines(file, text) : jsonList(file, text);
}

function jsonLines(file: string, text: string): Row[] {
  const rows: Row[] = [];
  text.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    const row: Row = { index: rows.length, where: `${file}:${i + 1}` };
    try {
      row.value = JSON.parse(line);
    } catch (e) {
      row.error = `not valid JSON (${(e as Error).message})`;
    }
    rows.push(row);
  });
  return rows;
}

function jsonList(file: string, text: string): Row[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UserInputError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(data)) {
    throw new UserInputError(`${file}: expected a JSON list of rows, got ${data === null ? "null" : typeof data}${typeof data === "object" && data ? ` with keys ${Object.keys(data).slice(0, 8).join(", ")}` : ""}`);
  }
  const lines = elementLines(text);
  return data.map((value, index) => ({ index, where: `${file}:${lines[index] ?? "?"}`, value }));
}

/** The 1-based line on which each element of a top-level JSON list starts (text already known to parse). */
function elementLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    if (inString) {
      if (escaped) escaped = false;
      else if (c === 92) escaped = true; // backslash
      else if (c === 34) inString = false; // quote
      continue;
    }
    const space = c === 32 || c === 9 || c === 10 || c === 13;
    if (depth === 1 && expectElement && !space && c !== 93) {
      lines.push(line);
      expectElement = false;
    }
    if (c === 34) inString = true;
    else if (c === 91 || c === 123) { // [ {
      depth++;
      if (depth === 1) expectElement = true;
    } else if (c === 93 || c === 125) depth--; // ] }
    else if (c === 44 && depth === 1) expectElement = true; // ,
  }
  return lines;
}

async function readParquet(file: string): Promise<Row[]> {
  let objects: Record<string, unknown>[];
  try {
    objects = await parquetReadObjects({ file: await asyncBufferFromFile(file) });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code) throw fileAccessError(file, e, "read");
    throw new UserInputError(`${file}: cannot read as Parquet (${(e as Error).message})`);
  }
  return objects.map((value, index) => ({ index, where: `${file}: row ${index + 1}`, value: plain(value) }));
}

/** Parquet values as JSON would give them: 64-bit integers as numbers (strings when not exact). */
function plain(v: unknown): unknown {
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}
