/**
 * The end-of-run summary of a pretraining run (summary.json, and what `rlzero pretrain`
 * prints), read back from the run's metrics.jsonl so that it is the same however often the run
 * was resumed: steps, time, trained tokens, and the training and held-out loss at the start and
 * at the end.
 */
import { readMetrics } from "../trainer/summary.ts";

export interface PretrainSummary {
  run_dir: string;
  /** The final model's directory (null when the run was interrupted). */
  out_dir: string | null;
  steps: number;
  /** Time in steps, evaluations and checkpoints, summed over the metrics (so over every resume). */
  seconds: number;
  tokens: number;
  /** train/loss of the first and last step. */
  train_loss: { first: number; last: number } | null;
  /** val/loss of the first and last evaluation (step 0 is the initial model). */
  val_loss: { first: { step: number; loss: number }; last: { step: number; loss: number } } | null;
}

export function summarizePretrain(runDir: string, outDir: string | null): PretrainSummary {
  const lines = readMetrics(runDir);
  const steps = lines.filter((l) => l.step > 0 && "train/tokens" in l);
  const losses = steps.filter((l) => "train/loss" in l);
  const vals = lines.filter((l) => "val/loss" in l).map((l) => ({ step: l.step, loss: l["val/loss"] }));
  let seconds = 0;
  for (const l of lines) seconds += (l["timing_s/step"] ?? 0) + (l["timing_s/eval"] ?? 0) + (l["timing_s/save"] ?? 0);
  return {
    run_dir: runDir,
    out_dir: outDir,
    steps: steps.length > 0 ? steps[steps.length - 1].step : 0,
    seconds,
    tokens: steps.length > 0 ? steps[steps.length - 1]["train/tokens"] : 0,
    train_loss: losses.length > 0 ? { first: losses[0]["train/loss"], last: losses[losses.length - 1]["train/loss"] } : null,
    val_loss: vals.length > 0 ? { first: vals[0], last: vals[vals.length - 1] } : null,
  };
}

/** The summary as a few lines for the terminal. */
export function formatPretrainSummary(s: PretrainSummary): string {
  const out = [`${s.steps} steps, ${s.tokens.toLocaleString("en-US")} trained tokens in ${(s.seconds / 60).toFixed(1)} min; run directory ${s.run_dir}`];
  if (s.train_loss) out.push(`  train/loss ${s.train_loss.first.toFixed(3)} -> ${s.train_loss.last.toFixed(3)}`);
  if (s.val_loss) out.push(`  val/loss ${s.val_loss.first.loss.toFixed(3)} (step ${s.val_loss.first.step}) -> ${s.val_loss.last.loss.toFixed(3)} (step ${s.val_loss.last.step})`);
  out.push(s.out_dir ? `  model written to ${s.out_dir}` : `  no final model (interrupted): continue with rlzero pretrain --resume ${s.run_dir}`);
  return out.join("\n");
}
