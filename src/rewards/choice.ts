/**
 * Multiple choice (GPQA Diamond style): finds the chosen letter in a response — `\boxed{C}`,
 * "the answer is (C)", "Answer: C", a leading "C." or "(C)", else the last standalone letter —
 * and maps a choice's text to its letter when the response gives the text instead. When the
 * response has an `<answer>` block (the ORZ prompt), only the last block is read. A letter
 * that stands in a run of letters ("A B C D", "(A) or (B)", "B and C") is a hedge: the
 * extraction is the run (e.g. "A,B"), which never equals a single gold letter. Letters must
 * be capitals standing alone (the article "a" is not choice A). Simplification: English
 * anchors only.
 */
import { answersEqual } from "./equivalence.ts";
import { finalBoxed } from "./extract/boxed.ts";
import { lastAnswerBlock } from "./extract/orz.ts";
import { fixDoubleEscapes, unwrapTextCommands } from "./normalize.ts";

/** Letters A, B, … for `n` choices. */
export function choiceLetters(n: number): string[] {
  return Array.from({ length: Math.max(1, Math.min(n, 26)) }, (_, i) => String.fromCharCode(65 + i));
}

/** What may follow a letter: punctuation, space, the end, or non-ASCII punctuation. */
const SUFFIX = String.raw`(?:\*\*)?\)?(?=[.,:;)\s。，：]|$|[^\x00-\x7F])`;
/** "answer" in its usual capitalisations (the letter itself must stay case-sensitive). */
const ANSWER = "(?:[Aa]nswer|ANSWER)";
const FINAL = "(?:[Ff]inal|FINAL)";

/** The letters of a boxed content or short answer: one letter, or a list of them; null if not letters only. */
function lettersIn(s: string, letters: string[]): string[] | null {
  const items = unwrapTextCommands(s)
    .replace(/[$*]/g, "")
    .split(/\s*(?:,|\/|&|;|\bor\b|\band\b|\s)\s*/)
    .map((t) => t.replace(/^\(|\)$|\.$/g, "").trim())
    .filter((t) => t.length > 0);
  if (items.length === 0) return null;
  const out: string[] = [];
  for (const t of items) {
    const m = /^([A-Za-z])$/.exec(t);
    if (!m) return null;
    const up = m[1]!.toUpperCase();
    // A lone lowercase letter counts (`\boxed{b}`); in a list, only capitals do.
    if (!letters.includes(up) || (m[1] !== up && items.length > 1)) return null;
    out.push(up);
  }
  return out;
}

/** A single letter, or the hedge marker "A,B" for several distinct letters. */
function verdictOf(found: string[]): string {
  const distinct = [...new Set(found)].sort();
  return distinct.join(",");
}

/** Separator between letters of one run: spaces, punctuation, "or", "and". */
const RUN_GAP = /^\s*(?:[,/&;]\s*)?(?:(?:or|and)\s+)?$/i;

/** Every standalone letter in `text` with its extent. */
function letterTokens(text: string, set: string): { letter: string; start: number; end: number }[] {
  const re = new RegExp(String.raw`(?<![A-Za-z0-9\\])(?:\*\*)?\(?([${set}])\)?(?:\*\*)?(?![A-Za-z0-9])`, "g");
  return [...text.matchAll(re)].map((m) => ({ letter: m[1]!, start: m.index, end: m.index + m[0].length }));
}

/** The chosen letter at `pos`, or the hedge marker when it stands in a run of letters. */
function resolveRun(text: string, pos: number, set: string): string {
  const toks = letterTokens(text, set);
  const i = toks.findIndex((t) => t.start <= pos && pos < t.end);
  if (i < 0) return text[pos]!;
  let a = i;
  let b = i;
  while (a > 0 && RUN_GAP.test(text.slice(toks[a - 1]!.end, toks[a]!.start))) a--;
  while (b < toks.length - 1 && RUN_GAP.test(text.slice(toks[b]!.end, toks[b + 1]!.start))) b++;
  return verdictOf(toks.slice(a, b + 1).map((t) => t.letter));
}

/** Position of the letter (group 1) of the last match of `re` (with the `d` flag), or -1. */
function lastLetterAt(text: string, re: RegExp): number {
  let pos = -1;
  for (const m of text.matchAll(re)) pos = m.indices![1]![0];
  return pos;
}

/**
 * Extracts the chosen letter (or a hedge marker such as "A,B"), or null. `choices` (texts in
 * letter order) lets a response that states the text of a choice count as that letter.
 */
export function extractChoice(raw: string, letters: string[] = choiceLetters(4), choices: string[] = []): string | null {
  const full = fixDoubleEscapes(raw);
  const text = lastAnswerBlock(full) ?? full;
  const set = letters.join("");
  const boxed = finalBoxed(text);
  if (boxed) {
    const ls = lettersIn(boxed, letters);
    if (ls) return verdictOf(ls);
    const byText = matchChoiceText(boxed, choices, letters);
    if (byText) return byText;
  }
  const anchored = [
    new RegExp(String.raw`${FINAL}\s+${ANSWER}.{0,100}?\s+is:?\s*(?:\*\*)?\(?([${set}])${SUFFIX}`, "gsd"),
    new RegExp(String.raw`${ANSWER}\s*:.{0,50}?(?:^|\s|\*\*|\()\(?([${set}])${SUFFIX}`, "gsd"),
    new RegExp(String.raw`${ANSWER}.{0,50}?(?:^|\s|\*\*|\()\(?([${set}])${SUFFIX}`, "gsd"),
    new RegExp(String.raw`^\s*(?:\*\*)?\(?([${set}])${SUFFIX}`, "gd"),
  ];
  for (const re of anchored) {
    const pos = lastLetterAt(text, re);
    if (pos >= 0) return resolveRun(text, pos, set);
  }
  const answerText = /answer(?:\s+is)?\s*:?\s*(.{1,200}?)\s*(?:\.\s|\.?$|\n)/i.exec(text);
  if (answerText) {
    const byText = matchChoiceText(answerText[1]!, choices, letters);
    if (byText) return byText;
  }
  const pos = lastLetterAt(text, new RegExp(String.raw`(?:^|\s|\*\*|\()\(?([${set}])${SUFFIX}`, "gd"));
  return pos >= 0 ? resolveRun(text, pos, set) : null;
}

/** Letter whose choice text equals `s` (as math answers, or case-insensitive text). */
function matchChoiceText(s: string, choices: string[], letters: string[]): string | null {
  const t = s.trim();
  if (!t || choices.length === 0) return null;
  for (let i = 0; i < choices.length && i < letters.length; i++) {
    const c = choices[i]!.trim();
    if (c.toLowerCase() === t.toLowerCase() || answersEqual(c, t)) return letters[i]!;
  }
  return null;
}
