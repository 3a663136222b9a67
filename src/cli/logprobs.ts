/** `rlzero logprobs`: log p(token_t | tokens before t) for every token after the first. */
import { loadModel, loadTokenizer } from "../models/load.ts";
import { noGrad } from "../tensor/tensor.ts";
import { UserInputError } from "../errors.ts";
import { applyThreads } from "./threads.ts";
import { inputTokens } from "./input-tokens.ts";

export interface LogprobsFlags {
  threads?: number;
  model: string;
  text?: string;
  ids?: string;
  json?: boolean;
}

export function logprobsCommand(flags: LogprobsFlags): void {
  applyThreads(flags.threads);
  const model = loadModel(flags.model);
  const ids = inputTokens(flags.model, loadTokenizer(flags.model), { text: flags.text, ids: flags.ids }, { text: "--text", ids: "--ids" });
  if (ids.length < 2) throw new UserInputError("need at least two tokens to score");
  const rows = Int32Array.from({ length: ids.length - 1 }, (_, i) => i);
  const logp = noGrad(() => model.tokenLogprobs(Int32Array.from(ids), 1, ids.length, rows).logp.data);
  if (flags.json) console.log(JSON.stringify({ ids, logprobs: Array.from(logp) }));
  else ids.slice(1).forEach((id, i) => console.log(`${id}\t${logp[i].toFixed(6)}`));
}
