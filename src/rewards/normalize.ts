/**
 * String normalisation of a final answer, after the Hendrycks MATH grader's `strip_string`
 * and extended: double-escaped backslashes, math delimiters, `\boxed` wrappers,
 * `\left`/`\right`, `\dfrac`/`\tfrac`/`\cfrac`, LaTeX spacing, degrees, `\text{}` units and
 * trailing unit words, dollars, percent markers (kept as a trailing `%`), unicode operators,
 * relation spellings, `\approx` tails, trailing full stops, number words up to twenty. What it simplifies: units are
 * recognised only as a trailing text group or trailing words after a number; no unit
 * conversion is attempted.
 */
import { isWrappedInBraces, matchBrace } from "./extract/braces.ts";

const TEXT_COMMANDS = /\\(?:text|textbf|textit|textrm|textsf|textnormal|mathrm|mathbf|mathit|mathsf|mbox|hbox|emph)\s*\{/g;

/** Replaces `\cmd{X}` by `X` for the text-like commands, scanning braces properly. */
export function unwrapTextCommands(s: string): string {
  let out = s;
  for (let guard = 0; guard < 200; guard++) {
    TEXT_COMMANDS.lastIndex = 0;
    const m = TEXT_COMMANDS.exec(out);
    if (!m) break;
    const open = m.index + m[0].length - 1;
    const close = matchBrace(out, open);
    if (close < 0) break;
    out = out.slice(0, m.index) + out.slice(open + 1, close) + out.slice(close + 1);
  }
  return out;
}

/** Undoes JSON-style double escaping (`\\frac` written for `\frac`). */
export function fixDoubleEscapes(s: string): string {
  return /(?<!\\)\\\\[a-zA-Z]/.test(s) ? s.replace(/\\\\/g, "\\") : s;
}

/** Removes one layer of surrounding `$..$`, `$$..$$`, `\(..\)`, `\[..\]`. */
function stripMathDelimiters(s: string): string {
  let t = s.trim();
  for (let guard = 0; guard < 4; guard++) {
    const m = /^(?:\$\$([\s\S]*)\$\$|\$([\s\S]*)\$|\\\(([\s\S]*)\\\)|\\\[([\s\S]*)\\\])$/.exec(t);
    if (!m) break;
    t = (m[1] ?? m[2] ?? m[3] ?? m[4] ?? "").trim();
  }
  return t;
}

/** If the whole string is one `\boxed{..}`/`\fbox{..}`, returns its content. */
function unwrapWholeBoxed(s: string): string {
  let t = s;
  for (let guard = 0; guard < 8; guard++) {
    const m = /^\\(?:boxed|fbox)\s*\{/.exec(t);
    if (!m) break;
    const close = matchBrace(t, m[0].length - 1);
    if (close !== t.length - 1) break;
    t = t.slice(m[0].length, close).trim();
  }
  return t;
}

const UNICODE: [RegExp, string][] = [
  [/[−–—]/g, "-"],
  [/×/g, "\\times "],
  [/÷/g, "\\div "],
  [/π/g, "\\pi "],
  [/∞/g, "\\infty "],
  [/√/g, "\\sqrt"],
  [/≤/g, "\\le "],
  [/≥/g, "\\ge "],
  [/≠/g, "\\ne "],
  [/∪/g, "\\cup "],
  [/∩/g, "\\cap "],
  [/∈/g, "\\in "],
  [/·/g, "\\cdot "],
  [/²/g, "^2"],
  [/³/g, "^3"],
];

/**
 * Normalises an extracted answer to a canonical LaTeX-ish string. Percent signs become a
 * single trailing `%`. The result has single spaces and no surrounding punctuation.
 */
export function normalizeAnswer(raw: string): string {
  let s = fixDoubleEscapes(raw).replace(/\r?\n/g, " ").trim();
  s = stripMathDelimiters(s);
  s = unwrapWholeBoxed(s);
  s = stripMathDelimiters(s);
  for (const [re, rep] of UNICODE) s = s.replace(re, rep);
  s = s
    .replace(/\\(?:d|t|c)frac/g, "\\frac")
    .replace(/\\(?:d|t)binom/g, "\\binom")
    .replace(/\\left\s*\./g, "")
    .replace(/\\right\s*\./g, "")
    .replace(/\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|big|Big|bigg|Bigg)(?![a-zA-Z])/g, "")
    .replace(/\\displaystyle/g, "")
    .replace(/(\d),\s*\\!\s*(?=\d{3})/g, "$1")
    .replace(/(?<!\\)\\!/g, "")
    .replace(/(?<!\\)\\(?:qquad|quad|enspace|thinspace)|(?<!\\)\\[,;:>]/g, " ")
    .replace(/(?<!\\)\\ /g, " ")
    .replace(/~/g, " ")
    .replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ|°|\\degree/g, "")
    .replace(/\\lt(?![a-zA-Z])/g, "<")
    .replace(/\\gt(?![a-zA-Z])/g, ">")
    .replace(/\\leq?(?:slant)?(?![a-zA-Z])|<=/g, "\\le ")
    .replace(/\\geq?(?:slant)?(?![a-zA-Z])|>=/g, "\\ge ")
    .replace(/\\neq?(?![a-zA-Z])|!=/g, "\\ne ")
    .replace(/\\(?:dollar|\$)/g, "")
    .replace(/\$/g, "")
    .replace(/\\%|\s*%|\s*(?:\\text\{\s*)?(?:percentage|percent|pct)\b\}?/g, "%");
  s = dropTrailingUnits(s);
  s = dropTrailingUnits(unwrapTextCommands(s));
  s = s
    .replace(/\\sqrt\s*([0-9a-zA-Z])/g, "\\sqrt{$1}")
    .replace(/\\frac\s*([0-9a-zA-Z])\s*([0-9a-zA-Z])/g, "\\frac{$1}{$2}")
    .replace(/\\frac\s*([0-9a-zA-Z])\s*\{/g, "\\frac{$1}{")
    .replace(/\\frac\s*(\{[^{}]*\})\s*([0-9a-zA-Z])/g, "\\frac$1{$2}")
    .replace(/\s+/g, " ")
    .trim();
  s = s.replace(/^[\s,;:]+|^\.(?!\d)|(?<!\\)\\$|[\s.,;:]+$/g, "").trim();
  if (/%$/.test(s)) s = s.replace(/%+$/, "").trim() + "%";
  if (isWrappedInBraces(s)) s = s.slice(1, -1).trim();
  s = approxTail(s);
  return numberWord(s) ?? s;
}

const NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"];

/** A whole answer spelled as a number word (`two`, `Twelve`), as digits; null otherwise. */
function numberWord(s: string): string | null {
  const i = NUMBER_WORDS.indexOf(s.toLowerCase());
  return i < 0 ? null : String(i);
}

/** `a \approx b`: keeps `b` when `a` is only a name, else `a`. */
function approxTail(s: string): string {
  const i = s.indexOf("\\approx");
  if (i < 0) return s;
  const left = s.slice(0, i).trim();
  const right = s.slice(i + 7).trim();
  return /^[a-zA-Z](?:_\{?\w+\}?)?$/.test(left) || left === "" ? right : left;
}

/**
 * Words that qualify or hedge a number rather than name a unit: `2 \text{ or more}` or
 * `2 approximately` is not the answer `2`.
 */
const NOT_UNIT_WORDS = /\b(?:and|or|not|no|more|less|fewer|least|most|than|about|approx|approximately|roughly|around|nearly|almost|over|under|above|below|between|to|up|maybe|perhaps|possibly|exactly|only)\b/i;

/** A unit: words, optionally `/`-compounds (`m/s`, `km/h`) and a power (`cm^2`). */
const UNIT = String.raw`[a-zA-Z][a-zA-Z .]*(?:\/\s*[a-zA-Z][a-zA-Z .]*)*(?:\^\s*\{?\d\}?)?`;
const TEXT_UNIT = new RegExp(String.raw`^(.*[\d}])\s*\\(?:text|textbf|textit|mbox|textnormal|mathrm|textrm)\s*\{\s*(${UNIT})\s*\}\s*(?:\^\s*\{?\d\}?)?$`);
const WORD_UNIT = new RegExp(String.raw`^([+-]?[\d.,]+(?:\s*\/\s*\d+)?%?)\s+((?:[a-zA-Z]{2,}|[a-zA-Z]+(?:\/[a-zA-Z]+)+)\.?(?:\s+[a-zA-Z]{2,}\.?)*)\s*(?:\^\s*\{?\d\}?)?$`);

/**
 * Drops a trailing unit: a text group (`10\text{ cm}^2`, `5 \mbox{ miles}`, `5\text{ m/s}`)
 * after something ending in a digit or `}`, or plain words (`125 miles`, `0.06 yuan`, `5 m/s`)
 * after a number. Hedging words ({@link NOT_UNIT_WORDS}) are never a unit.
 */
function dropTrailingUnits(s: string): string {
  const textUnit = TEXT_UNIT.exec(s);
  if (textUnit && !NOT_UNIT_WORDS.test(textUnit[2]!)) return textUnit[1]!.trim();
  const wordUnit = WORD_UNIT.exec(s);
  if (wordUnit && !NOT_UNIT_WORDS.test(wordUnit[2]!)) return wordUnit[1]!;
  return s;
}

/** Compact form for string comparison: no spaces, no `\{`→`{` differences. */
export function compact(s: string): string {
  return s.replace(/\s+/g, "").replace(/\\\{/g, "{").replace(/\\\}/g, "}");
}
