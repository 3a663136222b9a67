/**
 * RolloutSchedule against a recording engine: in step, every update is written and loaded before
 * the next generation; one step off the policy, the next step's generation starts with the served
 * weights, new weights are loaded only once it has finished (so no batch mixes versions), and the
 * staleness is 1 from the second step on. A local engine writes nothing.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { parseConfig } from "../../src/models/config.ts";
import { randomModel } from "../../src/models/load.ts";
import type { RolloutEngine } from "../../src/rollout/engine.ts";
import { RolloutSchedule } from "../../src/rollout/schedule.ts";
import { WeightDirectory } from "../../src/rollout/weight-dir.ts";
import { tempDir, tinyModel } from "../helpers/tiny-run.ts";

const root = tempDir("schedule");
const modelDir = tinyModel(path.join(root, "model"));
const policy = randomModel(parseConfig(JSON.parse(fs.readFileSync(path.join(modelDir, "config.json"), "utf8")), "tiny"), 2);

/** An engine whose generations end when the test says, recording every call. */
function recordingEngine() {
  const log: string[] = [];
  let release: (() => void)[] = [];
  const engine: RolloutEngine = {
    name: "recording",
    generate: () => Promise.reject(new Error("unused")),
    async syncWeights(dir, version) {
      assert.ok(fs.existsSync(path.join(dir, "config.json")), `${dir} is a whole checkpoint when it is loaded`);
      log.push(`load ${version} ${path.basename(dir)}`);
      return { loaded: 1, failed: [] };
    },
    async takeMetrics() {
      return { "rollout/failed_requests": 0 };
    },
    async close() {
      log.push("close");
    },
  };
  /** A generation that logs its start and end, and ends when finish() is called. */
  const gather = (step: number) => () => {
    log.push(`generate ${step}`);
    return new Promise<number>((resolve) => release.push(() => {
      log.push(`generated ${step}`);
      resolve(step);
    }));
  };
  const finish = () => {
    const r = release;
    release = [];
    r.forEach((f) => f());
  };
  return { engine, log, gather, finish };
}

const flush = () => new Promise((r) => setImmediate(r));

test("in step: each step generates with the last update's weights, loaded before it", async () => {
  const { engine, log, gather, finish } = recordingEngine();
  const weights = new WeightDirectory(path.join(root, "in-step"), { dtype: "F32", keep: 2, tokenizerFrom: modelDir });
  const schedule = new RolloutSchedule(engine, weights, false);
  await schedule.start(policy, 0);
  for (let step = 1; step <= 3; step++) {
    const taking = schedule.take(gather(step));
    await flush();
    finish();
    assert.equal(await taking, step);
    schedule.prefetch(gather(step + 1)); // in step: nothing is prefetched
    await schedule.publish(policy, step);
    const m = await schedule.metrics();
    assert.equal(m["rollout/weight_version"], step - 1);
    assert.equal(m["rollout/staleness"], 0);
    assert.ok(m["timing_s/save_weights"]! > 0 && m["timing_s/sync_weights"]! >= 0);
  }
  assert.deepEqual(log, ["load 0 v0", "generate 1", "generated 1", "load 1 v1", "generate 2", "generated 2", "load 2 v2", "generate 3", "generated 3", "load 3 v3"]);
  assert.deepEqual(weights.versions(), [2, 3], "the newest two versions are kept");
  assert.equal(fs.readlinkSync(path.join(weights.root, "current")), "v3");
  await schedule.close();
});

test("one step off the policy: generate k+1 during step k with version k−1; load only between generations", async () => {
  const { engine, log, gather, finish } = recordingEngine();
  const weights = new WeightDirectory(path.join(root, "async"), { dtype: "F32", keep: 1, tokenizerFrom: modelDir });
  const schedule = new RolloutSchedule(engine, weights, true);
  await schedule.start(policy, 0);
  const seen: [number, number][] = [];
  for (let step = 1; step <= 4; step++) {
    const taking = schedule.take(gather(step));
    await flush();
    finish(); // this step's generation ends (started during the last step, or now for step 1)
    assert.equal(await taking, step);
    if (step < 4) schedule.prefetch(gather(step + 1));
    log.push(`train ${step}`);
    await schedule.publish(policy, step);
    const m = await schedule.metrics();
    seen.push([m["rollout/weight_version"]!, m["rollout/staleness"]!]);
  }
  assert.deepEqual(seen, [[0, 0], [0, 1], [1, 1], [2, 1]]);
  assert.deepEqual(log, [
    "load 0 v0",
    "generate 1", "generated 1", "generate 2", "train 1",
    "generated 2", "load 1 v1", "generate 3", "train 2",
    "generated 3", "load 2 v2", "generate 4", "train 3",
    "generated 4", "load 3 v3", "train 4", "load 4 v4",
  ]);
  await schedule.close();
});

test("settle waits for the generation in flight, then loads the newest weights (before an evaluation)", async () => {
  const { engine, log, gather, finish } = recordingEngine();
  const schedule = new RolloutSchedule(engine, new WeightDirectory(path.join(root, "settle"), { dtype: "BF16", keep: 1, tokenizerFrom: modelDir }), true);
  await schedule.start(policy, 0);
  const first = schedule.take(gather(1));
  await flush();
  finish();
  await first;
  schedule.prefetch(gather(2));
  await schedule.publish(policy, 1);
  const settling = schedule.settle();
  await flush();
  assert.equal(log.at(-1), "generate 2", "no load while step 2's generation runs");
  finish();
  await settling;
  assert.deepEqual(log.slice(-2), ["generated 2", "load 1 v1"]);
  assert.equal(await schedule.take(gather(99)), 2, "the settled generation is the next step's");
  assert.equal((await schedule.metrics())["rollout/staleness"], 1);
  await schedule.close();
});

test("a local engine: nothing written or loaded; a failed generation fails the take", async () => {
  const local: RolloutEngine = { name: "local", generate: () => Promise.reject(new Error("unused")), close: async () => {} };
  const schedule = new RolloutSchedule(local, null, false);
  await schedule.start(policy, 5);
  assert.equal(await schedule.take(async () => "batch"), "batch");
  await schedule.publish(policy, 6);
  assert.deepEqual(await schedule.metrics(), { "rollout/weight_version": 5, "rollout/staleness": 0 });
  await assert.rejects(schedule.take(() => Promise.reject(new Error("servers gone"))), /servers gone/);
  assert.throws(() => new RolloutSchedule(local, null, true), /need servers/);
});
