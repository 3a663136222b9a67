/**
 * Shared by the server tests: tiny random Qwen2 models saved as Hugging Face directories with the
 * shared Qwen2.5-style tokenizer (../shared/data/tokenizers/torchtune_tiny_bpe/tiny_bpe_tokenizer.json:
 * 2000 BPE tokens + <|endoftext|>, <|im_start|>, <|im_end|>) and a ChatML template, and servers
 * started on 127.0.0.1 with port 0.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import { parseConfig } from "../../src/models/config.ts";
import { randomModel, saveModel } from "../../src/models/load.ts";
import { InferenceServer, type ServerOptions } from "../../src/serve/server.ts";

const TOKENIZER = fileURLToPath(new URL("../../../shared/data/tokenizers/torchtune_tiny_bpe/tiny_bpe_tokenizer.json", import.meta.url));
export const skip = fs.existsSync(TOKENIZER) ? false : `the shared tokenizer is absent (${TOKENIZER}): skipping server tests`;
if (skip) console.log(`# SKIP: ${skip}`);

export const CHATML =
  "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
export const EOS_ID = 2002; // <|im_end|>

export const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "rlzero-serve-"));

/** A 1-layer Qwen2 with random weights (std 0.5, so greedy outputs differ between seeds), as an HF directory. */
export function tinyModelDir(seed: number, overrides: Record<string, unknown> = {}, name = `model-${seed}`): string {
  const dir = path.join(fs.mkdtempSync(path.join(tmpRoot, "m-")), name);
  const config = parseConfig({
    architectures: ["Qwen2ForCausalLM"], model_type: "qwen2", vocab_size: 2003, hidden_size: 32, intermediate_size: 64,
    num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, max_position_embeddings: 128,
    tie_word_embeddings: true, eos_token_id: EOS_ID, ...overrides,
  }, "test config");
  saveModel(dir, randomModel(config, seed, { std: 0.5 }));
  fs.copyFileSync(TOKENIZER, path.join(dir, "tokenizer.json"));
  fs.writeFileSync(path.join(dir, "tokenizer_config.json"), JSON.stringify({
    eos_token: "<|im_end|>", pad_token: "<|endoftext|>", bos_token: null, chat_template: CHATML,
  }));
  return dir;
}

export async function startServer(modelDir: string, opts: Partial<ServerOptions> = {}): Promise<InferenceServer> {
  return InferenceServer.start({ modelDir, port: 0, batchWindowMs: 20, ...opts });
}

export function client(server: InferenceServer): OpenAI {
  return new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0 });
}

/** Counters from /metrics. */
export async function metrics(server: InferenceServer): Promise<Record<string, number>> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const m = /^rlzero_(\w+) (\S+)$/.exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

export async function post(server: InferenceServer, route: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${server.url}${route}`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}
