/**
 * docs/CONFIG.md, generated from the run config's zod schema (its JSON Schema form): every key
 * with its type, default and description, a table per section. `npm run config-docs` writes it
 * (and docs/PRETRAIN_CONFIG.md, from `schemaReference` over the pretraining schema); a test
 * checks the committed files are current.
 */
import { z } from "zod";
import { RunConfigSchema } from "./config.ts";

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema | JsonSchema[];
  prefixItems?: JsonSchema[];
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
}

interface Row {
  key: string;
  type: string;
  default: string;
  description: string;
}

const isSection = (s: JsonSchema): boolean => s.properties !== undefined;

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => `\`${JSON.stringify(v)}\``).join(" \\| ");
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.anyOf) return s.anyOf.map((a) => (isSection(a) ? "mapping" : typeOf(a))).join(" \\| ");
  if (s.prefixItems) return `[${s.prefixItems.map(typeOf).join(", ")}]`;
  if (s.type === "array" && s.items && !Array.isArray(s.items)) return `list of ${typeOf(s.items)}`;
  const t = Array.isArray(s.type) ? s.type.join(" \\| ") : (s.type ?? "any");
  const bounds = [s.minimum !== undefined ? `≥ ${s.minimum}` : "", s.exclusiveMinimum !== undefined ? `> ${s.exclusiveMinimum}` : "",
    s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER ? `≤ ${s.maximum}` : ""].filter(Boolean).join(", ");
  return bounds ? `${t} (${bounds})` : t;
}

function walk(s: JsonSchema, path: string, rows: Row[]): void {
  for (const [key, child] of Object.entries(s.properties ?? {})) {
    const p = path ? `${path}.${key}` : key;
    const items = child.type === "array" && child.items && !Array.isArray(child.items) ? child.items : null;
    if (isSection(child)) walk(child, p, rows);
    else if (items && isSection(items)) walk(items, `${p}[]`, rows);
    else {
      rows.push({
        key: `\`${p}\``,
        type: typeOf(child),
        default: child.default === undefined ? "" : `\`${JSON.stringify(child.default).replace(/\|/g, "\\|")}\``,
        description: (child.description ?? "").replace(/\|/g, "\\|").replace(/\n/g, " "),
      });
    }
  }
}

const runConfigJsonSchema = (): JsonSchema => z.toJSONSchema(RunConfigSchema, { io: "input", unrepresentable: "any" }) as JsonSchema;

/** Every leaf key of the run config, dotted ("data.eval[].n"), in schema order. */
export function configKeys(): string[] {
  const rows: Row[] = [];
  walk(runConfigJsonSchema(), "", rows);
  return rows.map((r) => r.key.slice(1, -1));
}

export function configReference(): string {
  return schemaReference(RunConfigSchema, "Run configuration reference", "src/trainer/config.ts");
}

/** The reference of a config schema: a table of its top-level keys, then one per section. */
export function schemaReference(configSchema: z.ZodType, title: string, source: string): string {
  const schema = z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const out = [
    `# ${title}`,
    "",
    `Generated from the schema in \`${source}\` (and the sections it embeds) by \`npm run config-docs\`;`,
    "do not edit by hand. A run config is YAML; every key is optional unless it has no default.",
    "Unknown keys are errors. Override any key on the command line with `--set key.path=value`.",
    "",
  ];
  const top = Object.entries(schema.properties ?? {});
  const scalars: Row[] = [];
  walk({ properties: Object.fromEntries(top.filter(([, v]) => !isSection(v))) }, "", scalars);
  const table = (rows: Row[]) => ["| key | type | default | description |", "|---|---|---|---|",
    ...rows.map((r) => `| ${r.key} | ${r.type} | ${r.default} | ${r.description} |`)];
  out.push("## Top level", "", ...table(scalars), "");
  for (const [key, section] of top.filter(([, v]) => isSection(v))) {
    const rows: Row[] = [];
    walk(section, key, rows);
    out.push(`## ${key}`, "", section.description ?? "", "", ...table(rows), "");
  }
  return out.join("\n").replace(/\n{3,}/g, "\n\n");
}
