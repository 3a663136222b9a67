/**
 * Reward configuration (zod-validated): the values given for correct, incorrect, no answer
 * and truncated responses, the answer format, and the safety limits of verification. Presets
 * for the two recipes: Open-Reasoner-Zero {1, 0} and the Minimalist paper {+1, −1}.
 */
import { z } from "zod";
import type { Reason } from "./types.ts";

export const RewardValuesSchema = z.object({
  correct: z.number(),
  incorrect: z.number(),
  noAnswer: z.number(),
  truncated: z.number(),
});
export type RewardValues = z.infer<typeof RewardValuesSchema>;

export const REWARD_PRESETS = {
  orz: { correct: 1, incorrect: 0, noAnswer: 0, truncated: 0 },
  minimalist: { correct: 1, incorrect: -1, noAnswer: -1, truncated: -1 },
} as const satisfies Record<string, RewardValues>;

export const AnswerFormatSchema = z.enum(["orz", "boxed", "auto", "choice"]);
export type AnswerFormat = z.infer<typeof AnswerFormatSchema>;

export const VerifierConfigSchema = z.object({
  format: AnswerFormatSchema.default("auto"),
  values: RewardValuesSchema.default(REWARD_PRESETS.orz),
  /** Per-response time limit in the worker pool. */
  timeoutMs: z.number().int().positive().default(2000),
  /** Longer responses score as incorrect ("too_large") without being parsed. */
  maxResponseChars: z.number().int().positive().default(200_000),
  /** Longer extracted answers are not compared. */
  maxAnswerChars: z.number().int().positive().default(2_000),
  /** Relative tolerance for numeric comparison. */
  relTol: z.number().positive().default(1e-6),
  /** Minimum significant digits for a decimal to count as a rounding of an irrational answer (0: off). */
  approxMinDigits: z.number().int().min(0).default(3),
  /** Module (TS/JS) exporting a user reward, used instead of the built-in ones. */
  userModule: z.string().optional(),
});
export type VerifierConfig = z.infer<typeof VerifierConfigSchema>;

/** Parses a (partial) configuration, filling defaults; throws a readable error when invalid. */
export function parseVerifierConfig(input: unknown): VerifierConfig {
  const r = VerifierConfigSchema.safeParse(input ?? {});
  if (!r.success) {
    throw new Error(`invalid verifier config: ${r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
  }
  return r.data;
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
