/**
 * rlzero as a library: `import { ... } from "rlzero"`. Everything here is re-exported from the
 * module that defines it (see the README's layout); nothing is implemented in this file.
 *
 * Importing it loads the native addon (see `nativeBinary` for which binary) and nothing else:
 * no worker thread starts and no model loads until you ask for one.
 *
 *   import { grpoAdvantages } from "rlzero";
 *   grpoAdvantages(Float32Array.of(1, 0, 0, 1), Int32Array.of(0, 0, 0, 0));  // [0.866, -0.866, -0.866, 0.866]
 */

// Algorithms: the Algorithm objects the trainer runs and the plain-array functions behind them.
export * from "./algorithms/index.ts";

// Trainer: a run from a config (YAML file, object, --set overrides) to checkpoints and metrics.
export { train, type TrainOptions, type TrainResult } from "./trainer/train.ts";
export { resolveConfig, configToYaml, type ConfigRequest } from "./trainer/load-config.ts";
export { RunConfigSchema, type RunConfig } from "./trainer/config.ts";

// Models: Hugging Face directories <-> CausalLM, tokenizers, configs.
export { loadModel, saveModel, loadTokenizer, randomModel, type LoadOptions } from "./models/load.ts";
export { CausalLM } from "./models/transformer.ts";
export { TextTokenizer, type ChatMessage } from "./models/tokenizer.ts";
export { parseConfig, readConfig, type ModelConfig } from "./models/config.ts";
export { presetConfig } from "./models/presets.ts";
export { Tensor, noGrad } from "./tensor/tensor.ts";

// Sampling and rollout engines.
export { generate, type Completion, type GenerateOptions, type SamplingParams } from "./sampling/generate.ts";
export type { RolloutEngine, RolloutPrompt, RolloutSample, SamplingSettings } from "./rollout/engine.ts";
export { LocalEngine } from "./rollout/local.ts";
export { OpenAIEngine, type OpenAIEngineOptions } from "./rollout/openai.ts";

// Rewards: the answer verifier, its worker pool, graders by name.
export { VerifierPool, type PoolOptions, type ScoredVerdict } from "./rewards/pool.ts";
export { gradeMath } from "./rewards/math.ts";
export { registerGrader, getGrader } from "./rewards/registry.ts";
export { REWARD_PRESETS, parseVerifierConfig, type RewardValues, type VerifierConfig } from "./rewards/config.ts";
export type { GradeInput, Grader, Reason, Verdict } from "./rewards/types.ts";

// Built-in reasoning tasks (importing registers their graders): generators, prompt sets, the corpus, the tokenizer.
export * from "./tasks/index.ts";

// Data and evaluation.
export { loadDataset, type Dataset } from "./data/load.ts";
export type { DatasetSpecInput } from "./data/spec.ts";
export type { PromptItem } from "./data/types.ts";
export { loadTemplate, renderPrompt, type PromptTemplate } from "./data/templates.ts";
export { evaluateBenchmark, type EvaluateOptions, type EvaluateResult } from "./eval/evaluate.ts";

// Utilities: the seeded random-number generator, user-input errors, the native addon.
export { Rng } from "./util/rng.ts";
export { UserInputError } from "./errors.ts";
export { native, nativeBinary, type NativeAddon, type NativeBinary, type NativeInfo, type GemmBackend } from "./native/index.ts";
