/**
 * TextTokenizer over the shared torchtune tiny BPE tokenizers (skipped when absent): text round
 * trips, special tokens, bos/eos handling, and chat templates from tokenizer_config.json.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { TextTokenizer } from "../../src/models/tokenizer.ts";
import { UserInputError } from "../../src/errors.ts";

const SHARED = fileURLToPath(new URL("../../../shared/data/tokenizers/torchtune_tiny_bpe/", import.meta.url));
const BYTE_LEVEL = path.join(SHARED, "tokenizer.json"); // full byte-level BPE, 2000 tokens, no added tokens
const WITH_SPECIALS = path.join(SHARED, "tiny_bpe_tokenizer.json"); // same family + Qwen2.5-style specials
const skip = !fs.existsSync(BYTE_LEVEL) || !fs.existsSync(WITH_SPECIALS)
  ? `shared tokenizer files are absent (${SHARED}); skipping tokenizer tests`
  : false;
if (skip) console.log(`# SKIP: ${skip}`);

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "rlzero-tok-"));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

/** A model directory with `tokenizerFile` as tokenizer.json and the given tokenizer_config.json. */
function modelDir(tokenizerFile: string, config?: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(tmpRoot, "m-"));
  fs.copyFileSync(tokenizerFile, path.join(dir, "tokenizer.json"));
  if (config) fs.writeFileSync(path.join(dir, "tokenizer_config.json"), JSON.stringify(config));
  return dir;
}

const CHATML =
  "{%- if messages[0]['role'] != 'system' %}{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{%- endif %}" +
  "{%- for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{%- endfor %}" +
  "{%- if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{%- endif %}";
const QWEN_CONFIG = {
  bos_token: null, eos_token: "<|im_end|>", pad_token: "<|endoftext|>", add_bos_token: false,
  clean_up_tokenization_spaces: false, chat_template: CHATML,
};

test("byte-level tokenizer.json round-trips ASCII, digits, LaTeX, unicode and whitespace", { skip }, () => {
  const tok = TextTokenizer.load(SHARED);
  assert.equal(tok.vocabSize, 2000);
  const texts = [
    "Hello world!", "12345 + 67.89 = 3.14159", "\\frac{1}{2} + \\sqrt{x^2} = \\boxed{42}",
    "héllo 世界 🙂 naïve Ω≈∑", "a\n\nb\r\n  c\t d ", "  leading and trailing  ", "",
  ];
  for (const text of texts) {
    const ids = tok.encode(text);
    assert.ok(ids.every((id) => Number.isInteger(id) && id >= 0 && id < tok.vocabSize), text);
    assert.equal(tok.decode(ids), text);
  }
  // This vocabulary has no multi-digit tokens; spaces attach to the following word (Ġ).
  assert.deepEqual(tok.encode("12345").map((id) => tok.decode([id])), ["1", "2", "3", "4", "5"]);
  assert.equal(tok.idToToken(tok.encode(" the")[0]), "Ġthe");
  assert.equal(tok.tokenToId("Hello"), undefined);
  assert.equal(tok.tokenToId("H"), 72);
  assert.deepEqual(tok.eosTokenIds, []); // no tokenizer_config.json
});

test("special tokens sit right after the BPE vocabulary, as in Qwen2.5, and are atomic", { skip }, () => {
  // Qwen2.5: 151643 BPE tokens, then <|endoftext|> 151643, <|im_start|> 151644, <|im_end|> 151645.
  const tok = TextTokenizer.load(modelDir(WITH_SPECIALS, QWEN_CONFIG));
  assert.equal(tok.tokenToId("<|endoftext|>"), 2000);
  assert.equal(tok.tokenToId("<|im_start|>"), 2001);
  assert.equal(tok.tokenToId("<|im_end|>"), 2002);
  assert.equal(tok.vocabSize, 2003);
  assert.deepEqual(tok.eosTokenIds, [2002]);
  const ids = tok.encode("<|im_start|>user\nhi<|im_end|>");
  assert.equal(ids[0], 2001);
  assert.equal(ids.at(-1), 2002);
  assert.equal(tok.decode(ids), "<|im_start|>user\nhi<|im_end|>");
  assert.equal(tok.decode(ids, { skipSpecialTokens: true }), "user\nhi");
  for (const text of ["Hello world!", "x = 3.14", "\\frac{a}{b}"]) assert.equal(tok.decode(tok.encode(text)), text);
});

test("add_bos_token / add_eos_token in tokenizer_config.json decide bos and eos", { skip }, () => {
  const cfg = { ...QWEN_CONFIG, bos_token: "<|endoftext|>", add_bos_token: true, add_eos_token: true };
  const tok = TextTokenizer.load(modelDir(WITH_SPECIALS, cfg));
  const plain = tok.encode("hi", { addSpecialTokens: false });
  assert.deepEqual(tok.encode("hi"), [2000, ...plain, 2002]);
  const qwen = TextTokenizer.load(modelDir(WITH_SPECIALS, QWEN_CONFIG));
  assert.deepEqual(qwen.encode("hi"), plain);
});

test("chat template from tokenizer_config.json renders like transformers' apply_chat_template", { skip }, () => {
  const tok = TextTokenizer.load(modelDir(WITH_SPECIALS, QWEN_CONFIG));
  const text = tok.applyChatTemplate([{ role: "user", content: "What is 2+2?" }], { addGenerationPrompt: true });
  assert.equal(text,
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n" +
    "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n");
  const ids = tok.encode(text);
  assert.equal(ids.filter((id) => id === 2001).length, 3);
  assert.equal(ids.filter((id) => id === 2002).length, 2);
  assert.equal(
    tok.applyChatTemplate([{ role: "system", content: "Be brief." }, { role: "user", content: "hi" }], { addGenerationPrompt: false }),
    "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n");

  // The list form, and chat_template.jinja taking precedence over tokenizer_config.json.
  const listDir = modelDir(WITH_SPECIALS, { ...QWEN_CONFIG, chat_template: [{ name: "default", template: "{{ eos_token }}" }] });
  assert.equal(TextTokenizer.load(listDir).applyChatTemplate([], { addGenerationPrompt: false }), "<|im_end|>");
  fs.writeFileSync(path.join(listDir, "chat_template.jinja"), "{{ messages[0]['content'] }}!");
  assert.equal(TextTokenizer.load(listDir).applyChatTemplate([{ role: "user", content: "x" }], { addGenerationPrompt: false }), "x!");
});

test("tokenizer errors name the file", { skip }, () => {
  const noTemplate = modelDir(WITH_SPECIALS, { eos_token: "<|im_end|>" });
  assert.throws(() => TextTokenizer.load(noTemplate).applyChatTemplate([{ role: "user", content: "hi" }], { addGenerationPrompt: true }),
    (e: unknown) => e instanceof UserInputError && e.message.includes(path.join(noTemplate, "tokenizer_config.json")) &&
      e.message.includes("no chat template"));
  const empty = fs.mkdtempSync(path.join(tmpRoot, "empty-"));
  assert.throws(() => TextTokenizer.load(empty),
    (e: unknown) => e instanceof UserInputError && e.message.startsWith(`${path.join(empty, "tokenizer.json")}: file not found`));
  const badTemplate = modelDir(WITH_SPECIALS, { chat_template: "{% for %}" });
  assert.throws(() => TextTokenizer.load(badTemplate),
    (e: unknown) => e instanceof UserInputError && e.message.includes("tokenizer_config.json: chat template does not parse"));
});
