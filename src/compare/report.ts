/** results.md: the table, the findings with their verdicts, how the comparison is set up, the charts. */
import YAML from "yaml";
import type { Finding } from "./findings.ts";
import { formatNumber, formatStat } from "./format.ts";
import { RECIPES } from "./recipes.ts";
import type { ComparisonResults } from "./results.ts";

export function resultsMarkdown(r: ComparisonResults, findings: readonly Finding[], charts: readonly string[]): string {
  const s = r.shared;
  const n = r.seeds.length;
  const out: string[] = [];
  out.push("# Algorithm comparison", "");
  out.push(`Base config \`${s.base}\`; every algorithm at seed${n > 1 ? "s" : ""} ${r.seeds.join(", ")} (the run config's \`seed\`, which keys ` +
    "sampling, data order and shuffles), one run directory each in `runs/<algorithm>-seed<k>/`.", "");

  out.push("## Results", "");
  out.push(`Mean ± sample standard deviation (n − 1) over ${plural(n, "seed")}. Held-out accuracy: \`${r.accuracyKey}\` at the last step, ` +
    "in %; best: the best evaluation of the mean-over-seeds curve, step 0 being the base model. " +
    `KL (\`actor/kl\`, k3, to the base model), entropy (\`actor/entropy\`), response length (\`response_length/mean\`, tokens): ` +
    `at the end, the mean over the last ${steps(r.tail)}. Reward / KL: (\`critic/score/mean\` at the end − at step 1) / KL at the end. ` +
    "Wall time: seconds in steps, evaluations and checkpoints.", "");
  out.push("| algorithm | final accuracy (%) | best (%) @ step | KL | entropy | response length | reward gain / KL | wall time (s) |");
  out.push("|---|---|---|---|---|---|---|---|");
  for (const a of r.algorithms) {
    out.push(`| ${a.label} | ${formatStat(a.finalAccuracy, "percent")} | ${formatNumber(a.best.accuracy, "percent")} @ ${a.best.step} | ` +
      `${formatStat(a.kl, "number")} | ${formatStat(a.entropy, "number")} | ${formatStat(a.responseLength, "number")} | ` +
      `${formatStat(a.rewardPerKl, "number")} | ${formatStat(a.seconds, "number")} |`);
  }
  out.push("");

  out.push("## Findings", "");
  out.push("The Minimalist paper's findings, judged from the numbers here: *holds* when the leading algorithm is ahead of every rival " +
    "by more than twice the standard error of the difference, 2·sqrt(s_a²/n_a + s_b²/n_b) over seeds; *does not hold* when a rival is " +
    "that far ahead or level; *not resolved at this seed count* in between (and always with one seed).", "");
  for (const f of findings) out.push(`- **${f.claim}**: ${f.verdict}; ${f.detail}.`);
  out.push("");

  out.push("## Setup", "");
  const responses = s.promptsPerStep * s.samplesPerPrompt;
  const rewards = s.rewardValues === "minimalist" ? "±1 (`reward.values: minimalist`, as the paper runs every algorithm)" : `\`reward.values: ${flow(s.rewardValues)}\``;
  out.push(`Shared by every run (the budget): ${s.steps} steps of ${s.promptsPerStep} prompts × ${s.samplesPerPrompt} samples (${responses} responses a step), ` +
    `generation limit ${s.maxNewTokens} tokens at temperature ${s.temperature}; the policy's optimizer (learning rate ${s.actorLr}, ` +
    `${s.actorMiniBatch === null ? "the whole batch" : `mini-batches of ${s.actorMiniBatch} responses`} × ${plural(s.actorEpochs, "epoch")}: ` +
    `${plural(s.policyStepsPerStep, "optimizer step")} a step); ` +
    `rewards ${rewards}; the model, the training prompts and their template; the held-out set \`${s.benchmark}\` (avg@${s.benchmarkSamples}, ` +
    `evaluated every ${steps(s.evalEvery)} and at the end).` +
    (s.overrides.length > 0 ? ` Overrides applied to every run: ${s.overrides.map((o) => `\`${o}\``).join(", ")}.` : "") +
    (s.policyStepsPerStep === 1 ? " **Every update is on-policy** (one optimizer step per batch): the ratio is 1, so RAFT++ equals RAFT and no clip acts." : ""), "");
  out.push("What differs: each algorithm's `algorithm:` section, which replaces the base config's:", "");
  out.push("| algorithm | `algorithm:` | why |", "|---|---|---|");
  for (const a of r.algorithms) {
    const recipe = RECIPES[a.algorithm];
    const critic = a.critic ? ` Critic: learning rate ${a.critic.lr}, ${a.critic.mini_batch_size ?? "all"} responses a mini-batch, ${a.critic.warmup_steps} warm-up steps.` : "";
    out.push(`| ${a.label} | \`${flow(recipe.algorithm)}\` | ${recipe.why}.${critic} |`);
  }
  out.push("");

  out.push("## Charts", "", "Mean over seeds; the shaded band is the range (min to max) over seeds.", "");
  for (const file of charts) out.push(`![${file}](charts/${file})`, "");
  return out.join("\n");
}

/** YAML on one line: `{ name: raft, kl: { placement: loss } }`. */
function flow(value: unknown): string {
  return YAML.stringify(value, { collectionStyle: "flow", lineWidth: 0 }).trim();
}

/** "1 seed", "3 seeds". */
function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** For "every ..." and "the last ...": "step", "10 steps". */
function steps(n: number): string {
  return n === 1 ? "step" : `${n} steps`;
}
