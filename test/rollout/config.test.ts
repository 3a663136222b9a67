/**
 * The rollout section's rules, checked at start-up with errors naming the keys: servers go with
 * engine openai, one step off the policy needs servers and the truncated-IS correction, and the
 * correction needs a per-token policy-gradient loss.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { resolveConfig } from "../../src/trainer/load-config.ts";

const base = "model: { path: m }\ndata: { train: { path: t.jsonl } }\n";
const config = (...set: string[]) => resolveConfig({ fallback: { text: base, label: "run.yaml" }, set });

test("engine openai with its servers: accepted, with the documented defaults", () => {
  const c = config("rollout.engine=openai", "rollout.servers.endpoints=[http://10.0.0.5:30000]", "rollout.async=true", "rollout.tis_cap=2");
  assert.deepEqual(c.rollout.servers.endpoints, ["http://10.0.0.5:30000"]);
  assert.equal(c.rollout.servers.concurrency, 8);
  assert.deepEqual(c.rollout.weight_sync, { protocol: "sglang", dtype: "f32", keep: 2 });
  assert.equal(config().rollout.tis_cap, null, "no correction by default");
});

test("mismatched rollout keys are errors that name them", () => {
  const cases: [string[], RegExp][] = [
    [["rollout.engine=openai"], /run\.yaml: rollout\.engine openai needs rollout\.servers\.endpoints/],
    [["rollout.servers.endpoints=[http://a:1]"], /rollout\.servers\.endpoints is set but rollout\.engine is local/],
    [["rollout.async=true", "rollout.tis_cap=2"], /rollout\.async needs rollout\.engine openai/],
    [["rollout.engine=openai", "rollout.servers.endpoints=[http://a:1]", "rollout.async=true"], /rollout\.async .* set rollout\.tis_cap/],
    [["rollout.tis_cap=2", "algorithm.name=dpo", "rollout.samples_per_prompt=2"], /rollout\.tis_cap .* dpo has none/],
    [["rollout.tis_cap=0"], /rollout\.tis_cap/],
    [["rollout.weight_sync.protocol=trl"], /rollout\.weight_sync\.protocol/],
    [["rollout.servers.endpoints=[not a url]", "rollout.engine=openai"], /rollout\.servers\.endpoints/],
  ];
  for (const [set, message] of cases) assert.throws(() => config(...set), message, set.join(" "));
});
