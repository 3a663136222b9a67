/**
 * Free-text answer extraction for responses without a required format (base models) and for
 * reference solutions: the "final answer is X. I hope", else the last `\boxed{}` group, else an anchored answer ("final answer is",
 * "answer:", "the answer is"), else the last LaTeX math span or number. Modelled on the
 * priorities of Math-Verify's extractor, reimplemented: candidates are found by regex; the
 * lowest priority class wins and, within it, the rightmost candidate. Simplifications: at
 * most six math spans joined by "and"/"or"/"," form one answer; an unanchored expression must
 * be plain arithmetic on numbers.
 */
import { fixDoubleEscapes, normalizeAnswer, unwrapTextCommands } from "../normalize.ts";
import { parseNumber } from "../numbers.ts";
import { parseLatex } from "../symbolic.ts";
import { findBoxed, type BoxedSpan } from "./braces.ts";

/** Which kinds of candidate to look for. */
export interface ExtractTargets {
  latex: boolean;
  expr: boolean;
}

interface Candidate {
  start: number;
  end: number;
  value: string;
}

const MATH_SPAN =
  /(?<!\\)\$\$((?:[^$]|\$(?!\$))+?)(?<!\\)\$\$|(?<!\\)\\\[((?:[^\\]|\\(?!\]))+?)(?<!\\)\\\]|(?<![\\\d])\$((?:\\\$|[^\n$])+?)(?<!\\)\$|(?<!\\)\\\(((?:[^\\\n]|\\(?!\)))+?)(?<!\\)\\\)|\s\[([^\n\][]+)\]\s|(-?\\frac\{-?\d+(?:[.,]\d+)?\}\{-?\d+(?:[.,]\d+)?\})/g;
const PERCENT_AFTER = /^\s*(\\?%|[Pp]ercentage|[Pp]ercent|[Pp]ct)/;

/** Math spans (`$..$`, `$$..$$`, `\(..\)`, `\[..\]`, bare `\frac{a}{b}`), in order. */
export function mathSpans(text: string): Candidate[] {
  const out: Candidate[] = [];
  MATH_SPAN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = MATH_SPAN.exec(text)) !== null) {
    const inner = m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5] ?? m[6] ?? "";
    let end = m.index + m[0].length;
    let value = inner.trim();
    const pct = PERCENT_AFTER.exec(text.slice(end, end + 12));
    if (pct) {
      value += "%";
      end += pct[0].length;
    }
    if (value.length > 0) out.push({ start: m.index, end, value });
    if (out.length > 5000) break;
  }
  return out;
}

const CONNECTOR = /^\s*(?:,?\s*and|,?\s*or|,)\s*$/i;

/** Joins spans connected by "and"/"or"/"," (up to six) ending at `last`. */
function joinConnected(text: string, spans: Candidate[], lastIdx: number): Candidate {
  let first = lastIdx;
  while (first > 0 && lastIdx - first < 5 && CONNECTOR.test(text.slice(spans[first - 1]!.end, spans[first]!.start))) first--;
  const group = spans.slice(first, lastIdx + 1);
  return { start: group[0]!.start, end: group[group.length - 1]!.end, value: group.map((g) => g.value).join(", ") };
}

/** Text between two boxed answers that still links them into one answer ("and", ",", nothing). */
function linksBoxed(between: string): boolean {
  const t = unwrapTextCommands(between)
    .replace(/\\quad|\\qquad|\\[(),[\]]|\$|\\\\|\\[,;!]/g, " ")
    .replace(/[.,;]/g, " ")
    .trim();
  return t === "" || /^[\w\s()]{0,30}\b(?:and|or)$/i.test(t);
}

/** The final boxed answer: the last `\boxed{}` together with boxed answers linked to it. */
function boxedGroup(text: string, boxed: BoxedSpan[], spans: Candidate[]): string {
  const last = boxed.length - 1;
  const spanOf = (b: BoxedSpan): Candidate | undefined => spans.find((s) => s.start <= b.start && b.end <= s.end);
  let first = last;
  while (first > 0) {
    const a = boxed[first - 1]!;
    const b = boxed[first]!;
    const sa = spanOf(a);
    if ((sa && sa === spanOf(b)) || linksBoxed(text.slice(a.end, b.start))) first--;
    else break;
  }
  return boxed
    .slice(first)
    .map((b) => b.content.trim())
    .join(", ");
}

const NUMBER_RE =
  /(?<=^|\s|=|\*\*|[$€£¥₹]|[^\x00-\x7F])(?:\*\*)?(-?[1-9]\d{0,2}(?:[ ,]\d{3})+(?:\.\d+)?|-?\d+[.,]\d+|\.\d+|-?\d+)(\s*(?:%|[Pp]ercentage|[Pp]ercent|[Pp]ct))?/g;
const EXPR_RE = /(?<=^|\s|=|[^\x00-\x7F])(-?\(?-?\d[\d.\s+\-*×/^()÷]*[+\-*×/^÷][\d.\s+\-*×/^()÷]*\d\)?)(?=\*\*|[.,:\s)$]|$)/g;

/** Plain numbers and arithmetic expressions on numbers. */
function exprCandidates(text: string): Candidate[] {
  const out: Candidate[] = [];
  for (const re of [NUMBER_RE, EXPR_RE]) {
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      let value = m[1]!.trim();
      if (re === NUMBER_RE) {
        if (/^-?[1-9]\d{0,2}(?:[ ,]\d{3})+/.test(value)) value = value.replace(/[ ,]/g, "");
        else value = value.replace(",", ".");
        if (m[2]) value += "%";
      } else value = value.replace(/×/g, "*").replace(/÷/g, "/");
      out.push({ start: m.index, end: m.index + m[0].length, value });
      if (out.length > 20000) return out;
    }
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
  const spans = targets.latex ? mathSpans(text) : [];
  if (targets.latex) {
    const boxed = findBoxed(text);
    if (boxed.length > 0) return boxedGroup(text, boxed, spans);
  }
  const latexCands = spans.map((_, i) => joinConnected(text, spans, i));
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
