/**
 * Brace matching and `\boxed{}` / `\fbox{}` lookup. Iterative scans (no recursion), so deeply
 * nested input cannot overflow the stack. Simplification: escaped braces `\{` `\}` count as
 * ordinary characters, `{`/`}` inside `\verb` or comments are not special-cased.
 */

/** Index of the `}` closing the `{` at `open`, or -1 when unbalanced. */
export function matchBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i;
  }
  return -1;
}

/** A `\boxed{...}` (or `\fbox{...}`) occurrence: its content and where it sits. */
export interface BoxedSpan {
  content: string;
  start: number;
  end: number;
}

const BOXED_RE = /\\(?:boxed|fbox)\s*(\{|\s)/g;

/** For every `{`, the index of its matching `}` (-1 if unbalanced); one linear pass. */
function braceMatches(s: string): Int32Array {
  const match = new Int32Array(s.length).fill(-1);
  const stack: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "\\") i++;
    else if (c === "{") stack.push(i);
    else if (c === "}" && stack.length) match[stack.pop()!] = i;
  }
  return match;
}

/** All complete `\boxed{...}`/`\fbox{...}` occurrences, outermost only, in order. */
export function findBoxed(s: string): BoxedSpan[] {
  const out: BoxedSpan[] = [];
  if (!s.includes("\\boxed") && !s.includes("\\fbox")) return out;
  const matches = braceMatches(s);
  BOXED_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = BOXED_RE.exec(s)) !== null) {
    if (m[1] === "{") {
      const open = m.index + m[0].length - 1;
      const close = matches[open]!;
      if (close < 0) continue;
      out.push({ content: s.slice(open + 1, close), start: m.index, end: close + 1 });
      BOXED_RE.lastIndex = close + 1;
    } else {
      // `\boxed 5`: the argument is the next token.
      const tok = /^\s*([^\s$.,]+)/.exec(s.slice(m.index + m[0].length - 1));
      if (!tok) continue;
      const end = m.index + m[0].length - 1 + tok[0].length;
      out.push({ content: tok[1]!, start: m.index, end });
      BOXED_RE.lastIndex = end;
    }
  }
  return out;
}

/** Content of the last `\boxed{}`/`\fbox{}`, or null. */
export function lastBoxed(s: string): string | null {
  const all = findBoxed(s);
  return all.length ? all[all.length - 1]!.content : null;
}

/** Whether `s` is one brace group `{...}` wrapping everything. */
export function isWrappedInBraces(s: string): boolean {
  return s.startsWith("{") && matchBrace(s, 0) === s.length - 1;
}
