/**
 * Weight sync against fake SGLang- and vLLM-style servers that record their calls: the trainer
 * writes each version, then loads it on every server, then generates, in that order; a server that
 * refuses a load, or claims to load and keeps old weights, gets no requests until it serves the
 * expected version; vLLM's routes come in their order; the engine on a thread of its own answers
 * the same, its errors included.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { OpenAIEngine, RolloutRequestError } from "../../src/rollout/openai.ts";
import { ThreadedEngine } from "../../src/rollout/threaded.ts";
import type { SamplingSettings } from "../../src/rollout/engine.ts";
import { RunConfigSchema } from "../../src/trainer/config.ts";
import { train } from "../../src/trainer/train.ts";
import { tempDir, tinyConfig } from "../helpers/tiny-run.ts";
import { startFakeServer, type Call, type FakeServer } from "./fake-sglang.ts";

const quiet = { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream;
const root = tempDir("weight-sync");
const servers: FakeServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});
async function fake(...args: Parameters<typeof startFakeServer>): Promise<FakeServer> {
  const s = await startFakeServer(...args);
  servers.push(s);
  return s;
}

const sampling: SamplingSettings = { maxNewTokens: 3, temperature: 1, topP: 1, topK: 0, stop: [] };
const prompts = (n: number) => Array.from({ length: n }, (_, key) => ({ text: `p${key}`, ids: [5, 6, key + 7], key }));
const engine = (urls: string[], extra: Partial<ConstructorParameters<typeof OpenAIEngine>[0]> = {}) =>
  new OpenAIEngine({ endpoints: urls, backoffMs: 1, timeoutMs: 5000, concurrency: 2, ...extra });
const completions = (s: FakeServer) => s.calls.filter((c) => c.route === "/v1/completions").length;

/** A server's calls as "load N" and "gen" events, runs of gen collapsed. */
function story(calls: Call[]): string[] {
  const out: string[] = [];
  for (const c of calls) {
    const e = c.route === "/update_weights_from_disk" ? `load ${c.body.weight_version}` : "gen";
    if (e !== "gen" || out.at(-1) !== "gen") out.push(e);
  }
  return out;
}

test("the trainer writes each version, loads it on every server, then generates with it", async () => {
  const a = await fake();
  const b = await fake();
  const cfg = RunConfigSchema.parse(tinyConfig(root, {
    run_dir: path.join(root, "run"),
    rollout: { engine: "openai", servers: { endpoints: [a.url, b.url], concurrency: 4 } },
    trainer: { steps: 3, eval_every: 0, save_every: 0 },
  }));
  const steps: Record<string, number>[] = [];
  await train(cfg, { out: quiet, onStep: (_, m) => steps.push(m) });
  for (const s of [a, b]) {
    assert.deepEqual(story(s.calls), ["load 0", "gen", "load 1", "gen", "load 2", "gen", "load 3"]);
    for (const load of s.calls.filter((c) => c.route === "/update_weights_from_disk")) {
      assert.equal(load.body.model_path, path.join(root, "run", "weights", `v${load.body.weight_version}`));
      assert.equal(load.complete, true, "the checkpoint is whole when the server is told to load it");
    }
  }
  assert.equal(completions(a) + completions(b), 3 * 8 * 4, "one request per sample, none lost");
  assert.ok(completions(a) > 0 && completions(b) > 0, "both servers generate");
  assert.deepEqual(steps.map((m) => m["rollout/weight_version"]), [0, 1, 2]);
  assert.deepEqual(steps.map((m) => m["rollout/staleness"]), [0, 0, 0]);
  assert.deepEqual(steps.map((m) => m["rollout/endpoints_alive"]), [2, 2, 2]);
  assert.ok(steps.every((m) => m["timing_s/save_weights"]! > 0));
});

test("a server that claims a load but keeps its old weights: its samples are refused and made elsewhere", async () => {
  const good = await fake();
  const stale = await fake({ stale: true });
  const e = engine([good.url, stale.url]);
  const report = await e.syncWeights(path.join(root, "some-dir"), 1);
  assert.deepEqual(report, { loaded: 2, failed: [] });
  const out = await e.generate(prompts(8), 1, sampling, [0]);
  assert.ok(out.flat().every((s) => s.weightVersion === 1));
  const m = await e.takeMetrics();
  assert.ok(m["rollout/version_mismatches"]! >= 1 && m["rollout/version_mismatches"]! <= 2, JSON.stringify(m));
  assert.ok(completions(stale) <= 2, `the stale server got ${completions(stale)} requests: its first answers exclude it`);
  assert.equal(m["rollout/endpoints_alive"], 1);
  await e.close();
});

test("a refused load leaves the server out until a later load succeeds; if every server refuses, the sync fails", async () => {
  const a = await fake();
  const b = await fake({ refuse: (v) => v === "1" });
  const e = engine([a.url, b.url]);
  const first = await e.syncWeights("/w/v1", 1);
  assert.equal(first.loaded, 1);
  assert.equal(first.failed[0]!.endpoint, b.url);
  assert.match(first.failed[0]!.error, /scripted refusal of 1/);
  await e.generate(prompts(6), 1, sampling, [0]);
  assert.equal(completions(b), 0, "no requests to a server without the weights");
  assert.equal((await e.takeMetrics())["rollout/weight_load_failures"], 1);
  await e.syncWeights("/w/v2", 2);
  await e.generate(prompts(6), 1, sampling, [1]);
  assert.ok(completions(b) > 0, "loaded again: back in the fleet");
  const none = engine([(await fake({ refuse: () => true })).url]);
  await assert.rejects(none.syncWeights("/w/v3", 3), (err: Error) => err instanceof RolloutRequestError && /no server loaded weight version 3 from \/w\/v3: .*scripted refusal/.test(err.message));
  await Promise.all([e.close(), none.close()]);
});

test("vLLM: /collective_rpc reload_weights, then /reset_prefix_cache; untagged samples take the loaded version", async () => {
  const v = await fake({ tags: false });
  const e = engine([v.url], { weightSync: "vllm" });
  await e.syncWeights("/w/current", 4);
  assert.deepEqual(v.calls.map((c) => [c.route, c.body]), [["/collective_rpc", { method: "reload_weights" }], ["/reset_prefix_cache", {}]]);
  const [[s]] = await e.generate(prompts(1), 1, sampling, [0]);
  assert.equal(s!.weightVersion, 4);
  const seed = Number(v.calls.find((c) => c.route === "/v1/completions")!.body.seed);
  assert.deepEqual(s!.tokenIds, [0, 1, 2].map((i) => 3 + ((seed + 7 * i) % 47)), "token ids read back");
  assert.deepEqual(s!.logprobs, [-1, -1, -1]);
  await e.close();
});

test("on a thread of its own: the same answers, and its errors stay RolloutRequestErrors", async () => {
  const a = await fake();
  const e = new ThreadedEngine({ endpoints: [a.url], backoffMs: 1, timeoutMs: 5000 });
  assert.deepEqual(await e.syncWeights("/w/v2", 2), { loaded: 1, failed: [] });
  const out = await e.generate(prompts(3), 2, sampling, [0]);
  assert.deepEqual(out.map((g) => g.length), [2, 2, 2]);
  assert.ok(out.flat().every((s) => s.weightVersion === 2 && s.tokenIds!.length === 3));
  assert.equal((await e.takeMetrics())["rollout/endpoints_alive"], 1);
  const refusing = new ThreadedEngine({ endpoints: [(await fake({ refuse: () => true })).url] });
  await assert.rejects(refusing.syncWeights("/w/v1", 1), (err: Error) => err instanceof RolloutRequestError && /scripted refusal/.test(err.message));
  await Promise.all([e.close(), refusing.close()]);
  await assert.rejects(e.generate(prompts(1), 1, sampling, [0]), /the engine was closed/);
});
