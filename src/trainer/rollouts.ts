/**
 * A step's rollouts: n responses for each prompt from the rollout engine, graded by the
 * verifier pool. A response that came back as text only (some servers) is tokenized here, so
 * everything downstream has token ids.
 */
import type { PromptItem } from "../data/types.ts";
import type { TextTokenizer } from "../models/tokenizer.ts";
import type { RolloutEngine, RolloutSample, SamplingSettings } from "../rollout/engine.ts";
import type { ScoredVerdict, VerifierPool } from "../rewards/pool.ts";

export interface StepPrompt {
  /** Index of the item in the training set: names the prompt across steps and keys its random streams. */
  key: number;
  item: PromptItem;
  text: string;
  ids: number[];
}

export interface Rollout extends Omit<RolloutSample, "tokenIds"> {
  prompt: StepPrompt;
  /** Index of the prompt in this step's batch: responses of one prompt share it. */
  group: number;
  /** Index of the response among its prompt's samples. */
  sample: number;
  responseIds: number[];
  verdict: ScoredVerdict;
}

/** Rollouts of the prompts, with the seconds spent generating and grading them. */
export async function collectRollouts(engine: RolloutEngine, pool: VerifierPool, tokenizer: TextTokenizer,
  prompts: readonly StepPrompt[], n: number, sampling: SamplingSettings, seedKeys: readonly number[]):
  Promise<{ rollouts: Rollout[]; genSeconds: number; rewardSeconds: number }> {
  const t0 = performance.now();
  const samples = await engine.generate(prompts.map((p) => ({ text: p.text, ids: p.ids, key: p.key })), n, sampling, seedKeys);
  const t1 = performance.now();
  const flat = samples.flatMap((group, g) => group.map((s, j) => ({ s, g, j })));
  const verdicts = await pool.gradeAll(flat.map(({ s, g }) => ({
    response: s.text, answer: prompts[g].item.answer, finishReason: s.finishReason, choices: prompts[g].item.choices,
  })));
  const rollouts = flat.map(({ s: { tokenIds, ...sample }, g, j }, i) => ({
    ...sample,
    // Log-probs of tokens we did not receive cannot be matched to the re-tokenized response.
    logprobs: tokenIds ? sample.logprobs : null,
    prompt: prompts[g],
    group: g,
    sample: j,
    responseIds: tokenIds ?? tokenizer.encode(sample.text, { addSpecialTokens: false }),
    verdict: verdicts[i],
  }));
  return { rollouts, genSeconds: (t1 - t0) / 1000, rewardSeconds: (performance.now() - t1) / 1000 };
}
