/**
 * What the loss is taken over: a prompt/response example trains on its response tokens and the
 * EOS after them only, a text example on every token after the first; files are read as either
 * format, and bad lines are errors that name the file and line.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { loadTokenizer, randomModel } from "../../src/models/load.ts";
import { parseConfig } from "../../src/models/config.ts";
import { loadCorpus, tokenizeExample } from "../../src/pretrain/corpus.ts";
import { meanNll } from "../../src/pretrain/pretrain.ts";
import { taskPrompt } from "../../src/tasks/format.ts";
import { noGrad } from "../../src/tensor/tensor.ts";
import { tempDir } from "../helpers/tiny-run.ts";
import { tinyTokenizer } from "./helpers.ts";

const root = tempDir("pretrain-corpus");
const tokenizer = loadTokenizer(tinyTokenizer(root))!;
const EOS = tokenizer.eosTokenIds[0]!;
const model = randomModel(parseConfig({
  architectures: ["Qwen2ForCausalLM"], vocab_size: tokenizer.vocabSize, hidden_size: 16, intermediate_size: 32,
  num_hidden_layers: 1, num_attention_heads: 2, max_position_embeddings: 64, tie_word_embeddings: true,
}, "test"), 7, { std: 0.5 });

/** Log-probabilities of every next token of `ids` [T-1]: row t predicts ids[t+1]. */
function allLogprobs(ids: Int32Array): Float32Array {
  const rows = Int32Array.from({ length: ids.length - 1 }, (_, t) => t);
  return noGrad(() => model.tokenLogprobs(ids, 1, ids.length, rows).logp.data);
}

test("prompt/response: ids are the prompt's, the response's and EOS; the loss is the mean NLL of the response tokens and EOS alone", () => {
  const prompt = taskPrompt("3 + 4 = ?");
  const response = " 3 + 4 = 7 </think> <answer> \\boxed{7} </answer>";
  const seq = tokenizeExample({ where: "x", prompt, text: response }, tokenizer, EOS);
  const p = tokenizer.encode(prompt);
  const r = tokenizer.encode(response, { addSpecialTokens: false });
  assert.deepEqual([...seq.ids], [...p, ...r, EOS]);
  assert.equal(seq.promptLength, p.length);

  const logp = allLogprobs(seq.ids);
  const trained = [...logp].slice(p.length - 1); // rows predicting the response tokens and EOS
  assert.equal(trained.length, r.length + 1);
  const expected = -trained.reduce((a, b) => a + b, 0) / trained.length;
  assert.ok(Math.abs(meanNll(model, [seq], 4096) - expected) < 1e-5, `${meanNll(model, [seq], 4096)} vs ${expected}`);
  const whole = -[...logp].reduce((a, b) => a + b, 0) / logp.length;
  assert.ok(Math.abs(whole - expected) > 1e-3, "the prompt's tokens would change the loss if they were trained on");

  const other = tokenizeExample({ where: "x", prompt: taskPrompt("9 + 9 = ?"), text: response }, tokenizer, EOS);
  assert.equal(other.ids.length - other.promptLength, seq.ids.length - seq.promptLength, "the same response trains the same number of tokens");
});

test("text: every token after the first is trained on, EOS included; no EOS when add_eos is off", () => {
  const text = "12 + 34 = 46";
  const seq = tokenizeExample({ where: "x", text }, tokenizer, EOS);
  assert.deepEqual([...seq.ids], [...tokenizer.encode(text), EOS]);
  assert.equal(seq.promptLength, 1);
  const logp = allLogprobs(seq.ids);
  assert.ok(Math.abs(meanNll(model, [seq], 4096) + logp.reduce((a, b) => a + b, 0) / logp.length) < 1e-5);
  assert.deepEqual([...tokenizeExample({ where: "x", text }, tokenizer, null).ids], tokenizer.encode(text));
});

test("corpus files: the format is read from the first line, long examples are left out, bad lines name file and line", async () => {
  const pr = path.join(root, "pr.jsonl");
  fs.writeFileSync(pr, [{ prompt: "User: 1 + 1 = ?\nAssistant: <think>", response: " </think> <answer> \\boxed{2} </answer>" },
    { prompt: "User: 2 + 2 = ?\nAssistant: <think>", response: ` ${"2 + 2 = 4\n".repeat(20)}</think> <answer> \\boxed{4} </answer>` }]
    .map((l) => JSON.stringify(l)).join("\n") + "\n");
  const c = await loadCorpus({ path: pr }, tokenizer, { maxTokens: 64, eos: EOS });
  assert.equal(c.examples.length, 1);
  assert.equal(c.dropped, 1);
  assert.equal(c.examples[0]!.promptLength, tokenizer.encode("User: 1 + 1 = ?\nAssistant: <think>").length);

  const text = path.join(root, "text.jsonl");
  fs.writeFileSync(text, `${JSON.stringify({ text: "1 + 1 = 2" })}\n\n${JSON.stringify({ body: "2 + 2 = 4" })}\n`);
  await assert.rejects(loadCorpus({ path: text }, tokenizer, { maxTokens: 64, eos: EOS }), /text\.jsonl:3: expected a string field "text" \(text corpus\)/);
  const ok = await loadCorpus({ path: text, text_field: "text", limit: 1 }, tokenizer, { maxTokens: 64, eos: EOS });
  assert.equal(ok.examples[0]!.promptLength, 1);
  await assert.rejects(loadCorpus({ path: pr, format: "text" }, tokenizer, { maxTokens: 64, eos: EOS }), /pr\.jsonl:1: expected a string field "text"/);
  await assert.rejects(loadCorpus({ path: pr }, tokenizer, { maxTokens: 5, eos: EOS }), /no example fits in 5 tokens/);
});

test("a task corpus is the built-in generator's prompts and responses, and its mix can be changed", async () => {
  const all = await loadCorpus({ task: "add:2", count: 200, seed: 3, mix: { reason: 1, slip: 0, selfcheck: 0 } }, tokenizer, { maxTokens: 128, eos: EOS });
  const none = await loadCorpus({ task: "add:2", count: 200, seed: 3, mix: { reason: 0 } }, tokenizer, { maxTokens: 128, eos: EOS });
  const text = (s: { ids: Int32Array; promptLength: number }) => tokenizer.decode([...s.ids.slice(s.promptLength, -1)]);
  assert.ok(all.examples.every((s) => /\d \+ \d \+ \d = \d\d\n/.test(text(s))), "every response works column by column");
  assert.ok(none.examples.every((s) => !/\+ \d = \d\d\n/.test(text(s))), "no response does");
  assert.ok(all.examples.every((s) => tokenizer.decode([...s.ids.slice(0, s.promptLength)]).startsWith("User: ")));
});

test("several sources make one corpus: their examples in order, their names joined", async () => {
  const a = await loadCorpus({ task: "add:1", count: 30, seed: 1 }, tokenizer, { maxTokens: 128, eos: EOS });
  const b = await loadCorpus({ task: "mul:1", count: 20, seed: 2, mix: { reason: 1 } }, tokenizer, { maxTokens: 128, eos: EOS });
  const both = await loadCorpus([{ task: "add:1", count: 30, seed: 1 }, { task: "mul:1", count: 20, seed: 2, mix: { reason: 1 } }], tokenizer, { maxTokens: 128, eos: EOS });
  assert.equal(both.name, "add:1 + mul:1");
  assert.deepEqual(both.examples, [...a.examples, ...b.examples]);
});
