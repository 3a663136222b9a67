/**
 * A run config as verl's command line: the overrides of `python3 -m verl.trainer.main_ppo` that run
 * the same algorithm with the same hyper-parameters (verl-map.ts, one rule per key of ours), and
 * the notes of what does not carry over, printed after the command as shell comments.
 */
import type { RunConfig } from "../trainer/config.ts";
import { VERL_MAP, type VerlValue } from "./verl-map.ts";

/** The verl source the map was written against. */
export const VERL_SOURCE = "volcengine/verl @ b178a3cd56f58b2d502255daba591e92833930a7 (2026-01-29, 0.8.0.dev)";

export interface VerlExport {
  /** verl key (a leading "+" adds a key) → value, in the map's order. */
  overrides: Map<string, VerlValue>;
  /** Our keys whose values do not carry over, or carry over with a caveat. */
  notes: { key: string; value: unknown; note: string }[];
}

export function exportVerl(cfg: RunConfig): VerlExport {
  const overrides = new Map<string, VerlValue>();
  const notes: VerlExport["notes"] = [];
  for (const [key, rule] of Object.entries(VERL_MAP)) {
    const { set, note } = rule(cfg);
    for (const [k, v] of Object.entries(set ?? {})) overrides.set(k, v);
    if (note) notes.push({ key, value: valueAt(cfg, key), note });
  }
  return { overrides, notes };
}

/** The shell command, then the notes as comments; `label` names the config. */
export function verlCommand(exp: VerlExport, label: string): string {
  const lines = [
    `# ${label} as a verl run (rlzero export-recipe --format verl), mapped against ${VERL_SOURCE}.`,
    "# Add the cluster (trainer.nnodes, trainer.n_gpus_per_node, rollout tensor_model_parallel_size) and the data (data.train_files, data.val_files).",
    "python3 -m verl.trainer.main_ppo \\",
    ...[...exp.overrides].map(([k, v], i, all) => `  ${shellWord(`${k}=${hydraValue(v)}`)}${i + 1 < all.length ? " \\" : ""}`),
  ];
  if (exp.notes.length > 0) {
    lines.push("", "# Not carried over, or carried over with a caveat:");
    for (const n of exp.notes) lines.push(`#   ${n.key} = ${JSON.stringify(n.value) ?? "unset"}: ${n.note}`);
  }
  return lines.join("\n") + "\n";
}

/** A value in Hydra's override grammar: True/False, numbers, [a,b], {k:v}, and quoted strings where needed. */
export function hydraValue(v: VerlValue): string {
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return /^[\w./:-]+$/.test(v) ? v : `'${v.replace(/['\\]/g, "\\$&")}'`;
  if (Array.isArray(v)) return `[${v.map(String).join(",")}]`;
  return `{${Object.entries(v).map(([k, x]) => `${k}:${x}`).join(",")}}`;
}

function shellWord(s: string): string {
  return /^[\w.,/:=+-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}

/** Our config's value at a dotted key; "a[].b" collects b over the list a. */
function valueAt(cfg: unknown, key: string): unknown {
  return key.split(".").reduce<unknown>((v, part) => {
    if (part.endsWith("[]")) return ((v as Record<string, unknown[]>)?.[part.slice(0, -2)] ?? []);
    return Array.isArray(v) ? v.map((x) => (x as Record<string, unknown>)[part]) : (v as Record<string, unknown> | undefined)?.[part];
  }, cfg);
}
