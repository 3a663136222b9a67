/**
 * Answer candidates in free text: LaTeX math spans (`$..$`, `$$..$$`, `\(..\)`, `\[..\]`,
 * ` [..] `, a bare `\frac{a}{b}`) and the joining of neighbouring candidates connected by
 * "and" / "or" / "," into one list answer (so `$3$ or $2$` is the answer `3, 2`, never
 * just one of its members).
 */

/** A candidate answer and where it sits in the text. */
export interface Candidate {
  start: number;
  end: number;
  value: string;
}

const MATH_SPAN =
  /(?<!\\)\$\$((?:[^$]|\$(?!\$))+?)(?<!\\)\$\$|(?<!\\)\\\[((?:[^\\]|\\(?!\]))+?)(?<!\\)\\\]|(?<![\\\d])\$((?:\\\$|[^\n$])+?)(?<!\\)\$|(?<!\\)\\\(((?:[^\\\n]|\\(?!\)))+?)(?<!\\)\\\)|\s\[([^\n\][]+)\]\s|(-?\\frac\{-?\d+(?:[.,]\d+)?\}\{-?\d+(?:[.,]\d+)?\})/g;
const PERCENT_AFTER = /^\s*(\\?%|[Pp]ercentage|[Pp]ercent|[Pp]ct)/;
const MAX_SPANS = 5000;

/** Math spans in order; a percent word or sign right after a span is folded into it. */
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
    if (out.length > MAX_SPANS) break;
  }
  return out;
}

const CONNECTOR = /^\s*(?:,?\s*and|,?\s*or|,)\s*$/i;
/** Most candidates one joined list may hold. */
const MAX_JOINED = 6;

/**
 * The candidate ending at `cands[last]` extended leftwards over neighbours connected by
 * "and" / "or" / "," (at most {@link MAX_JOINED}); `cands` must be sorted by position.
 */
function joinConnected(text: string, cands: Candidate[], last: number): Candidate {
  let first = last;
  while (first > 0 && last - first < MAX_JOINED - 1 && cands[first - 1]!.end <= cands[first]!.start && CONNECTOR.test(text.slice(cands[first - 1]!.end, cands[first]!.start))) first--;
  if (first === last) return cands[last]!;
  const group = cands.slice(first, last + 1);
  return { start: group[0]!.start, end: group[group.length - 1]!.end, value: group.map((g) => g.value).join(", ") };
}

/** Every candidate together with its joined versions (one per candidate that ends a list). */
export function withJoined(text: string, cands: Candidate[]): Candidate[] {
  const out = [...cands];
  for (let i = 1; i < cands.length; i++) {
    const j = joinConnected(text, cands, i);
    if (j !== cands[i]) out.push(j);
  }
  return out;
}
