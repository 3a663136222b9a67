/**
 * Free-text answer extraction for responses without a required format (base models) and for
 * reference solutions: the "final answer is X. I hope" sentence, else the final `\boxed{}`
 * group, else an anchored answer ("final answer is", "answer:", "the answer is"), else the
 * last LaTeX math span or number. Modelled on the
 * priorities of Math-Verify's extractor, reimplemented: candidates are found by regex; the
 * lowest priority class wins and, within it, the rightmost candidate. Simplifications: at
 * most six math spans or numbers joined by "and"/"or"/"," form one answer (a hedge such as
 * "3 or 2" is the list, not one of its members); an unanchored expression must
 * be plain arithmetic on numbers.
 */
import { fixDoubleEscapes, normalizeAnswer } from "../normalize.ts";
import { parseNumber } from "../numbers.ts";
import { parseLatex } from "../symbolic.ts";
import { finalBoxed } from "./boxed.ts";
import { mathSpans, withJoined, type Candidate } from "./spans.ts";

/** Which kinds of candidate to look for. */
export interface ExtractTargets {
  latex: boolean;
  expr: boolean;
}

const NUMBER_RE =
  /(?<=^|\s|=|\*\*|[$€£¥₹]|[^\x00-\x7F])(?:\*\*)?(-?[1-9]\d{0,2}(?:[ ,]\d{3})+(?:\.\d+)?|-?\d+[.,]\d+|\.\d+|-?\d+)(\s*(?:%|[Pp]ercentage|[Pp]ercent|[Pp]ct))?/g;
const EXPR_RE = /(?<=^|\s|=|[^\x00-\x7F])(-?\(?-?\d[\d.\s+\-*×/^()÷]*[+\-*×/^÷][\d.\s+\-*×/^()÷]*\d\)?)(?=\*\*|[.,:\s)$]|$)/g;

const MAX_EXPR_CANDIDATES = 20000;

/** Plain numbers (joined into lists when connected by and/or/",") and arithmetic expressions on numbers. */
function exprCandidates(text: string): Candidate[] {
  const out: Candidate[] = [];
  for (const re of [NUMBER_RE, EXPR_RE]) {
    const found: Candidate[] = [];
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      let value = m[1]!.trim();
      if (re === NUMBER_RE) {
        if (/^-?[1-9]\d{0,2}(?:[ ,]\d{3})+/.test(value)) value = value.replace(/[ ,]/g, "");
        else value = value.replace(",", ".");
        if (m[2]) value += "%";
      } else value = value.replace(/×/g, "*").replace(/÷/g, "/");
      found.push({ start: m.index, end: m.index + m[0].length, value });
      if (found.length > MAX_EXPR_CANDIDATES) break;
    }
    out.push(...(re === NUMBER_RE ? withJoined(text, found) : found));
  }
  return out;
}

/**
 * Extracts the final answer from free text, or null when nothing answer-like is found.
 * `targets` restricts the search to LaTeX spans and/or plain numbers and expressions.
 */
export function extractFreeform(raw: string, targets: ExtractTargets = { latex: true, expr: true }): string | null {
  const text = fixDoubleEscapes(raw);
  // "The final answer is X. I hope it is correct." (the Minerva/MATH few-shot format) wins over boxes.
  const hope = [...text.matchAll(/final answer is:?\s*([\s\S]{1,300}?)\.?\s?I hope/gi)];
  if (hope.length > 0) {
    const inner = extractFreeform(hope[hope.length - 1]![1]!, targets);
    if (inner !== null) return inner;
  }
  if (targets.latex) {
    const boxed = finalBoxed(text);
    if (boxed !== null) return boxed === "" ? null : boxed;
  }
  const latexCands = targets.latex ? withJoined(text, mathSpans(text)) : [];
  const exprCands = targets.expr ? exprCandidates(text) : [];
  const all = [...latexCands, ...exprCands];
  if (all.length === 0) return null;

  const priority = new Map<Candidate, number>();
  const setP = (c: Candidate, p: number): void => {
    if (p < (priority.get(c) ?? 300)) priority.set(c, p);
  };
  const sorted = [...all].sort((a, b) => a.start - b.start || b.end - a.end);
  const firstFrom = (pos: number, maxGap: number): Candidate | undefined => sorted.find((c) => c.start >= pos && c.start - pos <= maxGap);
  const finalRe = /final answer.{0,100}?\s+is:?\s*/gis;
  let m: RegExpExecArray | null;
  while ((m = finalRe.exec(text)) !== null) {
    const c = firstFrom(m.index + m[0].length - 1, 2);
    if (c) setP(c, 50);
  }
  const answerRe = /answer(:?)/gi;
  while ((m = answerRe.exec(text)) !== null) {
    const c = firstFrom(m.index + m[0].length, 50);
    if (c) setP(c, m[1] ? 100 : 200);
  }
  const latexSet = new Set(latexCands);
  const ranked = all
    .map((c) => ({ c, p: priority.get(c) ?? 300 }))
    .sort((x, y) => x.p - y.p || y.c.end - x.c.end || x.c.start - y.c.start);
  for (const { c } of ranked.slice(0, 20)) {
    if (!latexSet.has(c) || isParsable(c.value)) return c.value;
  }
  return null;
}

/** Whether a math span reads as an answer (the CAS parses it, or it has list/relation structure). */
function isParsable(value: string): boolean {
  const n = normalizeAnswer(value);
  if (n.length === 0) return false;
  if (/^[\\{(\[]|[,=<>:]|\\(?:le|ge|ne|in|cup|pm|mp)\b/.test(n) || parseNumber(n.replace(/%$/, ""))) return true;
  return parseLatex(n) !== null;
}
