/**
 * `rlzero compare` end to end on a tiny budget (2 algorithms × 2 seeds × 3 steps on a tiny random
 * model whose reward it learns in a few steps): the table's mean ± std against the runs' own
 * metrics, results.json's figures and series, SVG charts with one series per algorithm, and a
 * second invocation that reuses the finished runs and resumes an interrupted one from its
 * checkpoint.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { readMetrics } from "../../src/trainer/summary.ts";
import { promptFile, tempDir, tinyConfig, writeConfig } from "../helpers/tiny-run.ts";
import { rlzeroAsync as rlzero } from "../cli/spawn-cli.ts";

const root = tempDir("compare");
const out = path.join(root, "out");
const ACC = "val-core/heldout/acc/mean@2";
const RUNS = ["raftpp-seed0", "raftpp-seed1", "grpo-seed0", "grpo-seed1"];
const LABELS = { raftpp: "RAFT++", grpo: "GRPO" };
const CHARTS = { "accuracy-vs-step.svg": 4, "accuracy-vs-kl.svg": 4, "entropy-vs-step.svg": 3, "reward-vs-step.svg": 3, "response-length-vs-step.svg": 3 };

tinyConfig(root); // the model and the training prompts
const base = writeConfig(path.join(root, "base.yaml"), tinyConfig(root, {
  data: {
    train: { path: path.join(root, "train.jsonl") }, template: { name: "plain" },
    eval: [{ name: "heldout", dataset: { path: promptFile(path.join(root, "eval.jsonl"), 6) }, n: 2 }],
  },
  algorithm: { name: "ppo", value_clip: 0.3 }, // replaced by each algorithm's recipe
  trainer: { steps: 10, eval_every: 1, save_every: 1, log_kl: false },
}));
const args = (steps: number) => ["--threads", "1", "compare", "--algorithms", "raftpp,grpo", "--seeds", "2", "--steps", String(steps), "--config", base, "--out", out];

function sampleStd(xs: number[]): number {
  const m = xs.reduce((s, v) => s + v, 0) / xs.length;
  return Math.sqrt(xs.reduce((s, v) => s + (v - m) ** 2, 0) / (xs.length - 1));
}
const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
const at = (run: string, step: number, key: string) => readMetrics(path.join(out, "runs", run)).find((l) => l.step === step)![key];

interface Element { name: string; attrs: Record<string, string>; text: string }

/** Every element of a parsed XML tree, depth first. */
function elements(node: unknown, name = "", acc: Element[] = []): Element[] {
  if (Array.isArray(node)) {
    for (const n of node) elements(n, name, acc);
    return acc;
  }
  if (typeof node !== "object" || node === null) {
    acc.push({ name, attrs: {}, text: String(node) });
    return acc;
  }
  const o = node as Record<string, unknown>;
  const attrs = Object.fromEntries(Object.entries(o).filter(([k]) => k.startsWith("@_")).map(([k, v]) => [k.slice(2), String(v)]));
  acc.push({ name, attrs, text: o["#text"] === undefined ? "" : String(o["#text"]) });
  for (const [k, v] of Object.entries(o)) if (!k.startsWith("@_") && k !== "#text") elements(v, k, acc);
  return acc;
}

test("compare: table, results.json and SVG charts from the runs' metrics; a second invocation reuses and resumes", { timeout: 600_000 }, async () => {
  const first = await rlzero(args(3));
  assert.equal(first.status, 0, first.stderr);
  for (const run of RUNS) {
    const status = JSON.parse(fs.readFileSync(path.join(out, "runs", run, "run.json"), "utf8"));
    assert.deepEqual([status.status, status.step], ["finished", 3], run);
  }

  // The table: a row per algorithm, final accuracy mean ± sample std over the seeds' metrics.
  const md = fs.readFileSync(path.join(out, "results.md"), "utf8");
  const table = md.slice(md.indexOf("## Results"), md.indexOf("## Findings"));
  for (const [alg, label] of Object.entries(LABELS)) {
    const finals = [0, 1].map((seed) => at(`${alg}-seed${seed}`, 3, ACC));
    const expected = `| ${label} | ${(100 * mean(finals)).toFixed(1)} ± ${(100 * sampleStd(finals)).toFixed(1)} |`;
    assert.equal(table.split("\n").filter((l) => l.startsWith(`| ${label} |`)).length, 1, `one row for ${label}`);
    assert.ok(table.includes(expected), `${expected} in\n${table}`);
  }
  assert.match(md, /sample standard deviation \(n − 1\)/);
  assert.match(md, /\*\*RAFT\+\+ learns fastest early\*\*: (holds|does not hold|not resolved at this seed count);/);
  assert.match(md, /\*\*GRPO is ahead of RAFT at the end\*\*: not measured/);

  // results.json: the same figures, the formulas of results.ts, and the per-step series.
  const json = JSON.parse(fs.readFileSync(path.join(out, "results.json"), "utf8"));
  assert.deepEqual(json.algorithms.map((a: { algorithm: string }) => a.algorithm), ["raftpp", "grpo"]);
  for (const a of json.algorithms) {
    const runs = [0, 1].map((seed) => `${a.algorithm}-seed${seed}`);
    const close = (x: number, y: number, what: string) => assert.ok(Math.abs(x - y) < 1e-9, `${a.algorithm} ${what}: ${x} vs ${y}`);
    close(a.finalAccuracy.mean, mean(runs.map((r) => at(r, 3, ACC))), "final accuracy");
    close(a.finalAccuracy.std, sampleStd(runs.map((r) => at(r, 3, ACC))), "final accuracy std");
    close(a.kl.mean, mean(runs.map((r) => at(r, 3, "actor/kl"))), "KL"); // tail: 1 step of 3
    close(a.entropy.mean, mean(runs.map((r) => at(r, 3, "actor/entropy"))), "entropy");
    close(a.responseLength.mean, mean(runs.map((r) => at(r, 3, "response_length/mean"))), "length");
    const perKl = runs.map((r) => (at(r, 3, "critic/score/mean") - at(r, 1, "critic/score/mean")) / at(r, 3, "actor/kl"));
    close(a.rewardPerKl.mean, mean(perKl), "reward per KL");
    close(a.entropyDrop.mean, mean(runs.map((r) => 1 - at(r, 3, "actor/entropy") / at(r, 1, "actor/entropy"))), "entropy drop");
    assert.deepEqual(a.series.accuracy.steps, [0, 1, 2, 3]);
    assert.deepEqual(a.series.accuracy.seeds, runs.map((r) => [0, 1, 2, 3].map((s) => at(r, s, ACC))));
    assert.deepEqual(a.series.entropy.steps, [1, 2, 3]);
    assert.equal(a.settings.name, a.algorithm);
    assert.equal(a.settings.value_clip, 0.2, "the base config's algorithm: section is replaced, not merged");
  }
  assert.equal(json.shared.rewardValues, "minimalist");
  assert.equal(json.shared.policyStepsPerStep, 4, "off-policy mini-batches: 32 responses in 4");
  assert.match(md, /mini-batches of 8 responses × 1 epoch: 4 optimizer steps a step/);
  assert.equal(json.findings.length, 5);

  // Charts: valid SVG, one legend entry and one drawn series per algorithm, every point drawn.
  for (const [file, points] of Object.entries(CHARTS)) {
    const svg = fs.readFileSync(path.join(out, "charts", file), "utf8");
    assert.equal(XMLValidator.validate(svg), true, `${file} is well-formed XML`);
    const tree = new XMLParser({ ignoreAttributes: false }).parse(svg);
    assert.ok(tree.svg, `${file}: the root element is <svg>`);
    const all = elements(tree.svg);
    for (const label of Object.values(LABELS)) {
      assert.equal(all.filter((e) => e.name === "text" && e.text === label).length, 1, `${file}: legend entry ${label}`);
    }
    const drawn = new Map<string, Set<string>>();
    for (const e of all.filter((e) => e.attrs.ecmeta_ssr_type === "chart" && e.attrs.ecmeta_silent !== "true")) {
      drawn.set(e.attrs.ecmeta_series_index, (drawn.get(e.attrs.ecmeta_series_index) ?? new Set()).add(e.attrs.ecmeta_data_index));
    }
    assert.equal(drawn.size, 2, `${file}: one series per algorithm`);
    for (const indices of drawn.values()) assert.equal(indices.size, points, `${file}: every point of a series`);
    const bands = all.filter((e) => e.name === "polygon" && e.attrs.ecmeta_silent === "true").length;
    assert.equal(bands, file === "accuracy-vs-kl.svg" ? 0 : 2, `${file}: a min–max band per algorithm`);
  }

  // Interrupt grpo-seed1 after step 2 (as a kill would leave it), then run the same command again.
  const cut = path.join(out, "runs", "grpo-seed1");
  const whole = readMetrics(cut);
  fs.rmSync(path.join(cut, "checkpoints", "step-3"), { recursive: true });
  fs.writeFileSync(path.join(cut, "metrics.jsonl"), whole.filter((l) => l.step <= 2).map((l) => JSON.stringify(l) + "\n").join(""));
  const runJson = path.join(cut, "run.json");
  fs.writeFileSync(runJson, JSON.stringify({ ...JSON.parse(fs.readFileSync(runJson, "utf8")), status: "interrupted", step: 2 }));
  const kept = Object.fromEntries(RUNS.map((r) => [r, fs.readFileSync(path.join(out, "runs", r, "metrics.jsonl"), "utf8")]));

  const second = await rlzero(args(3));
  assert.equal(second.status, 0, second.stderr);
  assert.equal(second.stdout.match(/finished earlier, reused/g)?.length, 3, second.stdout);
  assert.match(second.stdout, /grpo seed 1: resuming/);
  for (const run of RUNS.filter((r) => r !== "grpo-seed1")) {
    assert.equal(fs.readFileSync(path.join(out, "runs", run, "metrics.jsonl"), "utf8"), kept[run], `${run} is not redone`);
  }
  const resumed = readMetrics(cut);
  assert.deepEqual(resumed.map((l) => l.step), [0, 1, 2, 3], "each step once");
  assert.ok(fs.readFileSync(path.join(cut, "metrics.jsonl"), "utf8").startsWith(kept["grpo-seed1"]), "steps 0-2 kept, not redone");
  for (const key of [ACC, "critic/score/mean", "actor/kl"]) assert.equal(resumed[3][key], whole[3][key], `step 3 from the checkpoint: ${key}`);

  // A third invocation with another budget is refused: it would mix unlike runs.
  const other = await rlzero(args(4));
  assert.equal(other.status, 1);
  assert.match(other.stderr, /config\.yaml: this run was made with other settings \(trainer\.steps\)/);
  assert.doesNotMatch(other.stderr, /\n\s+at /, "a user error, no stack trace");
});
