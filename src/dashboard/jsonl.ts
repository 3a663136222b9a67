/**
 * JSONL files that are still being written. A reader starts at a byte offset and stops at the
 * end of the last complete line, so the next read, from the returned offset, picks up where
 * this one stopped: a partial last line is left for later, never half-parsed.
 *
 * A line counts as complete when it ends in "\n", or when it is the last bytes of the file and
 * already parses as a JSON object (any proper prefix of an object's text is invalid JSON, since
 * the closing brace comes last). A complete line that is not a JSON object is skipped and counted.
 */
import { open, stat } from "node:fs/promises";

export type JsonObject = Record<string, unknown>;

export interface JsonlLine {
  /** Byte offsets of the line in the file, "\n" excluded. */
  start: number;
  end: number;
  value: JsonObject;
}

export interface JsonlSplit {
  lines: JsonlLine[];
  /** Offset just past the last complete line: where the next read starts. */
  next: number;
  /** Complete lines that were not JSON objects. */
  skipped: number;
}

const NEWLINE = 0x0a;

function parseObject(text: string): JsonObject | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as JsonObject) : null;
  } catch {
    return null;
  }
}

/** Splits `bytes`, which start at file offset `base`, into parsed lines. */
export function splitJsonl(bytes: Buffer, base: number): JsonlSplit {
  const lines: JsonlLine[] = [];
  let skipped = 0;
  let start = 0;
  while (start < bytes.length) {
    const newline = bytes.indexOf(NEWLINE, start);
    const end = newline === -1 ? bytes.length : newline;
    const text = bytes.toString("utf8", start, end);
    const value = text.trim() === "" ? null : parseObject(text);
    if (newline === -1 && value === null) break; // a partial last line: read it again later
    if (value !== null) lines.push({ start: base + start, end: base + end, value });
    else if (text.trim() !== "") skipped++;
    start = newline === -1 ? end : newline + 1;
  }
  return { lines, next: base + start, skipped };
}

/** Identifies a file's version: a rewrite by rename gives a new inode. */
export function fileIdentity(s: { dev: number; ino: number }): string {
  return `${s.dev}:${s.ino}`;
}

export interface JsonlRead extends JsonlSplit {
  /** The file's identity, to pass back with the next offset. */
  identity: string;
  /** True when the file was replaced or shrank since `identity`/`offset`: the lines are from offset 0. */
  reset: boolean;
}

/**
 * Reads the complete lines of `file` from byte `offset` to its end. If the file was replaced
 * (another identity) or is now shorter than `offset` (a resumed run rewrote it), reads from 0
 * and says so. A missing file reads as empty.
 */
export async function readJsonlFrom(file: string, offset: number, identity?: string): Promise<JsonlRead> {
  let info;
  try {
    info = await stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    return { lines: [], next: 0, skipped: 0, identity: "", reset: offset > 0 };
  }
  const id = fileIdentity(info);
  const reset = (identity !== undefined && identity !== id) || offset > info.size;
  const from = reset ? 0 : offset;
  return { ...splitJsonl(await readRange(file, from, info.size), from), identity: id, reset };
}

/** Reads the bytes [start, end) of a file (fewer if it is shorter now). */
export async function readRange(file: string, start: number, end: number): Promise<Buffer> {
  const bytes = Buffer.alloc(Math.max(0, end - start));
  const handle = await open(file, "r");
  try {
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, start);
    return bytes.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
