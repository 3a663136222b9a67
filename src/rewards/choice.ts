/**
 * Multiple choice (GPQA Diamond style): finds the chosen letter in a response — `\boxed{C}`,
 * "the answer is (C)", "Answer: C", a leading "C." or "(C)", else the last standalone letter —
 * and maps a choice's text to its letter when the response gives the text instead. Also the
 * reward comparing the chosen letter to the gold letter. Simplifications: English anchors
 * only; letters must stand alone (not inside words).
 */
import { answersEqual } from "./equivalence.ts";
import { lastBoxed } from "./extract/braces.ts";
import { fixDoubleEscapes, unwrapTextCommands } from "./normalize.ts";

/** Letters A, B, … for `n` choices. */
export function choiceLetters(n: number): string[] {
  return Array.from({ length: Math.max(1, Math.min(n, 26)) }, (_, i) => String.fromCharCode(65 + i));
}

const SUFFIX = String.raw`(?:\*\*)?\)?(?=[.,:;)\s。，：]|$|[^\x00-\x7F])`;

/** The letter a boxed content or short answer stands for, if it is just a letter. */
function letterOf(s: string, letters: string[]): string | null {
  const t = unwrapTextCommands(s).replace(/[\s$*]/g, "").replace(/^\(|\)$/g, "").replace(/^\\text\{|\}$/g, "");
  const m = /^([A-Za-z])[.)]?$/.exec(t);
  if (!m) return null;
  const up = m[1]!.toUpperCase();
  return letters.includes(up) && (m[1] === up || t.length === 1) ? up : null;
}

/**
 * Extracts the chosen letter, or null. `choices` (texts in letter order) lets a response that
 * states the text of a choice count as that letter.
 */
export function extractChoice(raw: string, letters: string[] = choiceLetters(4), choices: string[] = []): string | null {
  const text = fixDoubleEscapes(raw);
  const set = letters.join("");
  const boxed = lastBoxed(text);
  if (boxed !== null) {
    const l = letterOf(boxed, letters);
    if (l) return l;
    const byText = matchChoiceText(boxed, choices, letters);
    if (byText) return byText;
  }
  const anchored = [
    new RegExp(String.raw`final answer.{0,100}?\s+is:?\s*(?:\*\*)?\(?([${set}])${SUFFIX}`, "gis"),
    new RegExp(String.raw`answer\s*:.{0,50}?(?:^|\s|\*\*|\()\(?([${set}])${SUFFIX}`, "gis"),
    new RegExp(String.raw`answer.{0,50}?(?:^|\s|\*\*|\()\(?([${set}])${SUFFIX}`, "gis"),
  ];
  for (const re of anchored) {
    let last: string | null = null;
    for (const m of text.matchAll(re)) last = m[1]!;
    if (last) return last;
  }
  const start = new RegExp(String.raw`^\s*(?:\*\*)?\(?([${set}])${SUFFIX}`).exec(text);
  if (start) return start[1]!;
  const answerText = /answer(?:\s+is)?\s*:?\s*(.{1,200}?)\s*(?:\.\s|\.?$|\n)/i.exec(text);
  if (answerText) {
    const byText = matchChoiceText(answerText[1]!, choices, letters);
    if (byText) return byText;
  }
  let last: string | null = null;
  for (const m of text.matchAll(new RegExp(String.raw`(?:^|\s|\*\*|\()\(?([${set}])${SUFFIX}`, "g"))) last = m[1]!;
  return last;
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
