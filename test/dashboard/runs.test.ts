import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { findRuns, runDetails } from "../../src/dashboard/runs.ts";
import { FIXTURE_RUNS, scratchRuns } from "./helpers.ts";

const root = realpathSync(FIXTURE_RUNS);

test("findRuns finds every run a few levels deep, a comparison's seeds grouped by algorithm", async () => {
  const runs = await findRuns(root);
  assert.deepEqual(runs.map((r) => r.id), ["compare/runs/grpo-seed0", "compare/runs/grpo-seed1", "compare/runs/ppo-seed0", "compare/runs/ppo-seed1", "grpo", "live", "ppo-critic"]);
  const seed = runs.find((r) => r.id === "compare/runs/ppo-seed1")!;
  assert.deepEqual([seed.compare, seed.algorithm, seed.seed, seed.name], ["compare", "ppo", 1, "ppo-seed1"]);
  const live = runs.find((r) => r.id === "live")!;
  assert.deepEqual([live.status, live.step, live.total_steps, live.kind, live.compare, live.problems], ["running", 6, 20, "train", null, []]);
});

test("findRuns lists a run reached through a symlink inside once, and skips symlinks that lead outside", async () => {
  const scratch = scratchRuns();
  try {
    const ids = (await findRuns(realpathSync(scratch.runs))).map((r) => r.id);
    assert.ok(ids.includes("grpo") && !ids.includes("link-in"), ids.join(", "));
    assert.ok(!ids.some((id) => id.startsWith("link-out")), "the outside directory holds a metrics.jsonl, but is not listed");
  } finally {
    scratch.remove();
  }
});

test("a run directory given as the root is the run '.'; a bad run.json is a problem shown, not an error", async () => {
  const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), "rlzero-runs-")));
  try {
    writeFileSync(path.join(dir, "metrics.jsonl"), "");
    writeFileSync(path.join(dir, "run.json"), '{"status": "running", "step": ');
    const [run] = await findRuns(dir);
    assert.equal(run.id, ".");
    assert.equal(run.name, path.basename(dir));
    assert.equal(run.status, undefined);
    assert.match(run.problems[0], /^run\.json: not valid JSON/);

    writeFileSync(path.join(dir, "run.json"), '{"status": "exploded", "step": 3}');
    assert.match((await findRuns(dir))[0].problems[0], /^run\.json: status: /);
    mkdirSync(path.join(dir, "eval", "step-2"), { recursive: true });
    writeFileSync(path.join(dir, "config.yaml"), "a: [1, 2\n");
    const details = await runDetails(dir, ".");
    assert.ok(details.problems.some((p) => p.startsWith("config.yaml: ")), details.problems.join("; "));
    assert.deepEqual(details.evals, [{ step: 2, report: null, responseFiles: [] }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("runDetails reads config.yaml, summary.json and the evaluation reports in step order", async () => {
  const d = await runDetails(root, "ppo-critic");
  assert.equal(d.configText, readFileSync(path.join(root, "ppo-critic", "config.yaml"), "utf8"));
  assert.equal((d.config as { algorithm: string }).algorithm, "ppo");
  assert.equal(d.run?.status, "finished");
  assert.equal((d.summary as { steps: number }).steps, 12);
  assert.deepEqual(d.evals.map((e) => e.step), [5, 10]);
  assert.deepEqual(d.evals[1].responseFiles, ["ppo-critic/eval/step-10/arith-eval.jsonl", "ppo-critic/eval/step-10/countdown.jsonl"]);
  assert.deepEqual(d.evals[1].report, JSON.parse(readFileSync(path.join(root, "ppo-critic", "eval", "step-10", "report.json"), "utf8")));
  assert.deepEqual(d.problems, []);
  assert.equal((await runDetails(root, "live")).summary, null, "a running run has no summary yet");
});
