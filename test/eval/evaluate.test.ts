/**
 * evaluateBenchmark with a scripted engine: samples are keyed by (seed, sample, item), so the
 * result is the same whatever the batching; failed generations are reported, not scored;
 * records on disk let a stopped run continue without asking for cached samples again.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { PromptItem } from "../../src/data/types.ts";
import { evaluateBenchmark, type EvaluateOptions } from "../../src/eval/evaluate.ts";
import { evalMetrics } from "../../src/eval/report.ts";
import { VerifierPool } from "../../src/rewards/pool.ts";
import type { RolloutEngine, RolloutPrompt, RolloutSample, SamplingSettings } from "../../src/rollout/engine.ts";
import { UserInputError } from "../../src/errors.ts";
import { Rng } from "../../src/util/rng.ts";

const pool = new VerifierPool({ size: 1, config: { format: "boxed" } });
after(() => pool.close());

const items: PromptItem[] = Array.from({ length: 7 }, (_, i) => ({ id: `q${i}`, question: i === 5 ? "[dead] 5" : `question ${i}`, answer: String(i) }));
const sampling: SamplingSettings = { maxNewTokens: 8, temperature: 1, topP: 1, topK: 0, stop: [] };

/**
 * Answers item i correctly with probability i/6, drawing from the sample's keyed stream; item 6's
 * sample 0 is cut by the length limit; a batch with a "[dead]" prompt throws.
 */
class ScriptedEngine implements RolloutEngine {
  readonly name = "scripted";
  asked: string[] = [];
  onCall?: () => void;
  async generate(prompts: readonly RolloutPrompt[], n: number, _s: SamplingSettings, seedKeys: readonly number[]): Promise<RolloutSample[][]> {
    this.onCall?.();
    this.asked.push(...prompts.flatMap((p) => Array.from({ length: n }, (_, j) => `${seedKeys.join(",")}|${p.key}|${j}`)));
    if (prompts.some((p) => p.text.includes("[dead]"))) throw new Error("server down");
    await new Promise((r) => setTimeout(r, 1));
    return prompts.map((p) => Array.from({ length: n }, (_, j) => expected(seedKeys, p.key, j)));
  }
  async close(): Promise<void> {}
}

function expected(seedKeys: readonly number[], key: number, j: number): RolloutSample {
  const right = Rng.derive(...seedKeys, key, j).uniform() < key / 6;
  return { text: `so \\boxed{${right ? key : key + 100}}`, tokenIds: [1, 2, 3], logprobs: null, finishReason: key === 6 && seedKeys.at(-1) === 0 ? "length" : "stop", weightVersion: 0 };
}

function opts(engine: RolloutEngine, extra: Partial<EvaluateOptions> = {}): EvaluateOptions {
  return { engine, name: "toy", items, render: (it) => ({ text: it.question }), n: 4, sampling, seedKeys: [42], pool, ...extra };
}

test("sample j of item i comes from the stream (seed, j, i): the same for any batching", async () => {
  const runs = [];
  for (const [batchSize, inFlight] of [[1, 1], [3, 2], [16, 4]] as const) {
    runs.push(await evaluateBenchmark(opts(new ScriptedEngine(), { batchSize, inFlight })));
  }
  for (const r of runs.slice(1)) assert.deepEqual(r.records, runs[0]!.records);
  const { report, records } = runs[0]!;
  assert.equal(records.length, 6 * 4, "item 5's samples failed");
  for (const r of records) {
    const i = Number(r.id.slice(1));
    assert.equal(r.response, expected([42, r.sample], i, 0).text);
    assert.equal(r.correct, r.finish_reason === "stop" && r.response === `so \\boxed{${i}}`);
  }
  const byItem = items.map((it) => records.filter((r) => r.id === it.id));
  const shares = byItem.filter((rs) => rs.length > 0).map((rs) => rs.filter((r) => r.correct).length / rs.length);
  assert.equal(report.acc, shares.reduce((a, b) => a + b, 0) / shares.length);
  assert.equal(report.count, 7);
  assert.equal(report.scored_items, 6);
  assert.equal(report.failed, 4);
  assert.deepEqual(report.failures.map((f) => [f.id, f.sample, f.error]), [0, 1, 2, 3].map((j) => ["q5", j, "server down"]));
  assert.equal(report.complete, false);
  assert.equal(report.truncation_rate, 1 / 24);
  assert.equal(report.response_length, 3);
  assert.equal(records.find((r) => r.id === "q6" && r.sample === 0)!.reason, "truncated");
  assert.equal(evalMetrics(report)["val-core/toy/acc/mean@4"], report.acc);
  assert.equal(evalMetrics(report)["val-aux/toy/pass@2"], report["pass@k"]["2"]);
});

test("a stopped run leaves its records; the next asks only for the missing samples", async () => {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "rlzero-eval-"));
  const clean = (await evaluateBenchmark(opts(new ScriptedEngine(), { batchSize: 2 }))).records;

  const stop = new AbortController();
  const first = new ScriptedEngine();
  let calls = 0;
  first.onCall = () => { if (++calls === 3) stop.abort(); };
  const partial = await evaluateBenchmark(opts(first, { outDir, batchSize: 2, signal: stop.signal }));
  assert.equal(partial.report.complete, false);
  assert.ok(partial.records.length >= 2 && partial.records.length <= 6, `${partial.records.length} graded before the stop`);
  const onDisk = fs.readFileSync(path.join(outDir, "toy.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.ok(onDisk.length >= partial.records.length);
  fs.appendFileSync(path.join(outDir, "toy.jsonl"), '{"id":"q0","sam'); // a write cut by a kill

  const second = new ScriptedEngine();
  const resumed = await evaluateBenchmark(opts(second, { outDir, batchSize: 2 }));
  assert.deepEqual(resumed.records, clean, "the same records as an uninterrupted run");
  const cached = new Set(onDisk.map((r) => `42,${r.sample}|${Number(r.id.slice(1))}|0`));
  assert.ok(second.asked.every((k) => !cached.has(k)), "no cached sample is asked for again");
  assert.equal(new Set(second.asked).size, 7 * 4 - onDisk.length, "every other sample is asked for");
  const final = fs.readFileSync(path.join(outDir, "toy.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(final, clean, "the file holds exactly the records, in order");

  const more = new ScriptedEngine();
  const n6 = await evaluateBenchmark(opts(more, { outDir, n: 6 }));
  assert.deepEqual(new Set(more.asked.filter((k) => !k.includes("|5|"))), new Set([0, 1, 2, 3, 4, 6].flatMap((i) => [`42,4|${i}|0`, `42,5|${i}|0`])),
    "a larger n asks only for the new sample indices (and the failed item)");
  assert.deepEqual(n6.records.filter((r) => r.sample < 4), clean);

  await assert.rejects(evaluateBenchmark(opts(new ScriptedEngine(), { outDir, sampling: { ...sampling, temperature: 0.5 } })),
    (e: Error) => e instanceof UserInputError && /toy\.jsonl: made with other settings \(sampling: .*"temperature":1.* -> .*"temperature":0\.5/.test(e.message));
  const fresh = new ScriptedEngine();
  await evaluateBenchmark(opts(fresh, { outDir, sampling: { ...sampling, temperature: 0.5 }, overwrite: true }));
  assert.equal(new Set(fresh.asked).size, 7 * 4, "--overwrite starts again");
});
