/** `rlzero generate`: sample completions for one prompt from a model directory. */
import { loadModel, loadTokenizer } from "../models/load.ts";
import { generate } from "../sampling/generate.ts";
import { Rng } from "../util/rng.ts";
import { UserInputError } from "../errors.ts";
import { applyThreads } from "./threads.ts";
import { inputTokens } from "./input-tokens.ts";

export interface GenerateFlags {
  threads?: number;
  model: string;
  prompt?: string;
  promptIds?: string;
  n: number;
  maxNewTokens: number;
  temperature: number;
  topP: number;
  topK: number;
  seed: number;
  greedy?: boolean;
  chat?: boolean;
  stop?: string[];
  json?: boolean;
}

export function generateCommand(flags: GenerateFlags): void {
  applyThreads(flags.threads);
  const model = loadModel(flags.model);
  const tokenizer = loadTokenizer(flags.model);
  const prompt = inputTokens(flags.model, tokenizer, { text: flags.prompt, ids: flags.promptIds, chat: flags.chat },
    { text: "--prompt", ids: "--prompt-ids" });
  if (!tokenizer && flags.stop) throw new UserInputError(`${flags.model} has no tokenizer.json to match --stop with`);
  const decode = tokenizer ? (ids: number[]) => tokenizer.decode(ids) : undefined;
  const completions = generate(model, Array.from({ length: flags.n }, () => prompt), {
    maxNewTokens: flags.maxNewTokens,
    temperature: flags.temperature,
    topP: flags.topP,
    topK: flags.topK,
    greedy: flags.greedy,
    eosTokenIds: model.config.eosTokenIds,
    stopStrings: flags.stop,
  }, { rngs: Array.from({ length: flags.n }, (_, i) => Rng.derive(flags.seed, i)), decode });
  for (const c of completions) {
    if (flags.json) {
      console.log(JSON.stringify({ token_ids: c.tokenIds, text: c.text ?? null, logprobs: c.logprobs, finish_reason: c.finishReason }));
    } else {
      console.log(c.text ?? c.tokenIds.join(","));
      console.log(`--- ${c.tokenIds.length} tokens, finish: ${c.finishReason}`);
    }
  }
}
