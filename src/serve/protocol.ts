/**
 * The request bodies of `/v1/completions` and `/v1/chat/completions`, validated with zod into
 * plain settings. As vLLM does, unknown fields are tolerated; a known field with a wrong type or
 * an out-of-range value is a 400 naming it, and so is a known feature we do not implement set to
 * anything but its neutral value (a penalty of 0, `stream: false`, ...), rather than ignored.
 *
 * Defaults follow OpenAI: temperature 1, top_p 1, n 1, max_tokens 16 for completions; chat
 * completions run to the end of the context unless max_tokens / max_completion_tokens say less
 * (as vLLM). Extensions from vLLM: top_k, stop_token_ids, ignore_eos,
 * include_stop_str_in_output, skip_special_tokens, return_tokens_as_token_ids, add_special_tokens,
 * add_generation_prompt; return_token_ids is accepted (token ids are always returned).
 */
import { z } from "zod";
import type { ChatMessage } from "../models/tokenizer.ts";
import { ApiError } from "./api-error.ts";

/** Most alternatives per token that `logprobs` (completions) / `top_logprobs` (chat) may ask for. */
export const MAX_TOP_LOGPROBS = 20;

export interface SamplingRequest {
  /** The model the client named, if any. */
  model: string | undefined;
  /** null: up to the end of the context. */
  maxTokens: number | null;
  temperature: number;
  topP: number;
  /** <= 0: no top-k filter. */
  topK: number;
  n: number;
  /** null: a fresh random seed. */
  seed: number | null;
  stop: string[];
  stopTokenIds: number[];
  ignoreEos: boolean;
  includeStopStr: boolean;
  skipSpecialTokens: boolean;
  /** Log-prob tokens as "token_id:N" strings. */
  tokensAsIds: boolean;
  /** null: no log-probs; k: each token's log-prob and the k most likely alternatives. */
  logprobs: number | null;
}

export interface CompletionRequest extends SamplingRequest {
  /** Text or token ids, one entry per prompt. */
  prompts: (string | number[])[];
  addSpecialTokens: boolean;
}

export interface ChatRequest extends SamplingRequest {
  messages: ChatMessage[];
  addGenerationPrompt: boolean;
  addSpecialTokens: boolean;
}

const count = z.number().int().min(1);
const tokenId = z.number().int().min(0);
const tokenIdList = z.array(tokenId).min(1);
const flag = z.boolean().nullish();

const samplingFields = {
  model: z.string().nullish(),
  max_tokens: count.nullish(),
  temperature: z.number().min(0).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  top_k: z.number().int().min(-1).nullish(),
  n: count.nullish(),
  stop: z.union([z.string().min(1), z.array(z.string().min(1))],
    { error: "must be a non-empty string or a list of non-empty strings" }).nullish(),
  stop_token_ids: z.array(tokenId).nullish(),
  ignore_eos: flag,
  seed: z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER).nullish(),
  stream: z.literal(false, { error: "true is not supported (responses come whole)" }).nullish(),
  include_stop_str_in_output: flag,
  skip_special_tokens: flag,
  return_tokens_as_token_ids: flag,
  return_token_ids: flag,
  user: z.string().nullish(),
};

const completionSchema = z.looseObject({
  ...samplingFields,
  prompt: z.union([z.string(), z.array(z.string()).min(1), tokenIdList, z.array(tokenIdList).min(1)],
    { error: "must be a string, a list of strings, a list of token ids or a list of lists of token ids" }),
  logprobs: z.number().int().min(0).max(MAX_TOP_LOGPROBS).nullish(),
  echo: z.literal(false, { error: "true is not supported" }).nullish(),
  add_special_tokens: flag,
});

const contentPart = z.looseObject({
  type: z.literal("text", { error: "only text content parts are supported" }),
  text: z.string(),
});
const message = z.looseObject({
  role: z.string(),
  content: z.union([z.string(), z.array(contentPart)], { error: "must be a string or a list of text parts" }).nullish(),
});

const chatSchema = z.looseObject({
  ...samplingFields,
  messages: z.array(message).min(1),
  max_completion_tokens: count.nullish(),
  logprobs: flag,
  top_logprobs: z.number().int().min(0).max(MAX_TOP_LOGPROBS).nullish(),
  add_generation_prompt: flag,
  add_special_tokens: flag,
});

/** Known features we do not implement, and the values that mean "not used". */
const NEUTRAL: Record<string, (v: unknown) => boolean> = {
  presence_penalty: (v) => v === 0,
  frequency_penalty: (v) => v === 0,
  repetition_penalty: (v) => v === 1,
  length_penalty: (v) => v === 1,
  min_p: (v) => v === 0,
  min_tokens: (v) => v === 0,
  best_of: (v) => v === 1,
  use_beam_search: (v) => v === false,
  logit_bias: (v) => typeof v === "object" && Object.keys(v as object).length === 0,
  suffix: (v) => v === "",
  prompt_logprobs: () => false,
  response_format: (v) => (v as { type?: unknown }).type === "text",
  tools: (v) => Array.isArray(v) && v.length === 0,
  guided_json: () => false,
  guided_regex: () => false,
  guided_choice: () => false,
  guided_grammar: () => false,
  structured_outputs: () => false,
};

function rejectUnsupported(body: Record<string, unknown>): void {
  for (const [field, neutral] of Object.entries(NEUTRAL)) {
    const v = body[field];
    if (v !== undefined && v !== null && !neutral(v)) {
      throw ApiError.badField(field, `not supported by rlzero serve (got ${JSON.stringify(v)})`);
    }
  }
}

function parse<S extends z.ZodType>(schema: S, body: unknown, opts: { generation: boolean }): z.infer<S> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ApiError(400, "the request body must be a JSON object");
  }
  if (opts.generation) rejectUnsupported(body as Record<string, unknown>);
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue.path.map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join("");
  const value = issue.path.reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown> | undefined)?.[k], body);
  throw ApiError.badField(param, value === undefined ? "required" : issue.message);
}

type SamplingBody = { [K in keyof typeof samplingFields]?: z.infer<(typeof samplingFields)[K]> };

function sampling(b: SamplingBody, maxTokens: number | null, logprobs: number | null): SamplingRequest {
  return {
    model: b.model ?? undefined,
    maxTokens,
    temperature: b.temperature ?? 1,
    topP: b.top_p ?? 1,
    topK: b.top_k ?? -1,
    n: b.n ?? 1,
    seed: b.seed ?? null,
    stop: typeof b.stop === "string" ? [b.stop] : (b.stop ?? []),
    stopTokenIds: b.stop_token_ids ?? [],
    ignoreEos: b.ignore_eos ?? false,
    includeStopStr: b.include_stop_str_in_output ?? false,
    skipSpecialTokens: b.skip_special_tokens ?? true,
    tokensAsIds: b.return_tokens_as_token_ids ?? false,
    logprobs,
  };
}

export function parseCompletionRequest(body: unknown): CompletionRequest {
  const b = parse(completionSchema, body, { generation: true });
  const p = b.prompt;
  const prompts = typeof p === "string" ? [p] : p.every((x) => typeof x === "number") ? [p as number[]] : (p as (string | number[])[]);
  return { ...sampling(b, b.max_tokens ?? 16, b.logprobs ?? null), prompts, addSpecialTokens: b.add_special_tokens ?? true };
}

export function parseChatRequest(body: unknown): ChatRequest {
  const b = parse(chatSchema, body, { generation: true });
  if (b.top_logprobs && !b.logprobs) throw ApiError.badField("top_logprobs", "needs logprobs: true");
  const messages = b.messages.map((m) => ({
    role: m.role,
    content: typeof m.content === "string" ? m.content : (m.content ?? []).map((part) => part.text).join(""),
  }));
  return {
    ...sampling(b, b.max_completion_tokens ?? b.max_tokens ?? null, b.logprobs ? (b.top_logprobs ?? 0) : null),
    messages,
    addGenerationPrompt: b.add_generation_prompt ?? true,
    addSpecialTokens: b.add_special_tokens ?? false,
  };
}

const updateWeightsSchema = z.looseObject({
  model_path: z.string().min(1),
  weight_version: z.string().nullish(),
  load_format: z.literal("auto", { error: "only \"auto\" (safetensors) is supported" }).nullish(),
  abort_all_requests: z.literal(false, { error: "true is not supported" }).nullish(),
  flush_cache: flag,
});

export interface UpdateWeightsRequest {
  modelPath: string;
  weightVersion: string | null;
}

/** SGLang's `/update_weights_from_disk` body. `flush_cache` is accepted: there is no cache to flush. */
export function parseUpdateWeightsRequest(body: unknown): UpdateWeightsRequest {
  const b = parse(updateWeightsSchema, body, { generation: false });
  return { modelPath: b.model_path, weightVersion: b.weight_version ?? null };
}
