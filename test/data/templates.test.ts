/**
 * Prompt templates: the Open-Reasoner-Zero prompt byte for byte, Qwen2.5-Math's boxed
 * instruction (written out, or through a chat template), the model's chat template, plain,
 * user files; the stop strings and answer formats that go with them; the config schema.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { answerFormatFor, loadTemplate, promptTokens, renderPrompt, TemplateSchema } from "../../src/data/templates.ts";
import { TextTokenizer } from "../../src/models/tokenizer.ts";
import type { PromptItem } from "../../src/data/types.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const tokenizerDir = path.resolve(root, "../shared/data/tokenizers/torchtune_tiny_bpe");
const skipTok = fs.existsSync(path.join(tokenizerDir, "tokenizer.json")) ? false : `../shared is absent (${tokenizerDir}): skipping tokenizer tests`;
const item: PromptItem = { id: "0", question: "What is $1+1$?", answer: "2" };

// The prompt as RECIPES.md gives it (Open-Reasoner-Zero @ 3fdd9a0, with {question} filled in).
const ORZ_EXPECTED =
  "A conversation between User and Assistant. The User asks a question, and the Assistant solves it. The Assistant first thinks about the reasoning process in the mind and then provides the User with the answer. The reasoning process is enclosed within <think> </think> and answer is enclosed within <answer> </answer> tags, respectively, i.e., <think> reasoning process here </think> <answer> answer here </answer>. User: You must put your answer inside <answer> </answer> tags, i.e., <answer> answer here </answer>. And your final answer will be extracted automatically by the \\boxed{} tag.\n" +
  "This is the problem:\n" +
  "What is $1+1$?\n" +
  "Assistant: <think>";

test("the Open-Reasoner-Zero prompt, byte for byte, with its stop strings and format", () => {
  const orz = loadTemplate("orz");
  assert.equal(renderPrompt(orz, item), ORZ_EXPECTED);
  assert.deepEqual(orz.stop, ["User:", "Human:", "Assistant:", "</answer>"]);
  assert.equal(orz.format, "orz");
  const recipes = path.resolve(root, "../shared/RECIPES.md");
  if (fs.existsSync(recipes)) {
    const block = /\*\*Prompt\*\*.*\n\n```\n([\s\S]*?)\n```/.exec(fs.readFileSync(recipes, "utf8"))![1]!;
    assert.equal(renderPrompt(orz, { ...item, question: "{question}" }), block, "the same text as RECIPES.md");
  }
});

test("qwen_math without a tokenizer is Qwen2.5-Math's qwen25-math-cot prompt, byte for byte", () => {
  const t = loadTemplate("qwen_math");
  assert.equal(renderPrompt(t, item),
    "<|im_start|>system\nPlease reason step by step, and put your final answer within \\boxed{}.<|im_end|>\n<|im_start|>user\nWhat is $1+1$?<|im_end|>\n<|im_start|>assistant\n");
  assert.equal(t.format, "auto");
  assert.ok(t.stop.includes("<|im_end|>"));
});

function tokenizerWithTemplate(): TextTokenizer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rlzero-tpl-"));
  fs.copyFileSync(path.join(tokenizerDir, "tokenizer.json"), path.join(dir, "tokenizer.json"));
  fs.writeFileSync(path.join(dir, "tokenizer_config.json"), JSON.stringify({
    chat_template: "{% for m in messages %}<{{ m.role }}>{{ m.content }}\n{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}",
  }));
  return TextTokenizer.load(dir);
}

test("qwen_math and chat go through the model's chat template when it has one", { skip: skipTok }, () => {
  const tok = tokenizerWithTemplate();
  const qwen = loadTemplate("qwen_math");
  assert.equal(renderPrompt(qwen, item, tok), "<system>Please reason step by step, and put your final answer within \\boxed{}.\n<user>What is $1+1$?\n<assistant>");
  const chat = loadTemplate({ name: "chat", system: "Be brief." });
  assert.equal(renderPrompt(chat, item, tok), "<system>Be brief.\n<user>What is $1+1$?\n<assistant>");
  assert.equal(renderPrompt(loadTemplate("chat"), item, tok), "<user>What is $1+1$?\n<assistant>");
  const text = renderPrompt(chat, item, tok);
  assert.deepEqual(promptTokens(chat, text, tok), tok.encode(text, { addSpecialTokens: false }), "a chat template writes its own special tokens");
  assert.deepEqual(promptTokens(loadTemplate("plain"), "hi", tok), tok.encode("hi"));
  assert.throws(() => renderPrompt(chat, item), /template chat needs the model's tokenizer/);
});

test("plain, user files, overrides and the choice format", () => {
  assert.equal(renderPrompt(loadTemplate("plain"), item), "What is $1+1$?");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rlzero-tpl-"));
  const file = path.join(dir, "t.txt");
  fs.writeFileSync(file, "Q: {question}\nA (think twice about {question}):");
  const user = loadTemplate({ name: "file", path: file, stop: ["\n\n"], format: "boxed" });
  assert.equal(renderPrompt(user, item), "Q: What is $1+1$?\nA (think twice about What is $1+1$?):");
  assert.deepEqual(user.stop, ["\n\n"]);
  assert.equal(user.format, "boxed");
  fs.writeFileSync(path.join(dir, "bad.txt"), "no placeholder");
  assert.throws(() => loadTemplate({ name: "file", path: path.join(dir, "bad.txt") }), /bad\.txt: a prompt template must contain \{question\}/);
  assert.throws(() => loadTemplate({ name: "file", path: path.join(dir, "none.txt") }), /none\.txt: file not found/);
  assert.throws(() => loadTemplate({ name: "file" }), /template: path is given with name: file/);
  assert.throws(() => loadTemplate({ name: "orz", sytem: "x" } as never), /template: .*sytem/);
  const orz = loadTemplate("orz");
  assert.equal(answerFormatFor(orz, [item]), "orz");
  assert.equal(answerFormatFor(orz, [{ ...item, choices: ["a", "b"], answer: "A" }]), "choice");
  for (const [key, field] of Object.entries(TemplateSchema.shape)) assert.ok(field.description, `${key} has a description`);
});
