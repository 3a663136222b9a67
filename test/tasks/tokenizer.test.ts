import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import rust from "tokenizers";
import { TextTokenizer } from "../../src/models/tokenizer.ts";
import { generateCorpus } from "../../src/tasks/corpus.ts";
import { taskPrompt } from "../../src/tasks/format.ts";
import { drawProblems } from "../../src/tasks/sets.ts";
import { buildTokenizer, EOS_TOKEN, learnMerges, TAG_TOKENS, tokenizerTexts, UNK_TOKEN, writeTokenizer } from "../../src/tasks/tokenizer.ts";

const dir = mkdtempSync(join(tmpdir(), "tasks-tok-"));
writeTokenizer(dir);
const tok = TextTokenizer.load(dir);

/** Corpus lines (prompt and response) unlike the ones the merges were learnt from: another seed. */
const lines = [
  ...generateCorpus({ suite: "arith-corpus", count: 3000, seed: 123 }),
  ...generateCorpus({ suite: "countdown:1-3", count: 1500, seed: 123 }),
].map((e) => ({ prompt: e.prompt, response: e.response }));

test("every corpus line round-trips exactly, with no unknown token", () => {
  const unk = tok.tokenToId(UNK_TOKEN)!;
  for (const { prompt, response } of lines) {
    const text = prompt + response;
    const ids = tok.encode(text);
    assert.ok(!ids.includes(unk), `<unk> in ${JSON.stringify(text)}`);
    assert.equal(tok.decode(ids), text);
  }
  for (const p of drawProblems({ suite: "arith", split: "eval", count: 500, seed: 3 })) assert.equal(tok.decode(tok.encode(taskPrompt(p.question))), taskPrompt(p.question));
});

test("digits are single tokens, and so are the tags", () => {
  for (const { prompt, response } of lines.slice(0, 1000)) {
    for (const id of tok.encode(prompt + response)) {
      const t = tok.idToToken(id)!;
      if (/[0-9]/.test(t)) assert.match(t, /^[0-9]$/, `token ${JSON.stringify(t)} holds a digit and more`);
    }
  }
  assert.deepEqual(tok.encode("9081726354").map((id) => tok.idToToken(id)), [..."9081726354"]);
  for (const tag of [...TAG_TOKENS, "}"]) {
    const ids = tok.encode(tag);
    assert.equal(ids.length, 1, tag);
    assert.equal(tok.idToToken(ids[0]!), tag);
  }
  const ids = tok.encode(taskPrompt("347 + 589 = ?") + " </think> <answer> \\boxed{936} </answer>").map((id) => tok.idToToken(id));
  for (const tag of TAG_TOKENS) assert.ok(ids.includes(tag), `${tag} in ${ids.join("|")}`);
});

test("a prompt and its response tokenize apart as they do together (the prompt ends on <think>)", () => {
  for (const { prompt, response } of lines.slice(0, 500)) {
    assert.deepEqual([...tok.encode(prompt), ...tok.encode(response)], tok.encode(prompt + response));
  }
});

test("the Rust tokenizers library (what transformers runs) loads it and encodes and decodes the same", async () => {
  const r = rust.Tokenizer.fromFile(join(dir, "tokenizer.json"));
  for (const { prompt, response } of lines.slice(0, 1500)) {
    const text = prompt + response;
    const enc = await r.encode(text);
    assert.deepEqual(enc.getIds(), tok.encode(text), text);
    assert.equal(await r.decode(enc.getIds(), false), text);
  }
});

test("tokenizer_config.json names the eos token; the vocabulary is small; building is deterministic", () => {
  const config = JSON.parse(readFileSync(join(dir, "tokenizer_config.json"), "utf8"));
  assert.equal(config.eos_token, EOS_TOKEN);
  assert.equal(config.tokenizer_class, "PreTrainedTokenizerFast");
  assert.equal(config.clean_up_tokenization_spaces, false);
  assert.deepEqual(tok.eosTokenIds, [tok.tokenToId(EOS_TOKEN)]);
  assert.ok(tok.vocabSize > 100 && tok.vocabSize < 400, `vocab ${tok.vocabSize}`);
  assert.deepEqual(buildTokenizer(tokenizerTexts(0, 2000)), buildTokenizer(tokenizerTexts(0, 2000)));
});

test("learnMerges merges the most frequent pair first and stops below the minimum count", () => {
  const merges = learnMerges(new Map([[" + ", 10], [" = ", 5], ["ab", 2]]), 3);
  // " +" 10, "+ " 10 tie → smaller first: " +" (space sorts before +); then " + " 10; then " =" 5, " = " 5.
  assert.deepEqual(merges, [[" ", "+"], [" +", " "], [" ", "="], [" =", " "]]);
});
