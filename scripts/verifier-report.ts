/**
 * Writes docs/VERIFIER_REPORT.md: agreement of our verifier with each conformance file in
 * ../shared/data/verifier, and every disagreement with the reason it is kept. Reasons are
 * documentation keyed by file and case index; they never change what the verifier does.
 * Prints a one-line summary per file.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runConformance } from "../src/rewards/conformance.ts";

const shared = fileURLToPath(new URL("../../shared/data/verifier/", import.meta.url));
const out = fileURLToPath(new URL("../docs/VERIFIER_REPORT.md", import.meta.url));

/** Why each known disagreement is kept (file → case index → reason). */
const KEPT: Record<string, Record<number, string>> = {
  "math_verify_tests_pairs.jsonl": {
    35: "The gold `10/9` is compared to `\\frac{1}{2} \\$ = \\frac{10}{9}`: our normaliser drops the escaped dollar and reads `1/2 = 10/9`, a false equation whose left side is not a name, so no value is taken from it.",
    123: "The prediction is an unevaluated sum of two matrices; matrix arithmetic is not implemented (the CAS parse is compared entry-wise only for literal matrices).",
    124: "The prediction is an unevaluated product of two matrices; matrix arithmetic is not implemented.",
    187: "Option `allow_set_relation_comp=False` makes Math-Verify refuse interval-vs-inequality when the gold is the interval; we always accept `-2 ≤ x ≤ 7` ≡ `x ∈ [-2, 7]` (mathematically equal).",
    197: "`1 ≤ |z| ≤ 3/2` against a union of two intervals needs solving an absolute-value inequality; not implemented.",
    248: "Two boxed parts separated by `\\) and \\( y_2 =` are not grouped by our boxed-linking rule, so only the last part is extracted.",
    254: "Option `strict=False` lets Math-Verify treat `f(x)` and `f(y)` as equal; we compare strictly (different variables differ), as the same suite's strict case expects.",
    264: "Asserts `1 - 1/e == 1 + 1/e` under a lenient option: contradicts mathematics; kept as a disagreement on purpose.",
  },
  "lighteval_extractive_match_pairs.jsonl": {
    11: "French anchor 'réponse est': our choice extractor has English anchors only and takes the last standalone letter (A).",
    26: "French 'Réponse:' anchor not recognised; the last number (12 months) is extracted instead of 220.",
    72: "Same case as Math-Verify #35 (escaped dollar inside the math span).",
    140: "Same as Math-Verify #123 (matrix sum).",
    141: "Same as Math-Verify #124 (matrix product).",
    198: "Same as Math-Verify #197 (absolute-value inequality).",
    221: "`p = 5, q = 2 and p = 7, q = 2` (four assignments) vs `p=5,q=2;p=7,q=2` (two pairs): we do not regroup a flat list of assignments into pairs.",
    227: "Same as Math-Verify #248 (boxed parts not linked).",
  },
  "mario_eval_test_is_equiv_pairs.jsonl": {
    1: "`x + 1.414I` vs `x + \\sqrt2 I`: an approximation inside a symbolic expression; we allow rounded decimals only for whole numeric answers, and `I` is a plain symbol to us.",
    39: "`\\sin(90^\\circ - x)` vs `\\cos x`: degree signs are stripped (as in the Hendrycks grader), so the angle is read in radians.",
  },
};

/** How the training grader decides the cases the conformance suites do not settle (kept in sync with test/rewards/hardening.test.ts). */
const POLICY = [
  "## Grading policy for training (defaults of `VerifierConfig`)",
  "",
  "- **Hedged answers are wrong.** Boxed answers linked only by punctuation or \"and\"/\"or\" (`\\boxed{1} or \\boxed{2}`),",
  "  numbers or math spans joined the same way after \"the answer is\" (`3 or 2`), and several letters in a multiple-choice",
  "  answer (`A B C D`, `(A) or (B)`) are graded as the whole list, which equals a single reference only if every member does.",
  "  Boxes separated by other text stay independent (the last one is the answer). This also applies inside ORZ's `<answer>`.",
  "- **Multiple choice in ORZ format** is read from the last `<answer>` block only; letters must be capitals standing alone.",
  "- **Decimal approximations.** A decimal prediction counts as the rounding (or truncation) of an irrational or repeating",
  "  reference only with at least 6 significant digits (`approxMinDigits`): `3.14` is not `\\pi`, `0.333` is not `1/3`,",
  "  `1.41421` is `\\sqrt{2}`. A terminating reference must be matched exactly: `1.99` and `1.999` are not `2`. A reference",
  "  written as a rounded decimal (at least 3 significant digits, `referenceApproxMinDigits`) sets the precision itself:",
  "  `\\sqrt{2}` matches the reference `1.41`. Long decimals (12+ significant digits) equal a value when both agree to 15",
  "  significant digits (a printed double such as `0.30000000000000004`), never by a relative tolerance.",
  "- **Percent.** `10\\%` matches both `10` and `0.1` (references to \"what percent\" questions usually omit the sign).",
  "- **Symbolic answers** are compared by the CAS's canonical form, else at 12 sample points (positive, negative when both",
  "  sides are real there, and large values) with a relative tolerance of 1e-9; rational constants that agree in doubles",
  "  are also compared exactly (`2 + 10^{-20}` is not `2`). A prediction using a variable the reference does not have is",
  "  wrong, even when it cancels (`x - x + 2` vs `2`), so sampling cannot be fooled by `2 + \\lfloor x/100 \\rfloor`.",
  "- **Units and words.** A trailing unit (`5 \\text{ cm}`, `5 m/s`, `\\text{5 dollars}`) is dropped; hedging words",
  "  (`or more`, `at most`, `approximately`, …) are not units. Number words up to twenty read as numbers.",
  "- **Inequalities** on a name equal the interval they describe (`x \\le 3` is `(-\\infty, 3]`).",
  "- **Known limits.** Perturbations below 1e-9 relative of an *irrational* constant (`2 + \\sqrt{2}\\cdot 10^{-12}`) are not",
  "  detected; sampling tops out at 1500, so `x + \\lfloor x/10^4 \\rfloor` would pass as `x`; degrees are stripped, so",
  "  `\\sin 30^\\circ` reads 30 radians.",
];

if (!existsSync(shared)) {
  console.log(`skipped: ${shared} not found (the conformance files live in ../shared/data/verifier)`);
  process.exit(0);
}
const files = runConformance(shared);
const lines: string[] = [
  "# Verifier conformance report",
  "",
  "Generated by `npm run verifier-report` (scripts/verifier-report.ts) from the cases in `../shared/data/verifier/`.",
  "Math-Verify and lighteval cases extract the answer from both `gold` and `prediction` (with the case's match types);",
  "the other suites compare the two answers directly, as their graders do. The Hendrycks suite is run with ordered",
  "comma lists (its grader compares strings); all others with unordered lists. Decimal approximations are accepted as each",
  "library does: Math-Verify and lighteval at the case's `precision` (else 6), MARIO at 4 significant digits.",
  "",
  "| file | cases | agree | agreement |",
  "|---|---|---|---|",
];
for (const f of files) lines.push(`| ${f.file} | ${f.total} | ${f.agree} | ${((100 * f.agree) / f.total).toFixed(1)}% |`);
lines.push("", ...POLICY, "", "## Disagreements kept on purpose", "");
let unexplained = 0;
for (const f of files) {
  const dis = f.results.filter((r) => r.got !== r.c.expected);
  if (dis.length === 0) continue;
  lines.push(`### ${f.file}`, "");
  for (const r of dis) {
    const reason = KEPT[f.file]?.[r.c.index];
    if (!reason) unexplained++;
    const show = (s: string | null): string => "`" + (s ?? "(nothing extracted)").replace(/`/g, "'").replace(/\s+/g, " ").slice(0, 120) + "`";
    lines.push(
      `- case ${r.c.index} (${r.c.test}${r.c.lineno !== null ? `, line ${r.c.lineno}` : ""}): expected ${r.c.expected ? "equal" : "different"}, we say ${r.got ? "equal" : "different"}; gold ${show(r.extractedGold)}, prediction ${show(r.extractedPred)}.`,
      `  Reason: ${reason ?? "UNEXPLAINED — investigate."}`,
    );
  }
  lines.push("");
}
mkdirSync(fileURLToPath(new URL("../docs/", import.meta.url)), { recursive: true });
writeFileSync(out, lines.join("\n") + "\n");
for (const f of files) console.log(`${f.file}: ${f.agree}/${f.total} (${((100 * f.agree) / f.total).toFixed(1)}%)`);
console.log(`wrote ${out}${unexplained ? ` — ${unexplained} disagreement(s) without a documented reason` : ""}`);
