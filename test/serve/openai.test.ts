/**
 * The official `openai` client against `rlzero serve` in this process: completions from text and
 * token ids equal our own `generate`, log-probs equal `tokenLogprobs` of the same tokens, chat goes
 * through the model's template, stop strings and stop tokens end a sample and are cut from the
 * text, and `n` samples follow their keyed streams.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import type OpenAI from "openai";
import { loadModel, loadTokenizer } from "../../src/models/load.ts";
import type { CausalLM } from "../../src/models/transformer.ts";
import type { TextTokenizer } from "../../src/models/tokenizer.ts";
import { generate } from "../../src/sampling/generate.ts";
import { noGrad } from "../../src/tensor/tensor.ts";
import { Rng } from "../../src/util/rng.ts";
import type { InferenceServer } from "../../src/serve/server.ts";
import { EOS_ID, client, skip, startServer, tinyModelDir, tmpRoot } from "./helpers.ts";

/** Our extensions as the client sees them: extra request keys and extra response fields. */
type Params = Omit<OpenAI.CompletionCreateParamsNonStreaming, "model"> & Record<string, unknown>;
type Choice = OpenAI.CompletionChoice & { token_ids: number[]; prompt_token_ids: number[] };

let dir: string;
let server: InferenceServer;
let openai: OpenAI;
let model: CausalLM;
let tokenizer: TextTokenizer;

before(async () => {
  if (skip) return;
  dir = tinyModelDir(1);
  server = await startServer(dir);
  openai = client(server);
  model = loadModel(dir);
  tokenizer = loadTokenizer(dir)!;
});
after(async () => {
  await server?.close();
  fs.rmSync(tmpRoot, { recursive: true, force: true });
});

async function complete(params: Params): Promise<{ choices: Choice[]; usage: OpenAI.CompletionUsage }> {
  const r = await openai.completions.create({ model: server.servedName, ...params } as OpenAI.CompletionCreateParamsNonStreaming);
  return { choices: r.choices as Choice[], usage: r.usage! };
}

/** log p(completion tokens | prompt, tokens before) by a full forward pass, at `temperature`. */
function referenceLogprobs(prompt: number[], completion: number[], temperature: number): Float32Array {
  const ids = Int32Array.from([...prompt, ...completion]);
  const rows = Int32Array.from(completion, (_, i) => prompt.length - 1 + i);
  return noGrad(() => model.tokenLogprobs(ids, 1, ids.length, rows, temperature).logp.data);
}

function assertClose(actual: readonly number[], expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) <= tol, `${what}[${i}]: ${a} vs ${expected[i]}`));
}

test("completions from text and from token ids equal generate's greedy output", { skip }, async () => {
  const text = "The answer is";
  const ids = tokenizer.encode(text);
  const [local] = generate(model, [ids], { maxNewTokens: 10, temperature: 0, topP: 1, topK: 0, eosTokenIds: [EOS_ID] },
    { rngs: [Rng.derive(0)], decode: (t) => tokenizer.decode(t, { skipSpecialTokens: true }) });
  const fromText = await complete({ prompt: text, max_tokens: 10, temperature: 0 });
  const fromIds = await complete({ prompt: ids, max_tokens: 10, temperature: 0 });
  for (const r of [fromText, fromIds]) {
    const [c] = r.choices;
    assert.deepEqual(c.token_ids, local.tokenIds);
    assert.deepEqual(c.prompt_token_ids, ids);
    assert.equal(c.text, local.text);
    assert.equal(c.finish_reason, local.finishReason);
    assert.deepEqual(r.usage, { prompt_tokens: ids.length, completion_tokens: local.tokenIds.length, total_tokens: ids.length + local.tokenIds.length });
  }
});

test("a list of prompts (text or ids) with n samples each: choices ordered prompt by prompt", { skip }, async () => {
  const texts = ["one two", "three four five"];
  const r = await complete({ prompt: texts, n: 2, max_tokens: 4, temperature: 1, seed: 3 });
  assert.deepEqual(r.choices.map((c) => c.index), [0, 1, 2, 3]);
  assert.deepEqual(r.choices.map((c) => c.prompt_token_ids), [0, 0, 1, 1].map((p) => tokenizer.encode(texts[p])));
  assert.equal(r.usage.prompt_tokens, texts.reduce((s, t) => s + tokenizer.encode(t).length, 0), "prompt tokens count once per prompt");
  const byIds = await complete({ prompt: texts.map((t) => tokenizer.encode(t)), n: 2, max_tokens: 4, temperature: 1, seed: 3 });
  assert.deepEqual(byIds.choices.map((c) => c.token_ids), r.choices.map((c) => c.token_ids));
});

test("logprobs equal tokenLogprobs of the same tokens at the sampling temperature; tokens and offsets decode", { skip }, async () => {
  const prompt = tokenizer.encode("Hello there");
  for (const temperature of [0.7, 0]) {
    const { choices: [c] } = await complete({ prompt, max_tokens: 12, temperature, seed: 5, logprobs: 0 });
    const lp = c.logprobs!;
    // Greedy log-probs are under softmax(logits), as the sampler reports them.
    assertClose(lp.token_logprobs!, referenceLogprobs(prompt, c.token_ids, temperature || 1), 1e-4, `T=${temperature}`);
    assert.deepEqual(lp.tokens, c.token_ids.map((id) => tokenizer.decode([id])));
    let offset = 0;
    assert.deepEqual(lp.text_offset, lp.tokens!.map((t) => ((offset += t.length), offset - t.length)));
    assert.deepEqual(lp.top_logprobs!.map((e) => Object.keys(e)), lp.tokens!.map((t) => [t]), "logprobs 0: the sampled token alone");
  }
});

test("logprobs k: the k most likely tokens, best first; greedy picks the first", { skip }, async () => {
  const prompt = tokenizer.encode("Hello there");
  const { choices: [c] } = await complete({ prompt, max_tokens: 6, temperature: 0, logprobs: 3, return_tokens_as_token_ids: true });
  const lp = c.logprobs!;
  assert.deepEqual(lp.tokens, c.token_ids.map((id) => `token_id:${id}`));
  lp.top_logprobs!.forEach((entries, i) => {
    const values = Object.entries(entries);
    assert.equal(values.length, 3, "the greedy token is among the top 3");
    assert.equal(values[0][0], `token_id:${c.token_ids[i]}`);
    assert.ok(values.every(([, v], j) => j === 0 || v <= values[j - 1][1]), "sorted");
    // An alternative's log-prob is what a full forward pass gives that token there.
    const [id, logprob] = [Number(values[2][0].slice("token_id:".length)), values[2][1]];
    const ref = referenceLogprobs(prompt, [...c.token_ids.slice(0, i), id], 1);
    assert.ok(Math.abs(logprob - ref[i]) < 1e-4, `${logprob} vs ${ref[i]}`);
  });
});

test("chat completions render the chat template; logprobs in the chat format", { skip }, async () => {
  const messages = [{ role: "system", content: "Be brief." }, { role: "user", content: "What is 2+2?" }];
  const r = await openai.chat.completions.create({ model: server.servedName, messages: messages as OpenAI.ChatCompletionMessageParam[],
    max_tokens: 8, temperature: 0, logprobs: true, top_logprobs: 0 });
  const prompt = tokenizer.encode(tokenizer.applyChatTemplate(messages, { addGenerationPrompt: true }), { addSpecialTokens: false });
  assert.deepEqual((r as unknown as { prompt_token_ids: number[] }).prompt_token_ids, prompt);
  const [c] = r.choices as (OpenAI.ChatCompletion.Choice & { token_ids: number[] })[];
  const { choices: [asCompletion] } = await complete({ prompt, max_tokens: 8, temperature: 0 });
  assert.deepEqual(c.token_ids, asCompletion.token_ids);
  assert.equal(c.message.role, "assistant");
  assert.equal(c.message.content, asCompletion.text);
  const content = c.logprobs!.content!;
  assert.deepEqual(content.map((t) => t.token), c.token_ids.map((id) => tokenizer.decode([id])));
  assertClose(content.map((t) => t.logprob), referenceLogprobs(prompt, c.token_ids, 1), 1e-4, "chat logprobs");
  assert.deepEqual(content.map((t) => t.bytes), content.map((t) => [...Buffer.from(t.token, "utf8")]));
  assert.ok(content.every((t) => t.top_logprobs.length === 0));
  // Content as a list of text parts is the same message.
  const parts = await openai.chat.completions.create({ model: server.servedName, max_tokens: 8, temperature: 0,
    messages: [messages[0], { role: "user", content: [{ type: "text", text: "What is " }, { type: "text", text: "2+2?" }] }] as OpenAI.ChatCompletionMessageParam[] });
  assert.equal(parts.choices[0].message.content, c.message.content);
});

test("stop strings and stop tokens end a sample and are cut from its text unless include_stop_str_in_output", { skip }, async () => {
  const prompt = tokenizer.encode("Once upon a time");
  const { choices: [free] } = await complete({ prompt, max_tokens: 12, temperature: 0 });
  assert.equal(free.finish_reason, "length");
  assert.equal(free.token_ids.length, 12);
  // A stop string that the 4th token completes: everything before it is the text.
  const upTo4 = tokenizer.decode(free.token_ids.slice(0, 4));
  const stop = upTo4.slice(-2);
  assert.ok(!tokenizer.decode(free.token_ids.slice(0, 3)).includes(stop), "pick a stop string first complete at token 4");
  const { choices: [cut] } = await complete({ prompt, max_tokens: 12, temperature: 0, stop: [stop, "never-there"] });
  assert.equal(cut.finish_reason, "stop");
  assert.deepEqual(cut.token_ids, free.token_ids.slice(0, 4));
  assert.equal(cut.text, upTo4.slice(0, -stop.length));
  const { choices: [kept] } = await complete({ prompt, max_tokens: 12, temperature: 0, stop, include_stop_str_in_output: true });
  assert.equal(kept.text, upTo4);
  // A stop token: it is the last token id, and its text is not in the output.
  const { choices: [byToken] } = await complete({ prompt, max_tokens: 12, temperature: 0, stop_token_ids: [free.token_ids[2]] });
  const firstAt = free.token_ids.indexOf(free.token_ids[2]);
  assert.equal(byToken.finish_reason, "stop");
  assert.deepEqual(byToken.token_ids, free.token_ids.slice(0, firstAt + 1));
  assert.equal(byToken.text, tokenizer.decode(free.token_ids.slice(0, firstAt)));
});

test("n samples draw from Rng.derive(seed, j): reproducible, sample 0 is the n = 1 sample", { skip }, async () => {
  const params = { prompt: "Pick a word:", max_tokens: 10, temperature: 1.5, seed: 11 };
  const three = await complete({ ...params, n: 3 });
  assert.equal(three.choices.length, 3);
  assert.ok(new Set(three.choices.map((c) => c.token_ids.join())).size > 1, "the samples differ");
  const again = await complete({ ...params, n: 3 });
  assert.deepEqual(again.choices.map((c) => c.token_ids), three.choices.map((c) => c.token_ids));
  const one = await complete(params);
  assert.deepEqual(one.choices[0].token_ids, three.choices[0].token_ids);
  const ids = tokenizer.encode(params.prompt);
  const local = generate(model, [ids, ids, ids], { maxNewTokens: 10, temperature: 1.5, topP: 1, topK: 0, eosTokenIds: [EOS_ID] },
    { rngs: [0, 1, 2].map((j) => Rng.derive(11, j)) });
  assert.deepEqual(three.choices.map((c) => c.token_ids), local.map((c) => c.tokenIds));
  const other = await complete({ ...params, seed: 12, n: 3 });
  assert.notDeepEqual(other.choices.map((c) => c.token_ids), three.choices.map((c) => c.token_ids));
});

test("top_k and top_p restrict sampling (top_k 1 is greedy)", { skip }, async () => {
  const params = { prompt: "Pick a word:", max_tokens: 8, seed: 2 };
  const greedy = await complete({ ...params, temperature: 0 });
  const topK1 = await complete({ ...params, temperature: 1.5, top_k: 1, n: 2 });
  const tinyP = await complete({ ...params, temperature: 1.5, top_p: 1e-6 });
  for (const c of [...topK1.choices, ...tinyP.choices]) assert.deepEqual(c.token_ids, greedy.choices[0].token_ids);
});
