/**
 * OpenAI-compatible servers (vLLM, SGLang, llama.cpp's server, `rlzero serve`) as a
 * RolloutEngine, over `/v1/completions` with the official `openai` client.
 *
 * One request per sample, so that each sample gets its own seed: sample j of a prompt is
 * requested with `seed = Rng.derive(...seedKeys, prompt.key, j).nextUint32()`, the keyed
 * stream the local engine would use, and a sample does not depend on how requests are
 * batched or which server answers (as far as the server's sampler is deterministic for a
 * seed). The prompt goes as token ids when the caller gives them, else as text.
 *
 * Requests carry `logprobs: 0` (the sampled token's log-prob, no alternatives, which would cost
 * `rlzero serve` another forward pass) and, in `extraBody`, fields some servers understand and
 * others ignore: `return_token_ids` (vLLM and SGLang put the ids in `choices[].token_ids`; `rlzero
 * serve` always does), vLLM's `return_tokens_as_token_ids` (ids as "token_id:N" tokens) and
 * `include_stop_str_in_output`, SGLang's `no_stop_trim` (our contract keeps the stop string in
 * the text; a stop string reported in `stop_reason` but cut from the text is put back).
 * Token ids are read from `choices[].token_ids` or those "token_id:N" tokens; a server that
 * gives neither yields `tokenIds: null`, and `logprobs: null` without log-probabilities.
 * Log-probabilities are what the server reports (vLLM reports the raw model's unless run
 * with `--logprobs-mode processed_logprobs`).
 *
 * Robustness: each endpoint takes at most `concurrency` requests at once and a request goes
 * to the free endpoint with the fewest in flight (then the fewest served), avoiding the one
 * that just failed it. A request that times out, cannot connect, gets HTTP 408/409/429/5xx or
 * a response that is not a completion (garbage) is retried up to `retries` times after
 * `backoffMs`, doubling each time up to 30 s; other HTTP errors (400, 401, 404, ...) fail at
 * once. A sample that still fails makes `generate` reject with a RolloutRequestError that
 * says which requests failed and why, so a caller never mistakes it for a wrong answer.
 * The client's own retries are off: one policy, here.
 *
 * A fleet for training (docs/SCALING.md): an endpoint that cannot be reached, times out or
 * answers 5xx is marked down and gets requests only while no endpoint is up, so a server that
 * dies mid-step costs a retry per request it held, not the step. `syncWeights(dir, N)` tells
 * every server to load the checkpoint in `dir` (weight-sync.ts: SGLang's route or vLLM's) and
 * from then on expects version N: only endpoints that loaded it get requests (a failed or dead
 * one waits for the next sync), and a response tagged with another version (`weight_version`, at
 * the top as `rlzero serve` puts it or in `metadata` as SGLang does) is a failed attempt, retried
 * elsewhere, so a step's samples never mix weights. Samples are tagged with the version loaded
 * (before any sync: the caller's `weightVersion` counter). `takeMetrics()` reports failed
 * attempts, retries, version mismatches, failed loads and the endpoints up and current.
 */
import { setMaxListeners } from "node:events";
import OpenAI from "openai";
import { z } from "zod";
import { Rng } from "../util/rng.ts";
import type { RolloutEngine, RolloutPrompt, RolloutSample, SamplingSettings, WeightSyncReport } from "./engine.ts";
import { weightSyncCalls, type WeightSyncProtocol } from "./weight-sync.ts";

export interface OpenAIEngineOptions {
  /** Server base URLs ("http://127.0.0.1:8000" or ".../v1"); requests are spread over them. */
  endpoints: readonly string[];
  /** The model name the servers know (`model` in each request); absent: not sent (the server's only model). */
  model?: string;
  apiKey?: string;
  /** Requests in flight per endpoint (default 8). */
  concurrency?: number;
  /** Time limit of one request, ms (default 10 minutes). */
  timeoutMs?: number;
  /** Further attempts after a failed one (default 4). */
  retries?: number;
  /** Delay before the first retry, ms; doubled for each further one, at most 30 s (default 500). */
  backoffMs?: number;
  /** Extra request fields (default: the vLLM/SGLang fields named above). */
  extraBody?: Record<string, unknown>;
  /** The version samples are tagged with before any `syncWeights` (default 0). */
  weightVersion?: () => number;
  /** How `syncWeights` tells a server to load new weights (default sglang). */
  weightSync?: WeightSyncProtocol;
}

export const DEFAULT_EXTRA_BODY: Readonly<Record<string, unknown>> = {
  return_token_ids: true,
  return_tokens_as_token_ids: true,
  include_stop_str_in_output: true,
  no_stop_trim: true,
};

const MAX_BACKOFF_MS = 30_000;

/** A sample that could not be had from any endpoint. */
export class RolloutRequestError extends Error {
  override name = "RolloutRequestError";
}

/** A weight route that answered with an error (`down`: the server is in trouble, not just refusing). */
class RouteError extends Error {
  constructor(message: string, readonly down: boolean) {
    super(message);
  }
}

/** The parts of a completion response we use; anything else is garbage. */
const CompletionSchema = z.object({
  choices: z.array(z.object({
    text: z.string(),
    finish_reason: z.enum(["stop", "length"]),
    logprobs: z.object({
      token_logprobs: z.array(z.number().nullable()).nullish(),
      tokens: z.array(z.string()).nullish(),
    }).nullish(),
    token_ids: z.array(z.number().int().nonnegative()).nullish(),
    stop_reason: z.unknown().optional(),
  })).min(1),
  weight_version: z.union([z.string(), z.number()]).nullish(),
  metadata: z.object({ weight_version: z.union([z.string(), z.number()]).nullish() }).nullish(),
});
type Choice = z.infer<typeof CompletionSchema>["choices"][number];

interface Endpoint {
  /** The base URL, ".../v1". */
  url: string;
  /** The server's root, for the weight routes. */
  root: string;
  client: OpenAI;
  inFlight: number;
  served: number;
  /** False after a connection failure, timeout or 5xx; true after any completion or load. */
  up: boolean;
  /** The weight version it loaded at the last sync; null when that load failed. */
  version: string | null;
}

/** Why an attempt failed, whether another attempt may succeed, and whether the server is in trouble. */
interface AttemptError {
  message: string;
  retryable: boolean;
  down?: boolean;
}

/** Counts since the last takeMetrics(). */
interface Counters {
  failed: number;
  retries: number;
  mismatches: number;
  loadFailures: number;
}

export class OpenAIEngine implements RolloutEngine {
  readonly name: string;
  private readonly endpoints: Endpoint[];
  private readonly waiting: (() => void)[] = [];
  private readonly closing = new AbortController();
  private readonly concurrency: number;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly extraBody: Record<string, unknown>;
  /** The weight version every sample must come from, after the first syncWeights. */
  private expected: string | null = null;
  private counters: Counters = { failed: 0, retries: 0, mismatches: 0, loadFailures: 0 };

  constructor(private readonly opts: OpenAIEngineOptions) {
    if (opts.endpoints.length === 0) throw new Error("OpenAIEngine: no endpoints");
    this.concurrency = opts.concurrency ?? 8;
    this.timeoutMs = opts.timeoutMs ?? 600_000;
    this.retries = opts.retries ?? 4;
    this.backoffMs = opts.backoffMs ?? 500;
    this.extraBody = { ...(opts.extraBody ?? DEFAULT_EXTRA_BODY) };
    setMaxListeners(0, this.closing.signal); // every request in flight listens to it
    this.endpoints = opts.endpoints.map((u) => {
      const url = baseUrl(u);
      const client = new OpenAI({ baseURL: url, apiKey: opts.apiKey ?? "none", maxRetries: 0, timeout: this.timeoutMs });
      return { url, root: url.replace(/\/v1$/, ""), client, inFlight: 0, served: 0, up: true, version: null };
    });
    this.name = `openai:${this.endpoints.map((e) => e.url).join(",")}`;
  }

  async generate(prompts: readonly RolloutPrompt[], n: number, sampling: SamplingSettings,
    seedKeys: readonly number[]): Promise<RolloutSample[][]> {
    const settled = await Promise.allSettled(prompts.flatMap((p) => Array.from({ length: n }, (_, j) => this.sample(p, j, sampling, seedKeys))));
    const failed = settled.flatMap((s) => (s.status === "rejected" ? [(s.reason as Error).message] : []));
    if (failed.length === 1 && settled.length === 1) throw new RolloutRequestError(failed[0]!);
    if (failed.length > 0) throw new RolloutRequestError(`${failed.length} of ${settled.length} requests failed; first: ${failed[0]}`);
    const samples = settled.map((s) => (s as PromiseFulfilledResult<RolloutSample>).value);
    return prompts.map((_, p) => samples.slice(p * n, (p + 1) * n));
  }

  /** Sample j of one prompt, with retries. */
  private async sample(prompt: RolloutPrompt, j: number, sampling: SamplingSettings, seedKeys: readonly number[]): Promise<RolloutSample> {
    const body = {
      ...(this.opts.model !== undefined ? { model: this.opts.model } : {}),
      prompt: prompt.ids ? [...prompt.ids] : prompt.text,
      max_tokens: sampling.maxNewTokens,
      temperature: sampling.temperature,
      top_p: sampling.topP,
      ...(sampling.topK > 0 ? { top_k: sampling.topK } : {}),
      ...(sampling.stop.length > 0 ? { stop: [...sampling.stop] } : {}),
      seed: Rng.derive(...seedKeys, prompt.key, j).nextUint32(),
      logprobs: 0,
      n: 1,
      ...this.extraBody,
    };
    let last: Endpoint | undefined;
    let error: AttemptError | undefined;
    let attempts = 0;
    while (!this.closing.signal.aborted) {
      if (attempts > 0) {
        this.counters.retries++;
        await sleep(Math.min(MAX_BACKOFF_MS, this.backoffMs * 2 ** (attempts - 1)), this.closing.signal);
      }
      if (this.closing.signal.aborted) break;
      const ep = await this.acquire(last);
      last = ep;
      attempts++;
      try {
        const raw: unknown = await ep.client.completions.create(body as OpenAI.CompletionCreateParamsNonStreaming, { signal: this.closing.signal });
        const parsed = CompletionSchema.safeParse(raw);
        if (parsed.success) {
          ep.up = true;
          const reported = parsed.data.weight_version ?? parsed.data.metadata?.weight_version;
          if (this.expected === null || reported == null || String(reported) === this.expected) return this.toSample(parsed.data.choices[0]!, sampling);
          this.counters.mismatches++;
          ep.version = String(reported); // it no longer serves the expected weights: no more requests until the next sync
          error = { message: `weight_version ${reported}, expected ${this.expected}`, retryable: true };
        } else {
          error = { message: `not a completion response (${describe(raw)})`, retryable: true };
        }
      } catch (e) {
        error = attemptError(e, this.timeoutMs);
        if (error.down) ep.up = false;
      } finally {
        this.release(ep);
      }
      if (!this.closing.signal.aborted) this.counters.failed++;
      if (!error.retryable || attempts > this.retries) break;
    }
    if (this.closing.signal.aborted || !last || !error) throw new RolloutRequestError(`${this.name}: the engine was closed`);
    throw new RolloutRequestError(`${last.url}: ${error.message} (${attempts} attempt${attempts === 1 ? "" : "s"})`);
  }

  private toSample(choice: Choice, sampling: SamplingSettings): RolloutSample {
    let text = choice.text;
    const cut = choice.stop_reason;
    if (choice.finish_reason === "stop" && typeof cut === "string" && sampling.stop.includes(cut) && !text.endsWith(cut)) text += cut;
    const tokens = choice.logprobs?.tokens;
    const fromTokens = tokens?.every((t) => /^token_id:\d+$/.test(t)) ? tokens.map((t) => Number(t.slice(9))) : null;
    const tokenIds = choice.token_ids ?? fromTokens;
    const lp = choice.logprobs?.token_logprobs;
    const logprobs = lp && lp.every((x) => x !== null) && (tokenIds === null || lp.length === tokenIds.length) ? (lp as number[]) : null;
    const weightVersion = this.expected !== null ? Number(this.expected) : (this.opts.weightVersion?.() ?? 0);
    return { text, tokenIds: tokenIds ? [...tokenIds] : null, logprobs, finishReason: choice.finish_reason, weightVersion };
  }

  /**
   * Loads the checkpoint `dir` on every server as weight version `version` (all at once) and
   * expects it from then on. Servers that fail keep no requests until a later sync loads them;
   * if none loads it, this rejects with a RolloutRequestError and the old expectation stays.
   */
  async syncWeights(dir: string, version: number): Promise<WeightSyncReport> {
    const v = String(version);
    const calls = weightSyncCalls(this.opts.weightSync ?? "sglang", dir, v);
    const failed = (await Promise.all(this.endpoints.map(async (ep) => {
      try {
        for (const call of calls) {
          const reply = await this.post(`${ep.root}${call.path}`, call.body);
          const refused = call.refused?.(reply);
          if (refused) throw new RouteError(refused, false);
        }
        ep.up = true;
        ep.version = v;
        return [];
      } catch (e) {
        const error = e instanceof RouteError ? e : { message: `${(e as Error).message}${(e as Error).cause instanceof Error ? ` (${((e as Error).cause as Error).message})` : ""}`, down: true };
        if (error.down) ep.up = false;
        ep.version = null;
        return [{ endpoint: ep.root, error: error.message }];
      }
    }))).flat();
    this.counters.loadFailures += failed.length;
    if (failed.length === this.endpoints.length) {
      throw new RolloutRequestError(`no server loaded weight version ${v} from ${dir}: ${failed.map((f) => `${f.endpoint}: ${f.error}`).join("; ")}`);
    }
    this.expected = v;
    return { loaded: this.endpoints.length - failed.length, failed };
  }

  /**
   * POSTs to a weight route and returns its JSON. With fetch, not the OpenAI client: SGLang and
   * vLLM answer these routes in their own shapes ({success, message}, {detail}), which the client
   * would drop from its errors.
   */
  private async post(url: string, body: Record<string, unknown> | undefined): Promise<unknown> {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${this.opts.apiKey ?? "none"}` },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.any([this.closing.signal, AbortSignal.timeout(this.timeoutMs)]),
    });
    const text = await res.text();
    let json: unknown = text;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    if (!res.ok) {
      const r = json as { message?: unknown; detail?: unknown; error?: { message?: unknown } } | null;
      const why = [r?.message, r?.error?.message, r?.detail].find((x) => typeof x === "string") ?? describe(json);
      throw new RouteError(`HTTP ${res.status} (${String(why).slice(0, 300)})`, res.status >= 500);
    }
    return json;
  }

  /** Counts since the last call, under the trainer's metric names. */
  async takeMetrics(): Promise<Record<string, number>> {
    const c = this.counters;
    this.counters = { failed: 0, retries: 0, mismatches: 0, loadFailures: 0 };
    return {
      "rollout/failed_requests": c.failed,
      "rollout/retries": c.retries,
      "rollout/version_mismatches": c.mismatches,
      "rollout/weight_load_failures": c.loadFailures,
      "rollout/endpoints_alive": this.usable().filter((e) => e.up).length,
    };
  }

  /** Endpoints serving the expected weights (all of them before the first sync). */
  private usable(): Endpoint[] {
    return this.endpoints.filter((e) => this.expected === null || e.version === this.expected);
  }

  /**
   * A free endpoint among the usable ones that are up (all usable ones when none is up): fewest
   * in flight, then fewest served; `avoid` (the one that just failed) last.
   */
  private async acquire(avoid: Endpoint | undefined): Promise<Endpoint> {
    for (;;) {
      const usable = this.usable();
      if (usable.length === 0) throw new RolloutRequestError(`${this.name}: no server serves weight version ${this.expected} (the loads failed or the servers are gone)`);
      const candidates = usable.some((e) => e.up) ? usable.filter((e) => e.up) : usable;
      const free = candidates.filter((e) => e.inFlight < this.concurrency);
      if (free.length > 0) {
        const rank = (e: Endpoint) => [e === avoid && free.length > 1 ? 1 : 0, e.inFlight, e.served];
        const best = free.reduce((a, b) => (lexLess(rank(b), rank(a)) ? b : a));
        best.inFlight++;
        best.served++;
        return best;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private release(ep: Endpoint): void {
    ep.inFlight--;
    this.waiting.shift()?.();
  }

  /** Aborts requests in flight and backoffs; later generate calls fail. */
  async close(): Promise<void> {
    this.closing.abort();
    for (const wake of this.waiting.splice(0)) wake();
  }
}

/** "http://host:port" and "http://host:port/v1/" both become "http://host:port/v1". */
function baseUrl(url: string): string {
  const u = url.replace(/\/+$/, "");
  return /\/v1$/.test(u) ? u : `${u}/v1`;
}

function attemptError(e: unknown, timeoutMs: number): AttemptError {
  if (e instanceof OpenAI.APIUserAbortError) return { message: "aborted", retryable: false };
  if (e instanceof OpenAI.APIConnectionTimeoutError) return { message: `no response within ${timeoutMs} ms`, retryable: true, down: true };
  if (e instanceof OpenAI.APIConnectionError) return { message: `connection failed (${e.cause instanceof Error ? e.cause.message : e.message})`, retryable: true, down: true };
  if (e instanceof OpenAI.APIError && e.status !== undefined) {
    const status = e.status;
    return { message: `HTTP ${status} (${e.message.replace(/^\d+\s*/, "").slice(0, 300)})`, retryable: status === 408 || status === 409 || status === 429 || status >= 500, down: status >= 500 };
  }
  // The client could not read the body (e.g. JSON that does not parse): garbage.
  return { message: `unreadable response (${(e as Error).message?.slice(0, 300) ?? String(e)})`, retryable: true };
}

function describe(raw: unknown): string {
  const s = typeof raw === "string" ? raw : JSON.stringify(raw) ?? String(raw);
  return s.length > 200 ? `${s.slice(0, 200)}...` : s;
}

function lexLess(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
