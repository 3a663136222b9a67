/**
 * The CLI on text: a random model whose vocabulary matches the real tokenizer in
 * ../shared/data/tokenizers/torchtune_tiny_bpe/, saved with that tokenizer and a chat template.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parseConfig } from "../../src/models/config.ts";
import { randomModel, saveModel, loadTokenizer } from "../../src/models/load.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const shared = path.resolve(root, "../shared/data/tokenizers/torchtune_tiny_bpe");
const skip = fs.existsSync(path.join(shared, "tokenizer.json")) ? false : `../shared is absent (${shared}): skipping text CLI tests`;

function rlzero(...args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", path.join(root, "test/helpers/cli.ts"), ...args], { encoding: "utf8", cwd: root });
}

function modelWithTokenizer(): string {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rlzero-text-")), "model");
  const config = parseConfig({
    architectures: ["Qwen2ForCausalLM"], model_type: "qwen2", vocab_size: 2000, hidden_size: 32, intermediate_size: 64,
    num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, max_position_embeddings: 256,
    tie_word_embeddings: true, eos_token_id: 0,
  }, "test config");
  saveModel(dir, randomModel(config, 5, { std: 0.5 }), { tokenizerFrom: shared });
  fs.writeFileSync(path.join(dir, "tokenizer_config.json"), JSON.stringify({
    chat_template: "{% for m in messages %}<{{ m.role }}>{{ m.content }}\n{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}",
  }));
  return dir;
}

test("generate and logprobs take text through the model's tokenizer; --chat applies its template", { skip }, () => {
  const dir = modelWithTokenizer();
  const tokenizer = loadTokenizer(dir)!;
  const text = "The answer is \\boxed{42}.";
  const lp = rlzero("logprobs", "--model", dir, "--text", text, "--json");
  assert.equal(lp.status, 0, lp.stderr);
  assert.deepEqual(JSON.parse(lp.stdout).ids, tokenizer.encode(text));

  const gen = (...extra: string[]) => {
    const r = rlzero("generate", "--model", dir, "--max-new-tokens", "6", "--greedy", "--json", ...extra);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout.trim());
  };
  const plain = gen("--prompt", "<user>hi\n<assistant>");
  const chat = gen("--prompt", "hi", "--chat");
  assert.deepEqual(chat.token_ids, plain.token_ids, "--chat renders <user>hi\\n<assistant> before encoding");
  assert.equal(chat.text, tokenizer.decode(chat.token_ids));

  const stopAt = tokenizer.decode(plain.token_ids.slice(0, 2));
  const stopped = gen("--prompt", "<user>hi\n<assistant>", "--stop", stopAt.slice(-1));
  assert.equal(stopped.finish_reason, "stop");
  assert.ok(stopped.text.endsWith(stopAt.slice(-1)));
});
