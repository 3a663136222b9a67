/**
 * The built-in rollout engine: samples with `src/sampling/` from a model in this process. The
 * trainer passes its own policy, so the engine always samples from the latest weights and
 * needs no weight sync; `weightVersion` is read from the caller's counter.
 */
import type { CausalLM } from "../models/transformer.ts";
import type { TextTokenizer } from "../models/tokenizer.ts";
import { generateGroups } from "../sampling/generate.ts";
import { Rng } from "../util/rng.ts";
import type { RolloutEngine, RolloutPrompt, RolloutSample, SamplingSettings } from "./engine.ts";

export class LocalEngine implements RolloutEngine {
  readonly name = "local";

  constructor(
    private readonly model: CausalLM,
    private readonly tokenizer: TextTokenizer,
    /** The number of policy updates applied so far (the trainer's counter). */
    private readonly weightVersion: () => number = () => 0,
  ) {}

  async generate(prompts: readonly RolloutPrompt[], n: number, sampling: SamplingSettings,
    seedKeys: readonly number[]): Promise<RolloutSample[][]> {
    const ids: number[][] = [];
    const rngs: Rng[] = [];
    for (const p of prompts) {
      const promptIds = p.ids ? [...p.ids] : this.tokenizer.encode(p.text);
      for (let j = 0; j < n; j++) {
        ids.push(promptIds);
        rngs.push(Rng.derive(...seedKeys, p.key, j));
      }
    }
    const completions = generateGroups(this.model, ids.filter((_, i) => i % n === 0), n, {
      maxNewTokens: sampling.maxNewTokens,
      temperature: sampling.temperature,
      topP: sampling.topP,
      topK: sampling.topK,
      eosTokenIds: this.model.config.eosTokenIds,
      stopStrings: sampling.stop,
    }, { rngs, decode: (t) => this.tokenizer.decode(t) });
    const version = this.weightVersion();
    return prompts.map((_, p) => completions.slice(p * n, (p + 1) * n).map((c) => ({
      text: c.text ?? "",
      tokenIds: c.tokenIds,
      logprobs: c.logprobs,
      finishReason: c.finishReason,
      weightVersion: version,
    })));
  }

  async close(): Promise<void> {}
}
