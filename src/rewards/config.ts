/**
 * Reward configuration (zod-validated): the values given for correct, incorrect, no answer
 * and truncated responses (numbers, or a preset name), the answer format, the numeric
 * tolerances of the comparison and the safety limits of verification. Presets for the two
 * recipes: Open-Reasoner-Zero {1, 0} and the Minimalist paper {+1, −1}. Unknown keys are
 * errors (a misspelt option must not silently fall back to its default), and every error
 * names the key at fault.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { DEFAULT_EQUIVALENCE, type EquivalenceOptions } from "./equivalence.ts";
import type { Reason } from "./types.ts";

const reward = z.number().finite();

export const RewardValuesSchema = z.strictObject(
  {
    correct: reward,
    incorrect: reward,
    noAnswer: reward,
    truncated: reward,
  },
  { error: (iss) => (iss.code === "invalid_type" ? "expected {correct, incorrect, noAnswer, truncated} as numbers, or a preset name (orz, minimalist)" : undefined) },
);
export type RewardValues = z.infer<typeof RewardValuesSchema>;

export const REWARD_PRESETS = {
  orz: { correct: 1, incorrect: 0, noAnswer: 0, truncated: 0 },
  minimalist: { correct: 1, incorrect: -1, noAnswer: -1, truncated: -1 },
} as const satisfies Record<string, RewardValues>;

/** A preset name becomes its values; anything else is validated as values. */
const presetOrValues = (v: unknown): unknown => (typeof v === "string" && Object.hasOwn(REWARD_PRESETS, v) ? { ...REWARD_PRESETS[v as keyof typeof REWARD_PRESETS] } : v);

export const AnswerFormatSchema = z.enum(["orz", "boxed", "auto", "choice"]);
export type AnswerFormat = z.infer<typeof AnswerFormatSchema>;

export const VerifierConfigSchema = z.strictObject({
  format: AnswerFormatSchema.default("auto"),
  /** Reward values, or the name of a preset ("orz", "minimalist"). */
  values: z.preprocess(presetOrValues, RewardValuesSchema).default({ ...REWARD_PRESETS.orz }),
  /** Per-response time limit in the worker pool. */
  timeoutMs: z.number().int().positive().default(2000),
  /** Longer responses score as incorrect ("too_large") without being parsed. */
  maxResponseChars: z.number().int().positive().default(200_000),
  /** Longer extracted answers are not compared. */
  maxAnswerChars: z.number().int().positive().default(2_000),
  /** Relative tolerance when expressions are compared by evaluation at sample points. */
  relTol: z.number().positive().max(1e-3).default(DEFAULT_EQUIVALENCE.relTol),
  /** Minimum significant digits for a decimal prediction to count as a rounding of an irrational or repeating reference (0: off). */
  approxMinDigits: z.number().int().min(0).default(DEFAULT_EQUIVALENCE.approxMinDigits),
  /** Minimum significant digits for a decimal reference to accept an exact prediction that rounds to it (0: off). */
  referenceApproxMinDigits: z.number().int().min(0).default(DEFAULT_EQUIVALENCE.referenceApproxMinDigits),
  /** Module (TS/JS, path relative to the working directory) exporting a user reward, used instead of the built-in ones. */
  userModule: z
    .string()
    .min(1)
    .superRefine((p, ctx) => {
      if (!existsSync(resolve(p))) ctx.addIssue({ code: "custom", message: `file ${p} does not exist (resolved to ${resolve(p)})` });
    })
    .optional(),
});
export type VerifierConfig = z.infer<typeof VerifierConfigSchema>;

/** Parses a (partial) configuration, filling defaults; throws an error naming each bad key. */
export function parseVerifierConfig(input: unknown): VerifierConfig {
  const r = VerifierConfigSchema.safeParse(input ?? {});
  if (!r.success) {
    const issues = r.error.issues.map((i) => {
      const keys = i.code === "unrecognized_keys" ? ` (${i.keys.join(", ")})` : "";
      return `${i.path.join(".") || "(root)"}: ${i.message}${keys}`;
    });
    throw new Error(`invalid verifier config: ${issues.join("; ")}`);
  }
  return r.data;
}

/** The comparison options a configuration implies. */
export function equivalenceOptions(cfg: VerifierConfig): EquivalenceOptions {
  return { ...DEFAULT_EQUIVALENCE, relTol: cfg.relTol, approxMinDigits: cfg.approxMinDigits, referenceApproxMinDigits: cfg.referenceApproxMinDigits };
}

/** The scalar reward for a verdict's reason. */
export function rewardFor(reason: Reason, values: RewardValues): number {
  switch (reason) {
    case "correct":
      return values.correct;
    case "no_answer":
      return values.noAnswer;
    case "truncated":
      return values.truncated;
    default:
      return values.incorrect;
  }
}
