/**
 * Response bodies in the OpenAI formats: completion and chat choices, their `logprobs` objects,
 * `usage`. Each choice also carries its `token_ids` (and a completion choice its
 * `prompt_token_ids`), as vLLM's `return_token_ids` does, so a trainer needs no re-tokenization.
 */
import type { FinishReason } from "../sampling/generate.ts";
import type { TokenLogprob } from "./top-logprobs.ts";

/** One generated sample, ready to format. */
export interface SampleOutput {
  /** What the client sees: the stop string or stop token is cut unless include_stop_str_in_output. */
  text: string;
  tokenIds: number[];
  /** log-prob of each token under softmax(logits / temperature) (temperature 1 when greedy). */
  logprobs: number[];
  finishReason: FinishReason;
  /** The k most likely alternatives at each token, when k > 0 was asked for. */
  top: TokenLogprob[][] | null;
}

/** How a token is shown in log-probs: its text, or "token_id:N" (return_tokens_as_token_ids). */
export type TokenText = (id: number) => string;

/** OpenAI's completions `logprobs`: tokens, their log-probs, the alternatives, character offsets. */
function completionLogprobs(s: SampleOutput, tokenText: TokenText, decodedToken: TokenText) {
  const text_offset: number[] = [];
  let offset = 0;
  for (const id of s.tokenIds) {
    text_offset.push(offset);
    offset += decodedToken(id).length;
  }
  return {
    tokens: s.tokenIds.map(tokenText),
    token_logprobs: s.logprobs,
    // As vLLM: the alternatives and the sampled token itself.
    top_logprobs: s.tokenIds.map((id, i) => {
      const entries: Record<string, number> = {};
      for (const t of s.top?.[i] ?? []) entries[tokenText(t.id)] = t.logprob;
      entries[tokenText(id)] = s.logprobs[i];
      return entries;
    }),
    text_offset,
  };
}

function chatToken(token: string, logprob: number) {
  return { token, logprob, bytes: [...Buffer.from(token, "utf8")] };
}

/** OpenAI's chat `logprobs`: {content: [{token, logprob, bytes, top_logprobs}]}. */
function chatLogprobs(s: SampleOutput, tokenText: TokenText) {
  return {
    content: s.tokenIds.map((id, i) => ({
      ...chatToken(tokenText(id), s.logprobs[i]),
      top_logprobs: (s.top?.[i] ?? []).map((t) => chatToken(tokenText(t.id), t.logprob)),
    })),
  };
}

export function completionChoice(index: number, s: SampleOutput, promptIds: readonly number[], withLogprobs: boolean,
  tokenText: TokenText, decodedToken: TokenText) {
  return {
    index,
    text: s.text,
    logprobs: withLogprobs ? completionLogprobs(s, tokenText, decodedToken) : null,
    finish_reason: s.finishReason,
    token_ids: s.tokenIds,
    prompt_token_ids: promptIds,
  };
}

export function chatChoice(index: number, s: SampleOutput, withLogprobs: boolean, tokenText: TokenText) {
  return {
    index,
    message: { role: "assistant", content: s.text },
    logprobs: withLogprobs ? chatLogprobs(s, tokenText) : null,
    finish_reason: s.finishReason,
    token_ids: s.tokenIds,
  };
}

/** Prompt tokens count once per prompt, however many samples it has (as OpenAI and vLLM). */
export function usage(promptTokens: number, samples: readonly SampleOutput[]) {
  const completionTokens = samples.reduce((sum, s) => sum + s.tokenIds.length, 0);
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}
