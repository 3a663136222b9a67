/**
 * The RL loop. Each step:
 *
 *   prompts  -> n rollouts per prompt (RolloutEngine)  -> rewards (verifier pool)
 *            -> old / reference log-probs, values (forward passes without gradients)
 *            -> advantages (the algorithm)             -> policy and critic updates
 *            -> metrics, samples, evaluation, checkpoint
 *
 * Old log-probs are recomputed by the training forward (not taken from the sampler); their
 * difference from the sampler's is logged as rollout/logprob_diff_max and _mean, and with
 * rollout.tis_cap each token's policy-gradient loss is weighted by min(π_old/π_sampler, cap).
 * Which weights sample each step, and when servers load new ones, is rollout/schedule.ts's
 * business (in step, or one step off the policy with rollout.async). The KL to the initial
 * model and the policy's entropy are measured over all of a step's responses, for every
 * algorithm, since the Minimalist paper compares algorithms by reward gained per unit of KL.
 */
import type { AlgorithmConfig } from "../algorithms/config.ts";
import { truncatedIsWeights } from "../algorithms/common.ts";
import { informativeGroups, overlongPenalty } from "../algorithms/shaping.ts";
import { evaluateBenchmark } from "../eval/evaluate.ts";
import { evalMetrics, writeEvalReport, type BenchmarkReport } from "../eval/report.ts";
import { learningRate, type Schedule } from "../nn/schedule.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { saveCheckpoint } from "./checkpoint.ts";
import type { RunConfig } from "./config.ts";
import { criticForward, policyForward, scoreResponses, valueResponses } from "./forward.ts";
import { gatherTokens, packRollouts, samplerLogprobs, type PackedBatch } from "./pack.ts";
import { Progress } from "./progress.ts";
import { StopOnCtrlC } from "./stop-on-ctrl-c.ts";
import { collectRollouts, type Rollout } from "./rollouts.ts";
import { rolloutMetrics, sampleRows } from "./step-metrics.ts";
import { summarizeRun, type RunSummary } from "./summary.ts";
import { setupSession, type Session } from "./setup.ts";
import { STREAM } from "./streams.ts";
import { runUpdate, type UpdatePlan } from "./update.ts";
import { responseOffsets } from "./sequences.ts";

export interface TrainOptions {
  /** Continue the run in cfg.run_dir from its last checkpoint. */
  resume?: boolean;
  /** Called with each step's metrics (after they are written). */
  onStep?: (step: number, metrics: Record<string, number>) => void;
  /** Called before each optimizer step with the parameters whose gradients are about to be applied. */
  beforeOptimizerStep?: (model: "actor" | "critic", params: Tensor[]) => void;
  /** Where progress goes (default: stdout). */
  out?: NodeJS.WriteStream;
}

export interface TrainResult {
  summary: RunSummary;
  /** Stopped by Ctrl-C (after saving a checkpoint). */
  interrupted: boolean;
}

export async function train(cfg: RunConfig, opts: TrainOptions = {}): Promise<TrainResult> {
  const s = await setupSession(cfg, { resume: opts.resume ?? false });
  const progress = new Progress(cfg.trainer.steps, s.startStep, [
    { label: "reward", key: "critic/score/mean", digits: 3 },
    { label: "acc", key: "train/accuracy", digits: 3 },
    { label: "len", key: "response_length/mean", digits: 1 },
  ], opts.out);
  progress.log(`run directory ${cfg.run_dir} (watch it: rlzero dashboard ${cfg.run_dir})`);
  if (s.droppedPrompts > 0) progress.log(`${s.droppedPrompts} training prompts are too long (data.max_prompt_tokens, or no room left for rollout.max_new_tokens in the context) and are left out`);
  const ctrlC = new StopOnCtrlC((line) => progress.log(line));
  let step = s.startStep;
  try {
    if (step === 0 && cfg.trainer.eval_every > 0 && s.evalSets.length > 0) {
      const before: Record<string, number> = {};
      await evaluate(s, 0, before); // the base model, as step 0
      s.run.appendMetrics(0, before);
    }
    while (step < cfg.trainer.steps && !ctrlC.requested) {
      step += 1;
      const metrics = await trainStep(s, step, opts);
      const done = step === cfg.trainer.steps;
      if (s.evalSets.length > 0 && cfg.trainer.eval_every > 0 && (step % cfg.trainer.eval_every === 0 || done)) {
        await evaluate(s, step, metrics);
      }
      if ((cfg.trainer.save_every > 0 && step % cfg.trainer.save_every === 0) || done || ctrlC.requested) {
        timed(() => checkpoint(s, step), metrics, "save");
      }
      s.run.appendMetrics(step, metrics);
      s.run.setStatus("running", step);
      progress.update(step, metrics);
      opts.onStep?.(step, metrics);
    }
    s.run.setStatus(ctrlC.requested ? "interrupted" : "finished", step);
    const summary = summarizeRun(cfg.run_dir);
    s.run.writeSummary(summary);
    return { summary, interrupted: ctrlC.requested };
  } catch (e) {
    s.run.setStatus("failed", step);
    throw e;
  } finally {
    ctrlC.dispose();
    progress.stop();
    await s.close();
  }
}

/** One RL step; returns its metrics (verl's names, docs/RUN_DIRECTORY.md). */
async function trainStep(s: Session, step: number, opts: TrainOptions): Promise<Record<string, number>> {
  const { cfg, algo } = s;
  const a: AlgorithmConfig = { ...cfg.algorithm, loss_agg_length: cfg.algorithm.loss_agg_length ?? cfg.rollout.max_new_tokens };
  const m: Record<string, number> = {};
  const tStep = performance.now();

  const tGen = performance.now();
  const { rollouts, rounds, dropped, rewardSeconds } = await s.schedule.take(() => gatherRollouts(s, step));
  // What this step waited for its rollouts: sampling, then grading (none of it when they were prefetched).
  m["timing_s/reward"] = Math.min(rewardSeconds, (performance.now() - tGen) / 1000);
  m["timing_s/gen"] = (performance.now() - tGen) / 1000 - m["timing_s/reward"];
  s.resumeCursor = s.cursor.state();
  if (step < cfg.trainer.steps) s.schedule.prefetch(() => gatherRollouts(s, step + 1)); // async: generated while this step trains
  const batch = packRollouts(rollouts, {
    maskTruncated: a.mask_truncated,
    lengthShaping: a.overlong.enabled ? (len) => overlongPenalty(len, cfg.rollout.max_new_tokens, a.overlong.cache_length!, a.overlong.factor) : undefined,
  });
  const budget = cfg.trainer.micro_batch_tokens;
  const old = timed(() => scoreResponses(s.policy, batch.sequences, cfg.rollout.temperature, budget), m, "old_log_prob");
  const refLogp = s.reference ? timed(() => scoreResponses(s.reference!, batch.sequences, cfg.rollout.temperature, budget).logp, m, "ref") : undefined;
  const values = s.critic ? timed(() => valueResponses(s.critic!, batch.sequences, budget), m, "values") : undefined;
  const tis = cfg.rollout.tis_cap === null ? null : truncatedIsWeights(old.logp, samplerLogprobs(rollouts, batch.offsets), cfg.rollout.tis_cap, batch.mask);
  const adv = timed(() => algo.advantages({ ...batch, oldLogp: old.logp, refLogp, values }, a), m, "adv");
  Object.assign(m, adv.metrics, { "train/gen_rounds": rounds, "train/dynamic_sampling_dropped": dropped });

  const kept = [...adv.keep.keys()].filter((i) => adv.keep[i]);
  const units = adv.units ?? kept.map((i) => [i]);
  const tokens = Array.from(batch.sequences, (_, i) => maskedTokens(batch, i));
  const lengths = batch.sequences.map((q) => q.ids.length);
  const plan = (part: "actor" | "critic", tag: number): UpdatePlan => ({
    units, tokens, lengths, budget,
    miniBatchSize: cfg[part].mini_batch_size ?? rollouts.length,
    epochs: cfg[part].epochs,
    shuffleKeys: [cfg.seed, STREAM.shuffle, step, tag],
    // The cosine runs over RL steps, whatever the number of mini-batches each takes (verl steps its scheduler once per RL step).
    lr: (optimizerStep, fraction) => learningRate(schedule(cfg, part), optimizerStep, (step - 1 + fraction) / cfg.trainer.steps),
  });

  const actor = timed(() => runUpdate(s.actor, plan("actor", 0), (micro, totals) => {
    const { logp, entropy } = policyForward(s.policy, micro.map((i) => batch.sequences[i]), cfg.rollout.temperature);
    const pick = (arr: Float32Array) => gatherTokens(arr, batch.offsets, micro);
    return algo.policyLoss({
      logp, entropy, oldLogp: pick(old.logp), refLogp: refLogp && pick(refLogp), advantages: pick(adv.advantages),
      mask: pick(batch.mask), isWeights: tis ? pick(tis.weights) : undefined, offsets: responseOffsets(micro.map((i) => batch.sequences[i])), totals,
    }, a);
  }, (p) => opts.beforeOptimizerStep?.("actor", p)), m, "update_actor");
  Object.assign(m, actor.metrics, tis?.metrics, { "actor/grad_norm": actor.gradNorm, "actor/lr": actor.lr });
  await s.schedule.publish(s.policy, step); // servers: write this version and load it
  let skipped = actor.skipped;

  if (s.critic && s.criticOpt && algo.valueLoss && values && adv.returns) {
    const critic = timed(() => runUpdate(s.criticOpt!, plan("critic", 1), (micro, totals) => {
      const pick = (arr: Float32Array) => gatherTokens(arr, batch.offsets, micro);
      return algo.valueLoss!({
        values: criticForward(s.critic!, micro.map((i) => batch.sequences[i])), oldValues: pick(values), returns: pick(adv.returns!),
        mask: pick(batch.mask), offsets: responseOffsets(micro.map((i) => batch.sequences[i])), totals,
      }, a);
    }, (p) => opts.beforeOptimizerStep?.("critic", p)), m, "update_critic");
    Object.assign(m, critic.metrics, { "critic/grad_norm": critic.gradNorm, "critic/lr": critic.lr });
    skipped += critic.skipped;
  }
  // Entropy and KL over all of the step's responses win over the update's (which sees only the kept ones).
  Object.assign(m, rolloutMetrics(rollouts, batch, old, refLogp, s.cfg.reward.reflection_pattern), await s.schedule.metrics());
  m["train/skipped_steps"] = skipped;
  s.counters.failedSteps = skipped > 0 ? s.counters.failedSteps + 1 : 0;
  if (s.counters.failedSteps >= cfg.trainer.max_failed_steps) {
    throw new Error(`${s.counters.failedSteps} steps in a row had NaN or infinite losses or gradients (last at step ${step}); ` +
      `the run stops with its last good checkpoint in ${cfg.run_dir}/checkpoints (lower actor.lr, or check the data and rewards)`);
  }
  s.run.appendSamples(sampleRows(rollouts, step, cfg.trainer.log_samples));
  const seconds = (performance.now() - tStep) / 1000;
  const total = batch.sequences.reduce((n, q) => n + q.ids.length, 0);
  Object.assign(m, { "timing_s/step": seconds, "perf/total_num_tokens": total, "perf/time_per_step": seconds, "perf/throughput": total / seconds });
  return m;
}

/**
 * A step's rollouts: prompts_per_step prompts × samples_per_prompt responses. With DAPO's
 * dynamic sampling, groups whose responses all score the same are dropped and more prompts are
 * sampled, round after round, until the batch is full or the rounds run out.
 */
async function gatherRollouts(s: Session, step: number): Promise<{ rollouts: Rollout[]; rounds: number; dropped: number; rewardSeconds: number }> {
  const { rollout: r, algorithm } = s.cfg;
  const dynamic = algorithm.dynamic_sampling.enabled;
  const maxRounds = dynamic ? algorithm.dynamic_sampling.max_rounds : 1;
  const kept: Rollout[] = [];
  let groups = 0;
  let dropped = 0;
  let round = 0;
  let rewardSeconds = 0;
  while (groups < r.prompts_per_step && round < maxRounds) {
    const prompts = s.cursor.next(r.prompts_per_step).map((k) => s.prompts[k]);
    const { rollouts: got, rewardSeconds: graded } = await collectRollouts(s.engine, s.pool, s.tokenizer, prompts, r.samples_per_prompt,
      s.sampling, [s.cfg.seed, STREAM.rollout, step, round]);
    rewardSeconds += graded;
    round += 1;
    let useful = new Set(got.map((x) => x.group));
    if (dynamic) {
      useful = new Set(informativeGroups(Int32Array.from(got, (x) => x.group), Float32Array.from(got, (x) => x.verdict.reward)));
      dropped += prompts.length - useful.size;
    }
    const room = [...useful].slice(0, r.prompts_per_step - groups);
    const renumber = new Map(room.map((g, i) => [g, groups + i]));
    for (const x of got) if (renumber.has(x.group)) kept.push({ ...x, group: renumber.get(x.group)! });
    groups += room.length;
  }
  return { rollouts: kept, rounds: round, dropped, rewardSeconds };
}

/**
 * Evaluates every held-out set into eval/step-N/ and adds its figures to `m`: val-core/... and
 * val-aux/... (evalMetrics), and the reflection rate of the responses.
 */
async function evaluate(s: Session, step: number, m: Record<string, number>): Promise<void> {
  const t = performance.now();
  await s.schedule.settle(); // servers serve this step's policy
  const outDir = s.run.file(`eval/step-${step}`);
  const reflects = new RegExp(s.cfg.reward.reflection_pattern, "i");
  const reports: BenchmarkReport[] = [];
  for (const [b, e] of s.evalSets.entries()) {
    const { report, records } = await evaluateBenchmark({
      engine: s.engine, name: e.name, items: e.items, render: e.render, n: e.n, sampling: e.sampling,
      seedKeys: [s.cfg.seed, STREAM.eval, b], pool: e.pool, outDir, overwrite: true, batchSize: 64,
    });
    reports.push(report);
    Object.assign(m, evalMetrics(report));
    m[`val-aux/${e.name}/reflection_rate`] = records.filter((r) => reflects.test(r.response)).length / Math.max(1, records.length);
  }
  writeEvalReport(outDir, reports, { step });
  m["timing_s/eval"] = (performance.now() - t) / 1000;
}

function checkpoint(s: Session, step: number): void {
  saveCheckpoint(s.cfg.run_dir, step, {
    models: { policy: s.policy, ...(s.critic ? { critic: s.critic } : {}) },
    optimizers: { actor: s.actor.adam, ...(s.criticOpt ? { critic: s.criticOpt.adam } : {}) },
    state: { cursor: s.resumeCursor, counters: s.counters },
    tokenizerFrom: s.cfg.model.path,
  }, s.cfg.trainer.keep_checkpoints);
}

/** The part's schedule: warm-up over its first optimizer steps, the cosine positioned by RL step. */
function schedule(cfg: RunConfig, part: "actor" | "critic"): Schedule {
  const o = cfg[part];
  return { kind: o.lr_schedule, lr: o.lr, warmup: o.warmup_steps, total: cfg.trainer.steps, minLr: o.min_lr };
}

function maskedTokens(batch: PackedBatch, i: number): number {
  let n = 0;
  for (let t = batch.offsets[i]; t < batch.offsets[i + 1]; t++) n += batch.mask[t];
  return n;
}

function timed<T>(fn: () => T, m?: Record<string, number>, key?: string): T {
  const t = performance.now();
  const out = fn();
  if (m && key) m[`timing_s/${key}`] = (performance.now() - t) / 1000;
  return out;
}

