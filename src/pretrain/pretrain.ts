/**
 * Next-token pretraining. Each step:
 *
 *   batch_size examples in the data order (data-order.ts: shuffled, a curriculum, or as written)
 *     -> micro-batches of at most micro_batch_tokens padded tokens (planMicroBatches)
 *     -> loss = −(1/N) Σ log p(token | tokens before) over the batch's N trained tokens
 *        (every token of a text, the response and EOS of a prompt/response pair),
 *        gradients accumulated over the micro-batches
 *     -> clip the gradient norm, one AdamW step at the scheduled learning rate
 *     -> metrics; every eval_every steps the held-out loss (val/loss); checkpoints
 *
 * and at the end the final model as a Hugging Face directory (out_dir). The run directory, the
 * checkpoints, the progress bar and the update (with its NaN guard) are the RL trainer's
 * (src/trainer/), so a run killed at any moment and resumed writes the same metrics as one never
 * interrupted, and Ctrl-C saves a checkpoint after the current step.
 *
 * Simplification: every example is its own row, right-padded to the longest of its micro-batch
 * (no packing of several examples into one row, which would need a document mask in attention);
 * planMicroBatches groups examples of similar length, so little is spent on padding.
 */
import path from "node:path";
import { UserInputError } from "../errors.ts";
import { AdamW } from "../nn/adamw.ts";
import { learningRate, type Schedule } from "../nn/schedule.ts";
import { affine, sum } from "../tensor/elementwise.ts";
import { saveModel } from "../models/load.ts";
import type { CausalLM } from "../models/transformer.ts";
import { checkpointDir, listCheckpoints, restoreCheckpoint, saveCheckpoint } from "../trainer/checkpoint.ts";
import { policyForward, scoreResponses } from "../trainer/forward.ts";
import { Progress } from "../trainer/progress.ts";
import { StopOnCtrlC } from "../trainer/stop-on-ctrl-c.ts";
import type { CursorState } from "../trainer/prompt-order.ts";
import { RunDirectory } from "../trainer/run-dir.ts";
import { responseLength, type Sequence } from "../trainer/sequences.ts";
import { runUpdate, type Optimized } from "../trainer/update.ts";
import { pretrainConfigToYaml, type PretrainConfig } from "./config.ts";
import { loadCorpus, type Corpus } from "./corpus.ts";
import { DataOrder } from "./data-order.ts";
import { startingModel } from "./model.ts";
import { summarizePretrain, type PretrainSummary } from "./summary.ts";

export interface PretrainOptions {
  /** Continue the run in cfg.run_dir from its last checkpoint. */
  resume?: boolean;
  /** Called with each step's metrics (after they are written). */
  onStep?: (step: number, metrics: Record<string, number>) => void;
  /** Where progress goes (default: stdout). */
  out?: NodeJS.WriteStream;
}

export interface PretrainResult {
  summary: PretrainSummary;
  /** Stopped by Ctrl-C (after saving a checkpoint); no final model was written. */
  interrupted: boolean;
}

/** Key of the micro-batch order stream: Rng.derive(seed, SHUFFLE_STREAM, step, 0, epoch). */
const SHUFFLE_STREAM = 2;

interface Session {
  cfg: PretrainConfig;
  model: CausalLM;
  tokenizerDir: string;
  opt: Optimized;
  train: Corpus;
  heldOut: Corpus | null;
  cursor: DataOrder;
  schedule: Schedule;
  run: RunDirectory;
  startStep: number;
  /** Kept across a resume (state.json): trained tokens so far, consecutive failed steps. */
  counters: { tokens: number; failedSteps: number };
}

export async function pretrain(cfg: PretrainConfig, opts: PretrainOptions = {}): Promise<PretrainResult> {
  const s = await setup(cfg, opts.resume ?? false);
  const outDir = cfg.out_dir ?? path.join(cfg.run_dir, "model");
  const progress = new Progress(cfg.trainer.steps, s.startStep, [
    { label: "loss", key: "train/loss", digits: 3 },
    { label: "val", key: "val/loss", digits: 3 },
    { label: "tok/s", key: "perf/throughput", digits: 0 },
  ], opts.out);
  const params = s.opt.params.reduce((n, p) => n + p.size, 0);
  progress.log(`${params.toLocaleString("en-US")} parameters; ${s.train.examples.length.toLocaleString("en-US")} training examples from ${s.train.name}` +
    `${s.train.dropped ? ` (${s.train.dropped} longer than data.max_tokens left out)` : ""}; run directory ${cfg.run_dir}`);
  const ctrlC = new StopOnCtrlC((line) => progress.log(line));
  let step = s.startStep;
  try {
    if (step === 0 && s.heldOut && cfg.trainer.eval_every > 0) s.run.appendMetrics(0, evaluate(s)); // the initial model, as step 0
    while (step < cfg.trainer.steps && !ctrlC.requested) {
      step += 1;
      const metrics = trainStep(s, step);
      await new Promise(setImmediate); // a step is synchronous: let a Ctrl-C in, so that this step is saved
      const done = step === cfg.trainer.steps;
      if (s.heldOut && cfg.trainer.eval_every > 0 && (step % cfg.trainer.eval_every === 0 || done)) Object.assign(metrics, evaluate(s));
      if ((cfg.trainer.save_every > 0 && step % cfg.trainer.save_every === 0) || done || ctrlC.requested) {
        const t = performance.now();
        checkpoint(s, step);
        metrics["timing_s/save"] = (performance.now() - t) / 1000;
      }
      s.run.appendMetrics(step, metrics);
      s.run.setStatus("running", step);
      progress.update(step, metrics);
      opts.onStep?.(step, metrics);
    }
    if (!ctrlC.requested) saveModel(outDir, s.model, { tokenizerFrom: s.tokenizerDir, dtype: cfg.out_dtype });
    s.run.setStatus(ctrlC.requested ? "interrupted" : "finished", step);
    const summary = summarizePretrain(cfg.run_dir, ctrlC.requested ? null : outDir);
    s.run.writeSummary(summary);
    return { summary, interrupted: ctrlC.requested };
  } catch (e) {
    s.run.setStatus("failed", step);
    throw e;
  } finally {
    ctrlC.dispose();
    progress.stop();
  }
}

async function setup(cfg: PretrainConfig, resume: boolean): Promise<Session> {
  const saved = listCheckpoints(cfg.run_dir);
  if (!resume && saved.length > 0) {
    throw new UserInputError(`${cfg.run_dir} holds checkpoints of an earlier run: continue it with --resume ${cfg.run_dir}, or choose another run_dir (--set run_dir=...)`);
  }
  const { model, tokenizer, tokenizerDir } = startingModel(cfg);
  const context = model.config.maxPositions;
  if (cfg.data.max_tokens !== undefined && cfg.data.max_tokens > context) {
    throw new UserInputError(`data.max_tokens (${cfg.data.max_tokens}) is longer than the model's context (max_position_embeddings = ${context})`);
  }
  const eos = model.config.eosTokenIds[0] ?? tokenizer.eosTokenIds[0] ?? null;
  if (cfg.data.add_eos && eos === null) throw new UserInputError("data.add_eos: neither the model nor the tokenizer names an EOS token; set data.add_eos: false");
  const tokenize = { maxTokens: cfg.data.max_tokens ?? context, eos: cfg.data.add_eos ? eos : null };
  const train = await loadCorpus(cfg.data.train, tokenizer, tokenize);
  const heldOut = cfg.data.eval ? await loadCorpus(cfg.data.eval, tokenizer, tokenize) : null;

  const params = model.parameters();
  const o = cfg.optim;
  const opt: Optimized = { params, adam: new AdamW(params, { lr: o.lr, betas: o.betas, eps: o.eps, weightDecay: o.weight_decay }), gradClip: o.grad_clip };
  let startStep = 0;
  let cursorState: CursorState | undefined;
  let counters = { tokens: 0, failedSteps: 0 };
  if (resume && saved.length > 0) {
    startStep = saved[saved.length - 1]!;
    const state = restoreCheckpoint(checkpointDir(cfg.run_dir, startStep), { models: { model }, optimizers: { model: opt.adam } }) as
      { cursor: CursorState; counters: typeof counters };
    cursorState = state.cursor;
    counters = state.counters;
  }
  // Resuming a run killed before its first checkpoint starts it again from the beginning.
  const run = startStep > 0
    ? RunDirectory.resume(cfg.run_dir, "pretrain", cfg.trainer.steps, startStep)
    : RunDirectory.create(cfg.run_dir, pretrainConfigToYaml(cfg), "pretrain", cfg.trainer.steps);
  return {
    cfg, model, tokenizerDir, opt, train, heldOut, run, startStep, counters,
    cursor: new DataOrder(train.sizes, cfg.seed, cfg.data.order, cursorState),
    schedule: { kind: o.lr_schedule, lr: o.lr, warmup: o.warmup_steps, total: cfg.trainer.steps, minLr: o.min_lr },
  };
}

/** One optimizer step over the next batch; returns its metrics (docs/PRETRAIN.md). */
function trainStep(s: Session, step: number): Record<string, number> {
  const { cfg, model } = s;
  const t0 = performance.now();
  const batch = s.cursor.next(cfg.trainer.batch_size).map((i) => s.train.examples[i]!);
  const trained = batch.map(responseLength);
  const lengths = batch.map((q) => q.ids.length);
  const update = runUpdate(s.opt, {
    units: batch.map((_, i) => [i]), tokens: trained, lengths, budget: cfg.trainer.micro_batch_tokens,
    miniBatchSize: batch.length, epochs: 1, shuffleKeys: [cfg.seed, SHUFFLE_STREAM, step],
    lr: (optimizerStep) => learningRate(s.schedule, optimizerStep),
  }, (micro, totals) => {
    const { logp } = policyForward(model, micro.map((i) => batch[i]!), 1);
    const loss = affine(sum(logp), -1 / totals.tokens); // this micro-batch's share of the batch's mean NLL
    return { loss, metrics: { "train/loss": loss.item() } };
  });
  s.counters.tokens += trained.reduce((a, b) => a + b, 0);
  s.counters.failedSteps = update.skipped > 0 ? s.counters.failedSteps + 1 : 0;
  if (s.counters.failedSteps >= cfg.trainer.max_failed_steps) {
    throw new Error(`${s.counters.failedSteps} steps in a row had NaN or infinite losses or gradients (last at step ${step}); ` +
      `the run stops with its last good checkpoint in ${cfg.run_dir}/checkpoints (lower optim.lr, or check the data)`);
  }
  const seconds = (performance.now() - t0) / 1000;
  const total = lengths.reduce((a, b) => a + b, 0);
  return {
    ...update.metrics,
    "train/tokens": s.counters.tokens,
    "train/skipped_steps": update.skipped,
    "actor/lr": update.lr,
    "actor/grad_norm": update.gradNorm,
    "timing_s/step": seconds,
    "perf/total_num_tokens": total,
    "perf/throughput": total / seconds,
  };
}

/** val/loss: the mean negative log-probability of the held-out examples' trained tokens. */
function evaluate(s: Session): Record<string, number> {
  const t = performance.now();
  const loss = meanNll(s.model, s.heldOut!.examples, s.cfg.trainer.micro_batch_tokens);
  return { "val/loss": loss, "timing_s/eval": (performance.now() - t) / 1000 };
}

export function meanNll(model: CausalLM, examples: readonly Sequence[], budget: number): number {
  const { logp } = scoreResponses(model, examples, 1, budget);
  let total = 0;
  for (const l of logp) total -= l;
  return total / logp.length;
}

function checkpoint(s: Session, step: number): void {
  saveCheckpoint(s.cfg.run_dir, step, {
    models: { model: s.model },
    optimizers: { model: s.opt.adam },
    state: { cursor: s.cursor.state(), counters: s.counters },
    tokenizerFrom: s.tokenizerDir,
  }, s.cfg.trainer.keep_checkpoints);
}
