import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { loadModel } from "../../src/models/load.ts";
import { generate, generateGroups, type Completion, type SamplingParams } from "../../src/sampling/generate.ts";
import { noGrad } from "../../src/tensor/tensor.ts";
import { KVCache } from "../../src/models/kv-cache.ts";
import { Rng } from "../../src/util/rng.ts";
import { UserInputError } from "../../src/errors.ts";
import { native } from "../../src/native/index.ts";
import { releaseWeights } from "../../src/models/packed-weights.ts";

const model = loadModel(fileURLToPath(new URL("../fixtures/models/tiny-qwen2", import.meta.url)));
const V = model.config.vocabSize;
const sampling: SamplingParams = { maxNewTokens: 12, temperature: 1, topP: 1, topK: 0, eosTokenIds: [] };
const prompts = [[5, 6, 7], [9], [1, 2, 3, 4, 5, 6, 7, 8]];
/** One keyed generator per prompt. */
const streams = (seed: number, n: number): Rng[] => Array.from({ length: n }, (_, i) => Rng.derive(seed, i));

test("a fixed seed gives the same completions twice; another seed differs", () => {
  const a = generate(model, prompts, sampling, { rngs: streams(11, prompts.length) });
  const b = generate(model, prompts, sampling, { rngs: streams(11, prompts.length) });
  const c = generate(model, prompts, sampling, { rngs: streams(12, prompts.length) });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.map((x) => x.tokenIds), c.map((x) => x.tokenIds));
  for (const x of a) {
    assert.equal(x.tokenIds.length, 12);
    assert.equal(x.logprobs.length, 12);
    assert.ok(x.logprobs.every((l) => l <= 0 && Number.isFinite(l)));
  }
});

test("returned log-probs equal the model's log-probs of the sampled tokens", () => {
  const [c] = generate(model, [prompts[0]], { ...sampling, temperature: 0.8 }, { rngs: streams(3, 1) });
  const ids = Int32Array.from([...prompts[0], ...c.tokenIds]);
  const rows = Int32Array.from(c.tokenIds, (_, i) => prompts[0].length - 1 + i);
  const logp = noGrad(() => model.tokenLogprobs(ids, 1, ids.length, rows, 0.8).logp.data);
  c.logprobs.forEach((l, i) => assert.ok(Math.abs(l - logp[i]) < 1e-4, `token ${i}: ${l} vs ${logp[i]}`));
});

/** Upper quantile of chi-square with k degrees of freedom (Wilson-Hilferty), z standard deviations out. */
function chiSquareQuantile(k: number, z: number): number {
  const a = 2 / (9 * k);
  return k * (1 - a + z * Math.sqrt(a)) ** 3;
}

/** The model's next-token probabilities after `prompt`, at temperature 1. */
function nextTokenProbs(prompt: number[]): number[] {
  const hidden = model.forwardCached(Int32Array.from(prompt),
    { slots: new Int32Array([0]), start: new Int32Array([0]), offsets: new Int32Array([0, prompt.length]) },
    new KVCache(model.config, 1, 8), model.packed());
  const logits = model.logits(hidden, 1, model.packed());
  const m = Math.max(...logits);
  const p = Array.from(logits, (z) => Math.exp(z - m));
  const total = p.reduce((a, x) => a + x, 0);
  return p.map((x) => x / total);
}

/**
 * Chi-square goodness of fit of the first generated tokens against the model's distribution,
 * over tokens with an expected count of at least 5 (the rest pooled), rejected only beyond 4.75
 * standard deviations (p ~ 1e-6).
 */
function assertFirstTokensFollowModel(out: Completion[], prompt: number[]): void {
  const n = out.length;
  const counts = new Float64Array(V);
  for (const c of out) counts[c.tokenIds[0]] += 1;
  let chi = 0;
  let cells = 0;
  let pooledObs = 0;
  let pooledExp = 0;
  nextTokenProbs(prompt).forEach((pi, v) => {
    const e = n * pi;
    if (e >= 5) {
      chi += (counts[v] - e) ** 2 / e;
      cells += 1;
    } else {
      pooledObs += counts[v];
      pooledExp += e;
    }
  });
  if (pooledExp > 0) {
    chi += (pooledObs - pooledExp) ** 2 / pooledExp;
    cells += 1;
  }
  assert.ok(cells >= 5, `only ${cells} cells: the distribution is too peaked for the test`);
  const limit = chiSquareQuantile(cells - 1, 4.75);
  assert.ok(chi < limit, `chi-square ${chi.toFixed(1)} over ${cells - 1} dof exceeds ${limit.toFixed(1)}`);
}

test("at temperature 1 the empirical token frequencies match the model's distribution", () => {
  const n = 6000, prompt = [17, 3, 99];
  const out = generate(model, Array.from({ length: n }, () => prompt), { ...sampling, maxNewTokens: 1 }, { rngs: streams(5, n) });
  assertFirstTokensFollowModel(out, prompt);
});

test("shared-prefix sampling (one prefill, 6,000 samples, 64 at a time) follows the model's distribution", () => {
  const n = 6000, prompt = [17, 3, 99];
  const out = generateGroups(model, [prompt], n, { ...sampling, maxNewTokens: 2 }, { rngs: streams(6, n), batchSize: 64 });
  assert.equal(out.length, n);
  assertFirstTokensFollowModel(out, prompt);
});

test("top-k 1 equals greedy", () => {
  const greedy = generate(model, prompts, { ...sampling, greedy: true }, { rngs: streams(1, prompts.length) });
  const topk = generate(model, prompts, { ...sampling, topK: 1 }, { rngs: streams(2, prompts.length) });
  assert.deepEqual(topk.map((c) => c.tokenIds), greedy.map((c) => c.tokenIds));
});

test("EOS and stop strings end a sequence with reason stop; the rest run to the limit", () => {
  const greedy = generate(model, prompts, { ...sampling, greedy: true }, { rngs: streams(1, prompts.length) });
  const eos = greedy[0].tokenIds[3];
  const withEos = generate(model, prompts, { ...sampling, greedy: true, eosTokenIds: [eos] }, { rngs: streams(1, prompts.length) });
  const cut = greedy[0].tokenIds.indexOf(eos) + 1;
  assert.deepEqual(withEos[0].tokenIds, greedy[0].tokenIds.slice(0, cut));
  assert.equal(withEos[0].finishReason, "stop");

  // A decoder that spells token v as "<v>": stop at the text of greedy token 5 of prompt 1.
  const decode = (ids: number[]) => ids.map((v) => `<${v}>`).join("");
  const stop = `<${greedy[1].tokenIds[5]}>`;
  const withStop = generate(model, prompts, { ...sampling, greedy: true, stopStrings: [stop] }, { rngs: streams(1, prompts.length), decode });
  const at = greedy[1].tokenIds.findIndex((v) => `<${v}>` === stop) + 1;
  assert.deepEqual(withStop[1].tokenIds, greedy[1].tokenIds.slice(0, at));
  assert.equal(withStop[1].finishReason, "stop");
  assert.ok(withStop[1].text!.endsWith(stop));
  for (const c of withStop) assert.ok(c.finishReason === "stop" || c.tokenIds.length === 12);
});

test("bad input gives one clear error", () => {
  assert.throws(() => generate(model, [[V]], sampling, { rngs: streams(1, 1) }),
    (e: Error) => e instanceof UserInputError && /token id 256 is outside the vocabulary \[0, 256\)/.test(e.message));
  const long = Array.from({ length: model.config.maxPositions }, () => 1);
  assert.throws(() => generate(model, [long], sampling, { rngs: streams(1, 1) }),
    (e: Error) => e instanceof UserInputError && /does not fit the context/.test(e.message));
});

test("a sequence's completion does not depend on how the prompts are batched", () => {
  const rngs = (): Rng[] => prompts.map((_, i) => Rng.derive(21, 7, i));
  const together = generate(model, prompts, sampling, { rngs: rngs() });
  const alone = prompts.map((p, i) => generate(model, [p], sampling, { rngs: [rngs()[i]] })[0]);
  const reversed = generate(model, [...prompts].reverse(), sampling, { rngs: rngs().reverse() }).reverse();
  assert.deepEqual(alone.map((c) => c.tokenIds), together.map((c) => c.tokenIds));
  assert.deepEqual(reversed.map((c) => c.tokenIds), together.map((c) => c.tokenIds));
});

/** Token ids and log-probs of two runs are the same (log-probs to 1e-5: a batch's size may change the last bits). */
function assertSameCompletions(a: Completion[], b: Completion[], what: string): void {
  assert.deepEqual(a.map((c) => c.tokenIds), b.map((c) => c.tokenIds), what);
  assert.deepEqual(a.map((c) => c.finishReason), b.map((c) => c.finishReason), what);
  a.forEach((c, i) => c.logprobs.forEach((l, t) => assert.ok(Math.abs(l - b[i].logprobs[t]) < 1e-5, `${what}: completion ${i} token ${t}`)));
}

test("shared prefill, continuous batching and both together give the plain path's samples", () => {
  // An EOS that the model draws often, so rows finish at different steps and slots are reused.
  const eos = generate(model, prompts, { ...sampling, greedy: true }, { rngs: streams(1, prompts.length) })[0].tokenIds[2];
  const params = { ...sampling, maxNewTokens: 16, eosTokenIds: [eos, 7, 11] };
  const n = 5;
  const rngs = (): Rng[] => Array.from({ length: prompts.length * n }, (_, i) => Rng.derive(31, Math.floor(i / n), i % n));
  const repeated = prompts.flatMap((p) => Array.from({ length: n }, () => p));
  const plain = generate(model, repeated, params, { rngs: rngs(), batchSize: repeated.length });
  assert.ok(new Set(plain.map((c) => c.tokenIds.length)).size > 3, "rows should finish at different lengths");
  assertSameCompletions(generateGroups(model, prompts, n, params, { rngs: rngs() }), plain, "shared prefill");
  assertSameCompletions(generate(model, repeated, params, { rngs: rngs(), batchSize: 3 }), plain, "continuous batching");
  for (const batchSize of [1, 4, 7]) {
    assertSameCompletions(generateGroups(model, prompts, n, params, { rngs: rngs(), batchSize }), plain, `both, batch ${batchSize}`);
  }
});

test("bf16 generation: returned log-probs stay within the stated drift of the f32 model's", { skip: !native.info().bf16 && "no AVX512-BF16 or AMX on this CPU" }, () => {
  // Stated tolerance (BENCHMARKS.md has the drift on the bench models): LM head in bf16 within
  // 0.05 nats of f32 (mean 0.01), all linear layers within 0.5 (mean 0.05).
  const limits = { "lm-head": [0.05, 0.01], all: [0.5, 0.05] } as const;
  for (const bf16 of ["lm-head", "all"] as const) {
    const out = generate(model, prompts, { ...sampling, maxNewTokens: 24 }, { rngs: streams(41, prompts.length), bf16 });
    // The f32 model's log-probs of every sampled token, all sequences packed in one call.
    const seqs = out.map((c, b) => [...prompts[b], ...c.tokenIds]);
    const offsets = Int32Array.from([0, ...seqs.map((_, i) => seqs.slice(0, i + 1).flat().length)]);
    const rows = Int32Array.from(out.flatMap((c, b) => c.tokenIds.map((_, i) => offsets[b] + prompts[b].length - 1 + i)));
    const ref = noGrad(() => model.tokenLogprobsPacked(Int32Array.from(seqs.flat()), offsets, rows).logp.data);
    const drift = out.flatMap((c) => c.logprobs).map((l, i) => Math.abs(l - ref[i]));
    const worst = Math.max(...drift), mean = drift.reduce((a, x) => a + x, 0) / drift.length;
    assert.ok(worst > 0, `${bf16}: bf16 should change the arithmetic`);
    assert.ok(worst < limits[bf16][0] && mean < limits[bf16][1], `${bf16}: drift max ${worst}, mean ${mean}`);
  }
});

test("generate frees the weights it packed before it returns, also when it throws", () => {
  const addon = native as unknown as Record<string, (...args: unknown[]) => unknown>;
  const pack = addon.packLinear, release = addon.releaseLinear;
  const packed = new Set<unknown>();
  addon.packLinear = (...args) => {
    const p = pack(...args);
    packed.add(p);
    return p;
  };
  addon.releaseLinear = (p) => {
    packed.delete(p);
    return release(p);
  };
  try {
    generate(model, prompts, sampling, { rngs: streams(1, prompts.length) });
    assert.equal(packed.size, 0);
    const throwingStream = { uniform: () => { throw new Error("boom"); } } as unknown as Rng;
    assert.throws(() => generate(model, [[1]], sampling, { rngs: [throwingStream] }), /boom/);
    assert.equal(packed.size, 0);
  } finally {
    addon.packLinear = pack;
    addon.releaseLinear = release;
  }
});

test("weights packed once by the caller serve several calls, give the same completions and stay the caller's", () => {
  const weights = model.packed();
  try {
    const own = generate(model, prompts, sampling, { rngs: streams(4, prompts.length) });
    for (let round = 0; round < 2; round++) {
      assert.deepEqual(generate(model, prompts, sampling, { rngs: streams(4, prompts.length), weights }), own);
    }
    assert.throws(() => generate(model, prompts, sampling, { rngs: streams(4, prompts.length), weights, bf16: "all" }), /packed with bf16 "none"/);
  } finally {
    releaseWeights(weights);
  }
});
