/**
 * Model shapes used by the benchmarks and tests, as Hugging Face config.json objects.
 * `mini`: about 4M parameters. `qwen2.5-0.5b-4l`: Qwen2.5-0.5B's shapes cut to 4 layers.
 */
import { parseConfig, type ModelConfig } from "./config.ts";
import { UserInputError } from "../errors.ts";

const qwen2 = {
  architectures: ["Qwen2ForCausalLM"],
  model_type: "qwen2",
  hidden_act: "silu",
  rms_norm_eps: 1e-6,
  rope_theta: 1000000,
  torch_dtype: "float32",
};

export const PRESETS = {
  mini: {
    ...qwen2,
    vocab_size: 512,
    hidden_size: 256,
    intermediate_size: 704,
    num_hidden_layers: 4,
    num_attention_heads: 8,
    num_key_value_heads: 4,
    max_position_embeddings: 1024,
    tie_word_embeddings: true,
    bos_token_id: 0,
    eos_token_id: 1,
  },
  "qwen2.5-0.5b-4l": {
    ...qwen2,
    vocab_size: 151936,
    hidden_size: 896,
    intermediate_size: 4864,
    num_hidden_layers: 4,
    num_attention_heads: 14,
    num_key_value_heads: 2,
    max_position_embeddings: 32768,
    tie_word_embeddings: true,
    bos_token_id: 151643,
    eos_token_id: 151643,
  },
} as const;

export type PresetName = keyof typeof PRESETS;

export function presetConfig(name: PresetName): ModelConfig {
  if (!Object.hasOwn(PRESETS, name)) throw new UserInputError(`unknown model preset "${name}" (presets: ${Object.keys(PRESETS).join(", ")})`);
  return parseConfig(structuredClone(PRESETS[name]), `preset ${name}`);
}
