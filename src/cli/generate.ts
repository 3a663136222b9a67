/** `rlzero generate`: sample completions for one prompt from a model directory. */
import { loadModel, loadTokenizer } from "../models/load.ts";
import { generate } from "../sampling/generate.ts";
import { Rng } from "../util/rng.ts";
import { UserInputError } from "../errors.ts";
import { applyThreads } from "./threads.ts";
import { parseIds } from "./token-ids.ts";

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
  if ((flags.prompt === undefined) === (flags.promptIds === undefined)) {
    throw new UserInputError("give exactly one of --prompt and --prompt-ids");
  }
  const model = loadModel(flags.model);
  const tokenizer = loadTokenizer(flags.model);
  if (!tokenizer && (flags.prompt !== undefined || flags.stop)) {
    throw new UserInputError(`${flags.model} has no tokenizer.json: use --prompt-ids and no --stop`);
  }
  if (flags.chat && flags.prompt === undefined) throw new UserInputError("--chat needs --prompt");
  const prompt = flags.promptIds !== undefined
    ? parseIds("--prompt-ids", flags.promptIds)
    : flags.chat
      // As transformers' apply_chat_template: the template writes the special tokens itself.
      ? tokenizer!.encode(tokenizer!.applyChatTemplate([{ role: "user", content: flags.prompt! }], { addGenerationPrompt: true }), { addSpecialTokens: false })
      : tokenizer!.encode(flags.prompt!);
  const decode = tokenizer ? (ids: number[]) => tokenizer.decode(ids) : undefined;
  const completions = generate(model, Array.from({ length: flags.n }, () => prompt), {
    maxNewTokens: flags.maxNewTokens,
    temperature: flags.temperature,
    topP: flags.topP,
    topK: flags.topK,
    greedy: flags.greedy,
    eosTokenIds: model.config.eosTokenIds,
    stopStrings: flags.stop,
  }, { rng: Rng.fromSeed(flags.seed), decode });
  for (const c of completions) {
    if (flags.json) {
      console.log(JSON.stringify({ token_ids: c.tokenIds, text: c.text ?? null, logprobs: c.logprobs, finish_reason: c.finishReason }));
    } else {
      console.log(c.text ?? c.tokenIds.join(","));
      console.log(`--- ${c.tokenIds.length} tokens, finish: ${c.finishReason}`);
    }
  }
}
