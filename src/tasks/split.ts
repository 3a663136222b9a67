/**
 * Train / evaluation splits by hash: a problem belongs to the evaluation split when the SHA-256
 * of its canonical form falls in the first EVAL_SHARE of the hash range. The split depends on
 * the problem alone, never on a seed or a position in a file, so no seed can put a training
 * problem into an evaluation set. Canonical forms identify a problem however it is written
 * (`347 + 589` and `589 + 347` are one problem).
 */
import { createHash } from "node:crypto";

export type Split = "train" | "eval";

/** Share of all problems that belong to the evaluation split. */
export const EVAL_SHARE = 0.2;

/** The split of a problem, by its canonical form. */
export function splitOf(canonical: string): Split {
  const h = createHash("sha256").update(canonical).digest().readUInt32BE(0);
  return h / 2 ** 32 < EVAL_SHARE ? "eval" : "train";
}
