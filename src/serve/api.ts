/**
 * What each route does, apart from HTTP: validates the request, turns prompts or messages into
 * token ids, queues the generation with the batcher, and builds the OpenAI-shaped answer. Every
 * response names the `weight_version` of the weights that produced it (SGLang's tag, set by
 * `/update_weights_from_disk`), so a trainer can tell which policy a rollout came from.
 */
import { randomInt, randomUUID } from "node:crypto";
import type { TextTokenizer } from "../models/tokenizer.ts";
import type { Completion } from "../sampling/generate.ts";
import { UserInputError } from "../errors.ts";
import { ApiError } from "./api-error.ts";
import type { Batcher, GenerationSettings } from "./batcher.ts";
import { parseChatRequest, parseCompletionRequest, parseUpdateWeightsRequest, type SamplingRequest } from "./protocol.ts";
import { chatChoice, completionChoice, usage, type SampleOutput, type TokenText } from "./responses.ts";
import { topLogprobs } from "./top-logprobs.ts";
import type { ServedWeights, WeightSlot } from "./weights.ts";

/** Chat completions without max_tokens run to the end of the context, but at most this far. */
export const DEFAULT_CHAT_MAX_TOKENS = 2048;

export interface JsonReply {
  status: number;
  body: unknown;
}

export class InferenceApi {
  private readonly created = Math.floor(Date.now() / 1000);

  constructor(
    private readonly slot: WeightSlot,
    private readonly tokenizer: TextTokenizer,
    private readonly batcher: Batcher,
    readonly servedName: string,
  ) {}

  models() {
    const card = { id: this.servedName, object: "model", created: this.created, owned_by: "rlzero", max_model_len: this.config().maxPositions };
    return { object: "list", data: [card] };
  }

  /** SGLang's /get_model_info. */
  modelInfo() {
    const { path, version } = this.slot.current;
    const cfg = this.config();
    return {
      model_path: path, is_generation: true, weight_version: version, model_type: cfg.modelType,
      architectures: [cfg.architecture], max_model_len: cfg.maxPositions, served_model_name: this.servedName,
    };
  }

  weightVersion() {
    return { weight_version: this.slot.current.version };
  }

  async completions(body: unknown, signal: AbortSignal) {
    const req = parseCompletionRequest(body);
    this.checkModel(req.model);
    const prompts = req.prompts.map((p, i) => this.promptIds(p, req.addSpecialTokens, req.prompts.length > 1 ? `prompt[${i}]` : "prompt"));
    const { samples, weights } = await this.run(req, prompts, signal);
    const tokenText = this.tokenText(req);
    const decoded = (id: number) => this.tokenizer.decode([id]);
    return {
      id: `cmpl-${randomUUID().replaceAll("-", "")}`,
      object: "text_completion",
      created: Math.floor(Date.now() / 1000),
      model: this.servedName,
      choices: samples.flatMap((perPrompt, p) => perPrompt.map((s, j) =>
        completionChoice(p * req.n + j, s, prompts[p], req.logprobs !== null, tokenText, decoded))),
      usage: usage(prompts.reduce((sum, p) => sum + p.length, 0), samples.flat()),
      weight_version: weights.version,
    };
  }

  async chat(body: unknown, signal: AbortSignal) {
    const req = parseChatRequest(body);
    this.checkModel(req.model);
    let rendered: string;
    try {
      rendered = this.tokenizer.applyChatTemplate(req.messages, { addGenerationPrompt: req.addGenerationPrompt });
    } catch (e) {
      if (e instanceof UserInputError) throw ApiError.badField("messages", e.message);
      throw e;
    }
    const prompt = this.promptIds(rendered, req.addSpecialTokens, "messages");
    const { samples, weights } = await this.run(req, [prompt], signal);
    const tokenText = this.tokenText(req);
    return {
      id: `chatcmpl-${randomUUID().replaceAll("-", "")}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: this.servedName,
      choices: samples[0].map((s, j) => chatChoice(j, s, req.logprobs !== null, tokenText)),
      usage: usage(prompt.length, samples[0]),
      prompt_token_ids: prompt,
      weight_version: weights.version,
    };
  }

  /** SGLang's answer: {success, message, num_paused_requests}; 400 with success false on failure. */
  updateWeights(body: unknown): JsonReply {
    try {
      const req = parseUpdateWeightsRequest(body);
      const w = this.slot.update(req.modelPath, req.weightVersion);
      const message = `Succeeded to update model weights from ${w.path} (weight_version ${w.version}).`;
      return { status: 200, body: { success: true, message, num_paused_requests: 0, weight_version: w.version } };
    } catch (e) {
      if (!(e instanceof UserInputError || e instanceof ApiError)) throw e;
      return { status: 400, body: { success: false, message: e.message, num_paused_requests: 0 } };
    }
  }

  private config() {
    return this.slot.current.model.config;
  }

  private checkModel(model: string | undefined): void {
    if (model !== undefined && model !== this.servedName) {
      throw new ApiError(404, `The model \`${model}\` does not exist (this server serves \`${this.servedName}\`).`, "model", "not_found_error", "model_not_found");
    }
  }

  /** Token ids of one prompt, checked against the vocabulary. */
  private promptIds(prompt: string | number[], addSpecialTokens: boolean, param: string): number[] {
    const ids = typeof prompt === "string" ? this.tokenizer.encode(prompt, { addSpecialTokens }) : prompt;
    if (ids.length === 0) throw ApiError.badField(param, "the prompt is empty (it encodes to no tokens)");
    const V = this.config().vocabSize;
    const bad = ids.find((id) => id >= V);
    if (bad !== undefined) throw ApiError.badField(param, `token id ${bad} is outside the vocabulary [0, ${V})`);
    return ids;
  }

  /** Queues the request's generation and waits for its batch: samples[p][j] for prompt p. */
  private async run(req: SamplingRequest, prompts: number[][], signal: AbortSignal):
    Promise<{ samples: SampleOutput[][]; weights: ServedWeights }> {
    const settings = this.settings(req, prompts);
    const seed = req.seed ?? randomInt(2 ** 48 - 1);
    const { completions, weights } = await this.batcher.submit({ prompts, n: req.n, seed, settings }, signal);
    const samples = completions.map((perPrompt, p) => perPrompt.map((c) => ({
      text: this.visibleText(c, settings, req.includeStopStr),
      tokenIds: c.tokenIds,
      logprobs: c.logprobs,
      finishReason: c.finishReason,
      top: req.logprobs ? topLogprobs(weights.model, prompts[p], c.tokenIds, req.logprobs, req.temperature) : null,
    })));
    return { samples, weights };
  }

  private settings(req: SamplingRequest, prompts: number[][]): GenerationSettings {
    const cfg = this.config();
    const context = cfg.maxPositions;
    for (const p of prompts) {
      if (req.maxTokens === null ? p.length >= context : p.length + req.maxTokens > context) {
        if (req.maxTokens === null) throw ApiError.badField("messages", `the prompt has ${p.length} tokens; this model's context is ${context}`);
        throw ApiError.badField("max_tokens", `a prompt of ${p.length} tokens and ${req.maxTokens} more do not fit this model's context of ${context} tokens`);
      }
    }
    const bad = req.stopTokenIds.find((id) => id >= cfg.vocabSize);
    if (bad !== undefined) throw ApiError.badField("stop_token_ids", `token id ${bad} is outside the vocabulary [0, ${cfg.vocabSize})`);
    const eos = new Set([...(req.ignoreEos ? [] : cfg.eosTokenIds), ...req.stopTokenIds]);
    return {
      maxNewTokens: req.maxTokens ?? Math.min(DEFAULT_CHAT_MAX_TOKENS, context),
      temperature: req.temperature,
      topP: req.topP,
      topK: req.topK,
      stop: req.stop,
      eosTokenIds: [...eos].sort((a, b) => a - b),
      skipSpecialTokens: req.skipSpecialTokens,
    };
  }

  /** The text without what stopped it (a stop token or stop string), unless include_stop_str_in_output. */
  private visibleText(c: Completion, settings: GenerationSettings, includeStop: boolean): string {
    const text = c.text ?? "";
    if (c.finishReason === "length" || includeStop) return text;
    if (settings.eosTokenIds.includes(c.tokenIds[c.tokenIds.length - 1])) {
      return this.tokenizer.decode(c.tokenIds.slice(0, -1), { skipSpecialTokens: settings.skipSpecialTokens });
    }
    const stop = settings.stop.find((s) => text.endsWith(s));
    return stop === undefined ? text : text.slice(0, -stop.length);
  }

  private tokenText(req: SamplingRequest): TokenText {
    return req.tokensAsIds ? (id) => `token_id:${id}` : (id) => this.tokenizer.decode([id]);
  }
}
