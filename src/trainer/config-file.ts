/**
 * Reading a run config: YAML (through `yaml`), `--set a.b=c` overrides (the value parsed as
 * YAML, so numbers, booleans and lists work), and validation by a zod schema with errors that
 * name the key, the file and the line: "configs/x.yaml:12: algorithm.clip_ratio_lo: unknown key".
 */
import fs from "node:fs";
import YAML, { LineCounter, isMap, isPair, isScalar, type Document, type Node } from "yaml";
import type { z } from "zod";
import { UserInputError, fileAccessError } from "../errors.ts";

export interface ConfigSource {
  /** The parsed YAML value (an object), overrides applied. */
  value: Record<string, unknown>;
  /** Where it came from, for errors: a file with its document, or a label such as "built-in default". */
  label: string;
  doc?: Document;
  lines?: LineCounter;
}

export function readConfigFile(file: string): ConfigSource {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw fileAccessError(file, e, "read");
  }
  return parseConfigText(text, file);
}

export function parseConfigText(text: string, label: string): ConfigSource {
  const lines = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new UserInputError(`${label}:${lines.linePos(e.pos[0]).line}: invalid YAML (${e.message.split("\n")[0]})`);
  }
  const value = doc.toJS() ?? {};
  if (typeof value !== "object" || Array.isArray(value)) throw new UserInputError(`${label}: a run config must be a mapping of keys`);
  return { value, label, doc, lines };
}

/** Applies `a.b.c=value` overrides in order; each value is parsed as YAML. */
export function applyOverrides(source: ConfigSource, overrides: readonly string[]): ConfigSource {
  const value = structuredClone(source.value);
  for (const o of overrides) {
    const eq = o.indexOf("=");
    if (eq <= 0) throw new UserInputError(`--set ${o}: expected key.path=value`);
    const keys = o.slice(0, eq).split(".");
    let node: Record<string, unknown> = value;
    for (const k of keys.slice(0, -1)) {
      const next = node[k];
      if (next === undefined || next === null) node[k] = {};
      else if (typeof next !== "object" || Array.isArray(next)) throw new UserInputError(`--set ${o}: ${k} is not a section`);
      node = node[k] as Record<string, unknown>;
    }
    node[keys[keys.length - 1]] = YAML.parse(o.slice(eq + 1));
  }
  return { ...source, value };
}

/** Validates against the schema; every issue names its key, and the file line when the key is in the file. */
export function validateConfig<S extends z.ZodType>(schema: S, source: ConfigSource): z.output<S> {
  const r = schema.safeParse(source.value);
  if (r.success) return r.data;
  const messages = r.error.issues.flatMap((issue) => {
    const keys = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
    return keys.map((p) => {
      const line = lineOf(source, p);
      const where = line ? `${source.label}:${line}` : source.label;
      const what = issue.code === "unrecognized_keys" ? "unknown key" : issue.message;
      return `${where}: ${p.join(".") || "(top level)"}: ${what}`;
    });
  });
  throw new UserInputError(messages.join("\n"));
}

/** The line of the deepest key of `path` present in the YAML file. */
function lineOf(source: ConfigSource, path: readonly PropertyKey[]): number | null {
  if (!source.doc || !source.lines) return null;
  let node: Node | null = source.doc.contents as Node | null;
  let line: number | null = null;
  for (const key of path) {
    if (!isMap(node)) break;
    const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(key));
    if (!pair || !isScalar(pair.key) || !pair.key.range) break;
    line = source.lines.linePos(pair.key.range[0]).line;
    node = pair.value as Node | null;
  }
  return line;
}
