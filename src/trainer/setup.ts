/**
 * Everything a run needs before its first step, built from the config: models and optimizers,
 * the prompts (rendered and tokenized once), the verifier pools, the rollout engine and its
 * schedule (with servers: the policy loaded on them), the run directory, and, when resuming, the
 * state of the last checkpoint.
 */
import path from "node:path";
import fs from "node:fs";
import { getAlgorithm } from "../algorithms/registry.ts";
import type { Algorithm } from "../algorithms/types.ts";
import type { AlgorithmConfig } from "../algorithms/config.ts";
import { loadDataset } from "../data/load.ts";
import { answerFormatFor, loadTemplate, promptFor } from "../data/templates.ts";
import type { PromptItem } from "../data/types.ts";
import { VerifierPools } from "../eval/pools.ts";
import { loadModel, loadTokenizer } from "../models/load.ts";
import type { TextTokenizer } from "../models/tokenizer.ts";
import type { CausalLM } from "../models/transformer.ts";
import { AdamW } from "../nn/adamw.ts";
import { REWARD_PRESETS } from "../rewards/config.ts";
import { VerifierPool } from "../rewards/pool.ts";
import type { RolloutEngine, SamplingSettings } from "../rollout/engine.ts";
import { LocalEngine } from "../rollout/local.ts";
import { RolloutSchedule } from "../rollout/schedule.ts";
import { WeightDirectory } from "../rollout/weight-dir.ts";
import { taskSet } from "../tasks/dataset.ts";
import { UserInputError } from "../errors.ts";
import { listCheckpoints, checkpointDir, restoreCheckpoint } from "./checkpoint.ts";
import type { RunConfig } from "./config.ts";
import { configToYaml } from "./load-config.ts";
import { PromptCursor, type CursorState } from "./prompt-order.ts";
import type { StepPrompt } from "./rollouts.ts";
import { RunDirectory } from "./run-dir.ts";
import type { Optimized } from "./update.ts";

export interface EvalSet {
  name: string;
  items: PromptItem[];
  n: number;
  render: (item: PromptItem) => { text: string; ids?: number[] };
  sampling: SamplingSettings;
  pool: VerifierPool;
}

export interface Session {
  cfg: RunConfig;
  algo: Algorithm<AlgorithmConfig>;
  tokenizer: TextTokenizer;
  policy: CausalLM;
  actor: Optimized;
  /** The initial policy, for the KL (absent when neither the algorithm nor logging needs it). */
  reference: CausalLM | null;
  critic: CausalLM | null;
  criticOpt: Optimized | null;
  prompts: StepPrompt[];
  /** Prompts left out for being too long (data.max_prompt_tokens, or no room left for a response). */
  droppedPrompts: number;
  cursor: PromptCursor;
  /** Where a checkpoint resumes the cursor: after this step's prompts, before any drawn for the next (async rollouts draw them early). */
  resumeCursor: CursorState;
  sampling: SamplingSettings;
  engine: RolloutEngine;
  /** When rollouts are generated and with which weights; writes and loads each policy version (engine openai). */
  schedule: RolloutSchedule;
  pool: VerifierPool;
  evalSets: EvalSet[];
  run: RunDirectory;
  /** The last finished step (0 for a new run). */
  startStep: number;
  /** Counters kept across a resume (state.json). */
  counters: { failedSteps: number };
  close(): Promise<void>;
}

export async function setupSession(cfg: RunConfig, opts: { resume: boolean }): Promise<Session> {
  const existing = path.join(cfg.run_dir, "run.json");
  if (!opts.resume && fs.existsSync(existing)) {
    const status = (JSON.parse(fs.readFileSync(existing, "utf8")) as { status?: string; step?: number });
    throw new UserInputError(`${cfg.run_dir} already holds a run (${status.status ?? "?"} at step ${status.step ?? "?"}): ` +
      `continue it with --resume ${cfg.run_dir}, or give another run_dir (--set run_dir=...)`);
  }
  const algo = getAlgorithm(cfg.algorithm.name);
  const tokenizer = loadTokenizer(cfg.model.path);
  if (!tokenizer) throw new UserInputError(`${cfg.model.path}: the policy's directory needs a tokenizer.json`);
  const policy = loadModel(cfg.model.path);
  const needsReference = algo.needsReference(cfg.algorithm) || cfg.trainer.log_kl;
  const reference = needsReference ? loadModel(cfg.model.path) : null;
  const critic = algo.usesCritic ? loadModel(cfg.model.critic_path ?? cfg.model.path, { valueHead: true, seed: cfg.seed }) : null;
  const actor = optimized(policy, cfg.actor);
  const criticOpt = critic ? optimized(critic, cfg.critic) : null;

  const template = loadTemplate(cfg.data.template);
  const train = await loadSource(cfg.data.train, "train");
  const all = train.items.map((item, key) => ({ key, item, ...promptFor(template, item, tokenizer) }));
  // A prompt must leave room for a whole response in the model's context.
  const maxPrompt = Math.min(cfg.data.max_prompt_tokens, policy.config.maxPositions - cfg.rollout.max_new_tokens);
  const prompts = all.filter((p) => p.ids!.length <= maxPrompt) as StepPrompt[];
  if (prompts.length < cfg.rollout.prompts_per_step) {
    throw new UserInputError(`${train.name}: ${prompts.length} prompts fit in ${maxPrompt} tokens (data.max_prompt_tokens ${cfg.data.max_prompt_tokens}; ` +
      `the model's context ${policy.config.maxPositions} minus rollout.max_new_tokens ${cfg.rollout.max_new_tokens}), fewer than rollout.prompts_per_step (${cfg.rollout.prompts_per_step})`);
  }

  const sampling: SamplingSettings = {
    maxNewTokens: cfg.rollout.max_new_tokens,
    temperature: cfg.rollout.temperature,
    topP: cfg.rollout.top_p,
    topK: cfg.rollout.top_k,
    stop: cfg.rollout.stop ?? template.stop,
  };
  const values = typeof cfg.reward.values === "string" ? { ...REWARD_PRESETS[cfg.reward.values] } : cfg.reward.values;
  const verifier = { timeoutMs: cfg.reward.timeout_ms, values, userModule: cfg.reward.module };
  const grader = cfg.reward.grader ?? train.grader ?? "math";
  const pool = new VerifierPool({ size: cfg.reward.workers, grader, config: { ...verifier, format: cfg.reward.format ?? answerFormatFor(template, train.items) } });
  const evalPools = new VerifierPools({ size: cfg.reward.workers, config: verifier });
  const evalSets = await Promise.all(cfg.data.eval.map(async (e) => {
    const data = await loadSource(e.dataset, "eval");
    return {
      name: e.name,
      items: data.items,
      n: e.n,
      render: (item: PromptItem) => promptFor(template, item, tokenizer),
      sampling: { ...sampling, temperature: e.temperature ?? sampling.temperature },
      pool: evalPools.get(cfg.reward.format ?? answerFormatFor(template, data.items), cfg.reward.grader ?? data.grader ?? "math"),
    };
  }));
  const engine = await rolloutEngine(cfg, policy, tokenizer, () => actor.adam.step);

  let startStep = 0;
  let cursorState: CursorState | undefined;
  let counters = { failedSteps: 0 };
  const steps = listCheckpoints(cfg.run_dir);
  if (opts.resume && steps.length > 0) {
    startStep = steps[steps.length - 1];
    const state = restoreCheckpoint(checkpointDir(cfg.run_dir, startStep), {
      models: { policy, ...(critic ? { critic } : {}) },
      optimizers: { actor: actor.adam, ...(criticOpt ? { critic: criticOpt.adam } : {}) },
    }) as { cursor: CursorState; counters: typeof counters };
    cursorState = state.cursor;
    counters = state.counters;
  }
  const schedule = rolloutSchedule(cfg, engine);
  try {
    await schedule.start(policy, startStep);
  } catch (e) {
    await Promise.all([pool.close(), evalPools.close(), schedule.close()]);
    throw e;
  }
  // Resuming a run killed before its first checkpoint starts it again from the beginning.
  const run = startStep > 0
    ? RunDirectory.resume(cfg.run_dir, "train", cfg.trainer.steps, startStep)
    : RunDirectory.create(cfg.run_dir, configToYaml(cfg), "train", cfg.trainer.steps);

  const cursor = new PromptCursor(prompts.length, cfg.seed, cfg.data.shuffle, cursorState);
  return {
    cfg, algo, tokenizer, policy, actor, reference, critic, criticOpt,
    prompts, droppedPrompts: all.length - prompts.length,
    cursor, resumeCursor: cursor.state(),
    sampling, engine, schedule, pool, evalSets, run, startStep, counters,
    async close() {
      await Promise.all([pool.close(), evalPools.close(), schedule.close()]);
    },
  };
}

/** The local engine over the trainer's policy, or the servers of rollout.servers (on a thread of their own when rollouts are async). */
async function rolloutEngine(cfg: RunConfig, policy: CausalLM, tokenizer: TextTokenizer, version: () => number): Promise<RolloutEngine> {
  if (cfg.rollout.engine === "local") return new LocalEngine(policy, tokenizer, version);
  const s = cfg.rollout.servers;
  const apiKey = s.api_key_env === undefined ? undefined : process.env[s.api_key_env];
  if (s.api_key_env !== undefined && !apiKey) throw new UserInputError(`rollout.servers.api_key_env: the environment variable ${s.api_key_env} is not set`);
  const opts = {
    endpoints: s.endpoints, model: s.served_model_name, apiKey, concurrency: s.concurrency, timeoutMs: s.timeout_s * 1000,
    retries: s.retries, weightSync: cfg.rollout.weight_sync.protocol,
  };
  // Imported here: the HTTP client is needed only with servers, and takes a while to load.
  if (cfg.rollout.async) return new (await import("../rollout/threaded.ts")).ThreadedEngine(opts);
  return new (await import("../rollout/openai.ts")).OpenAIEngine(opts);
}

/** With servers, each policy version goes to rollout.weight_sync.dir (default <run_dir>/weights) for them to load. */
function rolloutSchedule(cfg: RunConfig, engine: RolloutEngine): RolloutSchedule {
  const w = cfg.rollout.weight_sync;
  const weights = cfg.rollout.engine === "openai"
    ? new WeightDirectory(w.dir ?? path.join(cfg.run_dir, "weights"), { dtype: w.dtype === "bf16" ? "BF16" : "F32", keep: w.keep, tokenizerFrom: cfg.model.path })
    : null;
  return new RolloutSchedule(engine, weights, cfg.rollout.async);
}

function optimized(model: CausalLM, o: RunConfig["actor"]): Optimized {
  const params = model.parameters();
  return { params, adam: new AdamW(params, { lr: o.lr, betas: o.betas, eps: o.eps, weightDecay: o.weight_decay }), gradClip: o.grad_clip };
}

/** Items from a data file or preset, or from a built-in task (which brings its grader). */
async function loadSource(spec: RunConfig["data"]["train"], split: "train" | "eval"): Promise<{ name: string; items: PromptItem[]; grader?: string }> {
  return "task" in spec ? taskSet(spec, split) : loadDataset(spec);
}
