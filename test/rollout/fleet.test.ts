/**
 * The trainer with two `rlzero serve` processes as its fleet, on the tiny task of
 * test/helpers/tiny-run.ts (a digit anywhere in a 4-token response, which a random model learns
 * in a few steps): the reward rises as with the local engine; weight versions advance one a step,
 * the servers' log-probs match the trainer's recomputed ones after every sync; one step off the
 * policy, the staleness is 1 and the versions lag one behind; a server killed mid-step costs no
 * sample and stops no run. The two servers are started once and shared by the tests, in order.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { RunConfigSchema } from "../../src/trainer/config.ts";
import { train } from "../../src/trainer/train.ts";
import { tempDir, tinyConfig, tinyModel } from "../helpers/tiny-run.ts";
import { serverMetrics, startServe, weightVersion, type ServeProcess } from "./servers.ts";

/**
 * Largest |served − recomputed| log-prob allowed after a sync: f32 weights, the server's KV-cache
 * decoding against the trainer's full forward (about 5e-7 measured).
 */
const LOGPROB_TOLERANCE = 1e-5;

const quiet = { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream;
const root = tempDir("fleet");
const model = tinyModel(path.join(root, "model"));
let a: ServeProcess;
let b: ServeProcess;

before(async () => {
  [a, b] = await Promise.all([startServe(model), startServe(model, "--batch-window-ms", "200")]);
});
after(() => {
  for (const s of [a, b]) s?.proc.kill("SIGKILL");
});

/** A tiny run on the two servers; `extra` merges into the rollout and trainer sections. */
function fleetConfig(name: string, rollout: Record<string, unknown> = {}, trainer: Record<string, unknown> = {}) {
  return RunConfigSchema.parse(tinyConfig(root, {
    run_dir: path.join(root, name),
    rollout: { engine: "openai", servers: { endpoints: [a.url, b.url], concurrency: 8, retries: 4 }, ...rollout },
    trainer: { steps: 10, eval_every: 0, save_every: 0, ...trainer },
  }));
}

async function run(cfg: ReturnType<typeof fleetConfig>, onStep?: (step: number, m: Record<string, number>) => void) {
  const steps: Record<string, number>[] = [];
  await train(cfg, { out: quiet, onStep: (step, m) => (steps.push(m), onStep?.(step, m)) });
  return { steps };
}

function assertLearns(steps: Record<string, number>[]): void {
  const scores = steps.map((m) => m["critic/score/mean"]!);
  const last = (scores[7]! + scores[8]! + scores[9]!) / 3;
  assert.ok(scores[0]! < 0.4, `the task starts hard enough (${scores[0]})`);
  assert.ok(last > scores[0]! + 0.3, `score ${scores.map((s) => s.toFixed(2)).join(" ")}`);
}

test("two rlzero serve processes as the fleet: the reward rises, versions advance each step, log-probs match after each sync", async () => {
  const before = await Promise.all([a, b].map((s) => serverMetrics(s.url)));
  const { steps } = await run(fleetConfig("in-step"));
  assertLearns(steps);
  assert.deepEqual(steps.map((m) => m["rollout/weight_version"]), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.ok(steps.every((m) => m["rollout/staleness"] === 0 && m["rollout/endpoints_alive"] === 2 && m["rollout/failed_requests"] === 0));
  for (const m of steps) {
    assert.ok(m["rollout/logprob_diff_max"]! < LOGPROB_TOLERANCE, `served vs trainer log-probs: max ${m["rollout/logprob_diff_max"]}`);
    assert.ok(m["rollout/logprob_diff_mean"]! <= m["rollout/logprob_diff_max"]!);
  }
  const after = await Promise.all([a, b].map((s) => serverMetrics(s.url)));
  for (const [i, s] of [a, b].entries()) {
    assert.ok(after[i]!.sequences_total! > before[i]!.sequences_total!, `${s.url} generated`);
    assert.equal(after[i]!.weight_updates_total! - before[i]!.weight_updates_total!, 11, "v0 at the start, then one load a step");
    assert.equal(await weightVersion(s.url), "10");
  }
  assert.deepEqual(fs.readdirSync(path.join(root, "in-step", "weights")).sort(), ["current", "v10", "v9"]);
});

test("one step off the policy: generation of step k+1 uses version k−1, staleness 1, corrected by truncated IS; the reward rises", async () => {
  const { steps } = await run(fleetConfig("async", { async: true, tis_cap: 2 }));
  assertLearns(steps);
  assert.deepEqual(steps.map((m) => m["rollout/weight_version"]), [0, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(steps.map((m) => m["rollout/staleness"]), [0, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  // Step 1 samples with the trainer's own weights: the IS weights are 1 up to the mismatch. Later
  // steps sample with the weights of one update before, and the weights move off 1.
  assert.ok(Math.abs(steps[0]!["rollout_corr/rollout_is_mean"]! - 1) < 1e-3);
  assert.ok(steps[0]!["rollout/logprob_diff_max"]! < LOGPROB_TOLERANCE);
  assert.ok(steps.slice(1).some((m) => m["rollout/logprob_diff_max"]! > 100 * LOGPROB_TOLERANCE), "stale samples differ from the trainer's policy");
  for (const s of [a, b]) assert.equal(await weightVersion(s.url), "10", "the last version is loaded after the last step");
});

test("a server killed mid-step: the run finishes with every sample, the failures counted", async () => {
  let killed = false;
  // b batches with a 200 ms window: once it has requests queued in step 3, kill it.
  const watch = async () => {
    for (let i = 0; i < 500 && !killed; i++) {
      const m = await serverMetrics(b.url).catch(() => null);
      if (m && m.queued_requests! > 0) {
        b.proc.kill("SIGKILL");
        killed = true;
        return;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  let watching: Promise<void> | null = null;
  const { steps } = await run(fleetConfig("kill", {}, { steps: 5 }), (step) => {
    if (step === 2) watching = watch();
  });
  await watching;
  await b.exited;
  assert.ok(killed, "b was killed while it held requests");
  assert.equal(steps.length, 5);
  assert.ok(steps.every((m) => m["train/prompts"] === 8), "every step trained on all its prompts");
  assert.ok(steps[2]!["rollout/failed_requests"]! > 0 && steps[2]!["rollout/retries"]! > 0, JSON.stringify(steps[2]));
  assert.equal(steps[2]!["rollout/endpoints_alive"], 1);
  assert.ok(steps.slice(2).every((m) => m["rollout/endpoints_alive"] === 1 && m["rollout/weight_load_failures"] === 1), "the dead server fails each later load");
  assert.deepEqual(steps.map((m) => m["rollout/weight_version"]), [0, 1, 2, 3, 4]);
  assert.equal(await weightVersion(a.url), "5");
});
