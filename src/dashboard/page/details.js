/**
 * The focused run's evaluation and configuration tabs: each eval/step-N/report.json as a table
 * (with links to its <benchmark>.jsonl responses), summary.json's base against final, the
 * config.yaml as written, and, when several runs are selected, the config keys that differ.
 */
import { el, fmt } from "./dom.js";

function table(head, rows) {
  return el("table", {}, el("thead", {}, el("tr", {}, ...head.map((h) => el("th", {}, h)))), el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c) => el("td", {}, c))))));
}

/** The k's of a per-k field ("pass@k": {"1": .., "4": ..}) over all benchmarks, ascending. */
function ks(benchmarks, field) {
  return [...new Set(benchmarks.flatMap((b) => Object.keys(b[field] ?? {})))].sort((a, b) => Number(a) - Number(b));
}

function fileLink(path) {
  return el("a", { href: `/files/${path.split("/").map(encodeURIComponent).join("/")}`, target: "_blank" }, path.split("/").pop());
}

function evalTable({ step, report, responseFiles }) {
  const benchmarks = Array.isArray(report?.benchmarks) ? report.benchmarks : [];
  const pass = ks(benchmarks, "pass@k");
  const maj = ks(benchmarks, "maj@k");
  const head = ["benchmark", "count", "n", "acc", ...pass.map((k) => `pass@${k}`), ...maj.map((k) => `maj@${k}`), "response length", "truncated", "responses"];
  const rows = benchmarks.map((b) => {
    const file = responseFiles.find((f) => f.endsWith(`/${b.name}.jsonl`));
    return [b.name, fmt(b.count), fmt(b.n), fmt(b.acc), ...pass.map((k) => fmt(b["pass@k"]?.[k])), ...maj.map((k) => fmt(b["maj@k"]?.[k])), fmt(b.response_length), fmt(b.truncation_rate), file ? fileLink(file) : ""];
  });
  return el("section", { class: "eval", dataset: { step } }, el("h3", {}, `step ${step}`), report ? table(head, rows) : el("p", { class: "muted" }, "report.json missing or unreadable"));
}

function summaryTable(summary) {
  const base = summary.base ?? {};
  const final = summary.final ?? {};
  const keys = [...new Set([...Object.keys(base), ...Object.keys(final)])];
  return el(
    "section",
    {},
    el("h3", {}, `summary: ${fmt(summary.steps)} steps in ${fmt(summary.seconds)} s`),
    table(["", "base", "final"], keys.map((k) => [k, fmt(base[k]), fmt(final[k])])),
  );
}

/** @param {HTMLElement} root @param {object} details the /api/run answer */
export function renderEvals(root, details) {
  root.replaceChildren(
    ...(details.summary ? [summaryTable(details.summary)] : []),
    ...(details.evals.length ? details.evals.map(evalTable) : [el("p", { class: "muted" }, "no evaluation yet (eval/step-N/)")]),
  );
}

/** A nested config as dotted keys → values. */
function flatten(value, prefix = "", out = new Map()) {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, JSON.stringify(value));
  return out;
}

/**
 * @param {HTMLElement} root
 * @param {object} details the focused run's /api/run answer
 * @param {object[]} selected the /api/run answers of every selected run
 */
export function renderConfig(root, details, selected) {
  const parts = [];
  const withConfig = selected.filter((d) => d.config);
  if (withConfig.length > 1) {
    const flat = withConfig.map((d) => flatten(d.config));
    const keys = [...new Set(flat.flatMap((f) => [...f.keys()]))].filter((k) => new Set(flat.map((f) => f.get(k))).size > 1).sort();
    parts.push(
      el("h3", {}, `config keys that differ across the ${withConfig.length} selected runs`),
      keys.length ? table(["key", ...withConfig.map((d) => d.id)], keys.map((k) => [k, ...flat.map((f) => f.get(k) ?? "—")])) : el("p", { class: "muted" }, "none"),
    );
  }
  parts.push(el("h3", {}, `${details.id}/config.yaml`), el("pre", { id: "config-text" }, details.configText ?? "no config.yaml"));
  root.replaceChildren(...parts);
}
