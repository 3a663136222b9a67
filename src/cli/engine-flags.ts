/**
 * The flags `rlzero eval` and `rlzero curate` share: where samples come from (`--model DIR`,
 * the local engine, or `--endpoint URL... --model-name NAME`, OpenAI-compatible servers) and
 * how they are drawn (sampling, template); Ctrl-C and progress while they run.
 */
import { resolve } from "node:path";
import { UserInputError } from "../errors.ts";
import { loadModel, loadTokenizer } from "../models/load.ts";
import type { TextTokenizer } from "../models/tokenizer.ts";
import { loadTemplate, TEMPLATE_NAMES, type PromptTemplate, type TemplateName } from "../data/templates.ts";
import { AnswerFormatSchema } from "../rewards/config.ts";
import type { RolloutEngine, SamplingSettings } from "../rollout/engine.ts";
import { LocalEngine } from "../rollout/local.ts";
import { applyThreads } from "./threads.ts";

export interface EngineFlags {
  threads?: number;
  model?: string;
  endpoint?: string[];
  modelName?: string;
  tokenizer?: string;
  apiKey?: string;
  concurrency: number;
  timeout: number;
  retries: number;
  batchSize: number;
}

export interface SamplingFlags {
  maxNewTokens: number;
  temperature: number;
  topP: number;
  topK: number;
  template: string;
  system?: string;
  stop?: string[];
  format?: string;
}

export interface EngineChoice {
  engine: RolloutEngine;
  tokenizer: TextTokenizer | null;
  /** The model directory or the served model's name (for the cache check). */
  identity: string;
  /** Prompts per engine call and calls in flight. */
  batchSize: number;
  inFlight: number;
}

export async function engineFromFlags(f: EngineFlags): Promise<EngineChoice> {
  const remote = f.endpoint !== undefined && f.endpoint.length > 0;
  if (remote === (f.model !== undefined)) throw new UserInputError("give either --model DIR (the local engine) or --endpoint URL (an OpenAI-compatible server)");
  if (remote) {
    if (!f.modelName) throw new UserInputError("--endpoint needs --model-name (the model name the server serves)");
    const tokenizer = f.tokenizer ? loadTokenizer(f.tokenizer) : null;
    if (f.tokenizer && !tokenizer) throw new UserInputError(`--tokenizer: ${f.tokenizer} has no tokenizer.json`);
    // Imported here: the HTTP client is needed only with --endpoint, and takes a while to load.
    const { OpenAIEngine } = await import("../rollout/openai.ts");
    const engine = new OpenAIEngine({
      endpoints: f.endpoint!, model: f.modelName, apiKey: f.apiKey ?? process.env.OPENAI_API_KEY,
      concurrency: f.concurrency, timeoutMs: f.timeout * 1000, retries: f.retries,
    });
    // One sample per call: each is cached and retried on its own.
    return { engine, tokenizer, identity: f.modelName, batchSize: 1, inFlight: f.concurrency * f.endpoint!.length };
  }
  if (f.modelName || f.tokenizer) throw new UserInputError("--model-name and --tokenizer go with --endpoint; --model DIR brings its own tokenizer");
  applyThreads(f.threads);
  const model = loadModel(f.model!);
  const tokenizer = loadTokenizer(f.model!);
  if (!tokenizer) throw new UserInputError(`${f.model} has no tokenizer.json: the local engine needs it to read prompts`);
  return { engine: new LocalEngine(model, tokenizer), tokenizer, identity: resolve(f.model!), batchSize: f.batchSize, inFlight: 1 };
}

/** `--template` (a name, or a file containing {question}) with `--system`, `--stop` and `--format`. */
export function templateFromFlags(f: SamplingFlags): PromptTemplate {
  const name = (TEMPLATE_NAMES as readonly string[]).includes(f.template) && f.template !== "file" ? (f.template as TemplateName) : "file";
  const format = f.format === undefined ? undefined : AnswerFormatSchema.safeParse(f.format);
  if (format && !format.success) throw new UserInputError(`--format must be one of ${AnswerFormatSchema.options.join(", ")} (got "${f.format}")`);
  if (f.system !== undefined && name !== "chat") throw new UserInputError("--system goes with --template chat");
  return loadTemplate({
    name,
    ...(name === "file" ? { path: f.template } : {}),
    ...(f.system !== undefined ? { system: f.system } : {}),
    ...(f.stop ? { stop: f.stop } : {}),
    ...(format ? { format: format.data } : {}),
  });
}

export function samplingFromFlags(f: SamplingFlags, template: PromptTemplate): SamplingSettings {
  return { maxNewTokens: f.maxNewTokens, temperature: f.temperature, topP: f.topP, topK: f.topK, stop: template.stop };
}

/** Ctrl-C stops the run at the next batch (a second Ctrl-C quits at once). */
export function interruptSignal(): { signal: AbortSignal; dispose: () => void } {
  const ctl = new AbortController();
  const onSigint = () => {
    if (ctl.signal.aborted) process.exit(130);
    console.error("\nrlzero: stopping; writing what is done (Ctrl-C again to quit at once)");
    ctl.abort();
  };
  process.on("SIGINT", onSigint);
  return { signal: ctl.signal, dispose: () => process.off("SIGINT", onSigint) };
}

/** A progress line on a terminal (rewritten in place); nothing when stderr is a file. */
export function progress(name: string): (p: { done: number; failed: number; total: number }) => void {
  return ({ done, failed, total }) => {
    if (process.stderr.isTTY) process.stderr.write(`\r${name}: ${done}/${total} samples${failed ? `, ${failed} failed` : ""}`);
  };
}
