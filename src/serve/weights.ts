/**
 * The weights being served, replaced whole by `/update_weights_from_disk` (SGLang's endpoint):
 * the new directory's tensors are loaded and checked first, then one reference is swapped. A
 * batch takes the current `ServedWeights` when it starts and keeps it to the end, so requests in
 * flight finish on the old weights and later ones use the new.
 *
 * As SGLang does, only the tensors change: the served model's config.json (RoPE, norms, EOS) and
 * tokenizer stay; the new config.json must agree with it on every key that sets a shape.
 */
import fs from "node:fs";
import path from "node:path";
import { readConfig, type ModelConfig } from "../models/config.ts";
import { loadWeights } from "../models/weights.ts";
import { parametersFromWeights } from "../models/parameters.ts";
import { CausalLM } from "../models/transformer.ts";
import type { PackedWeights } from "../models/packed-weights.ts";
import { UserInputError } from "../errors.ts";

export interface ServedWeights {
  readonly model: CausalLM;
  /** Its linear layers packed once for every batch (a replaced model's are freed by the garbage collector). */
  readonly packed: PackedWeights;
  /** The directory the tensors came from. */
  readonly path: string;
  /** SGLang's weight_version: "default" until an update names one. */
  readonly version: string;
}

/** config.json keys that set a parameter's shape (or whether it exists). */
const SHAPE_KEYS: [keyof ModelConfig, string][] = [
  ["architecture", "architectures"], ["vocabSize", "vocab_size"], ["hiddenSize", "hidden_size"],
  ["intermediateSize", "intermediate_size"], ["numLayers", "num_hidden_layers"], ["numHeads", "num_attention_heads"],
  ["numKvHeads", "num_key_value_heads"], ["headDim", "head_dim"], ["tieWordEmbeddings", "tie_word_embeddings"],
  ["attentionBias", "attention_bias"],
];

export class WeightSlot {
  private served: ServedWeights;
  /** Updates applied since start. */
  updates = 0;

  constructor(model: CausalLM, modelPath: string, version = "default") {
    this.served = { model, packed: model.packed(), path: modelPath, version };
  }

  get current(): ServedWeights {
    return this.served;
  }

  /** Loads `dir` (same architecture and shapes) and serves it from the next batch on. */
  update(dir: string, version: string | null): ServedWeights {
    const model = loadSameShapes(this.served.model.config, dir);
    this.served = { model, packed: model.packed(), path: dir, version: version ?? this.served.version };
    this.updates++;
    return this.served;
  }
}

/** The tensors of the HF directory `dir` as a model with `config`; throws UserInputError naming the mismatch. */
function loadSameShapes(config: ModelConfig, dir: string): CausalLM {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UserInputError(`${dir} is not a directory`);
  const incoming = readConfig(dir);
  for (const [key, jsonKey] of SHAPE_KEYS) {
    if (incoming[key] !== config[key]) {
      throw new UserInputError(`${path.join(dir, "config.json")}: ${jsonKey} is ${JSON.stringify(incoming[key])}, ` +
        `the served model's is ${JSON.stringify(config[key])} (weights must keep the architecture and shapes)`);
    }
  }
  return new CausalLM(config, parametersFromWeights(config, loadWeights(dir), dir));
}
