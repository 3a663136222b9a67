import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runConformance } from "../../src/rewards/conformance.ts";
import { answersEqual } from "../../src/rewards/equivalence.ts";
import { loadEvalAnswers, perturb, rewrites } from "../../src/rewards/evalAnswers.ts";
import { extractWithFallbacks } from "../../src/rewards/extract/fallback.ts";

const shared = fileURLToPath(new URL("../../../shared/data/", import.meta.url));
const skip = existsSync(shared) ? false : `../shared/data not found at ${shared}; conformance cases skipped`;

const THRESHOLDS: Record<string, number> = {
  "math_verify_tests_pairs.jsonl": 0.95,
  "lighteval_extractive_match_pairs.jsonl": 0.95,
  "hendrycks_math_equivalence_test_pairs.jsonl": 1,
  "nemo_skills_math_equal_pairs.jsonl": 0.95,
  "verl_numeric_canonicalization_pairs.jsonl": 1,
  "mario_eval_test_is_equiv_pairs.jsonl": 0.9,
};

test("verifier conformance suites meet their thresholds", { skip }, () => {
  for (const f of runConformance(`${shared}verifier`)) {
    const rate = f.agree / f.total;
    assert.ok(rate >= (THRESHOLDS[f.file] ?? 0.9), `${f.file}: ${f.agree}/${f.total}`);
  }
});

test("every eval answer equals itself rewritten and differs when perturbed", { skip }, () => {
  const failures: string[] = [];
  const answers = loadEvalAnswers(`${shared}eval`);
  assert.ok(answers.length > 2000);
  for (const a of answers) {
    for (const r of rewrites(a.answer)) {
      const got = r.isResponse ? (extractWithFallbacks(r.text) ?? "") : r.text;
      if (!answersEqual(a.answer, got)) failures.push(`${a.source}: ${a.answer} vs ${got}`);
    }
    if (answersEqual(a.answer, perturb(a.answer))) failures.push(`${a.source}: ${a.answer} equals perturbed ${perturb(a.answer)}`);
  }
  // Known gaps (see docs/VERIFIER_REPORT.md) are capped at 0.05% of the checks.
  assert.ok(failures.length <= Math.ceil(answers.length * 6 * 0.0005), failures.join("\n"));
});
