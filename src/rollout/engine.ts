/**
 * Where rollouts come from. The trainer and the evaluation harness ask a `RolloutEngine` for n
 * samples of each prompt and do not care which engine answers: the local one over
 * `src/sampling/` (rollout/local.ts) or OpenAI-compatible servers (vLLM, SGLang, `rlzero serve`).
 *
 * Randomness is keyed, never positional: sample j of a prompt draws from the stream
 * `Rng.derive(...seedKeys, prompt.key, j)` (a server gets a seed hashed from the same keys), so a
 * rollout is the same however the prompts are batched, chunked or spread over servers.
 */

export type FinishReason = "stop" | "length";

export interface SamplingSettings {
  maxNewTokens: number;
  temperature: number;
  topP: number;
  /** <= 0: no top-k filter. */
  topK: number;
  /** Generation ends after any of these; the stop string is kept in the output. */
  stop: readonly string[];
}

export interface RolloutPrompt {
  /** The prompt as text, template applied. */
  text: string;
  /** Its token ids, when the caller has the tokenizer (the local engine needs them). */
  ids?: readonly number[];
  /** A stable integer naming this prompt (e.g. its index in the dataset), for the random streams. */
  key: number;
}

export interface RolloutSample {
  /** Decoded response, cut after the stop string. */
  text: string;
  /** Response token ids; null when the server returned text only (the trainer re-tokenizes). */
  tokenIds: number[] | null;
  /** log-probability of each response token under the sampler (at its temperature), when known. */
  logprobs: number[] | null;
  finishReason: FinishReason;
  /** Version of the policy weights that produced this sample (the number of updates applied). */
  weightVersion: number;
}

/** What a weight sync achieved: how many servers loaded the new weights, and why the others did not. */
export interface WeightSyncReport {
  loaded: number;
  failed: { endpoint: string; error: string }[];
}

export interface RolloutEngine {
  /** Human-readable name for logs ("local", "openai:http://127.0.0.1:30000"). */
  readonly name: string;
  /** n samples of every prompt: result[p][j] is sample j of prompts[p]. */
  generate(prompts: readonly RolloutPrompt[], n: number, sampling: SamplingSettings,
    seedKeys: readonly number[]): Promise<RolloutSample[][]>;
  /**
   * Engines over servers: loads the Hugging Face checkpoint in `dir` (a directory the servers
   * can read) as weight version `version` on every server; later samples all come from it.
   * Rejects when no server could load it. Absent: the engine samples from the caller's model.
   */
  syncWeights?(dir: string, version: number): Promise<WeightSyncReport>;
  /** Counts since the last call (failed requests, retries, ...) under metric names; absent: none. */
  takeMetrics?(): Promise<Record<string, number>>;
  /** Frees workers, connections or servers. */
  close(): Promise<void>;
}
