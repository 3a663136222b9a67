/**
 * Structure of a normalised answer: lists (bare comma lists, tuples, intervals, sets),
 * unions of intervals, relations (equations, inequalities, chains, `x \in S`) and matrices,
 * down to atoms (single expressions). Simplifications: `(a, b)` is both a tuple and an open
 * interval (they compare the same way); a bare comma list is unordered unless configured
 * otherwise; `a \pm b` becomes the two-element list {a+b, a-b}; depth of nesting is bounded.
 */

export type RelOp = "=" | "<" | ">" | "\\le" | "\\ge" | "\\ne";

export type Node =
  | { kind: "atom"; text: string }
  | { kind: "seq"; open: string; close: string; items: Node[]; src: string }
  | { kind: "union"; items: Node[]; src: string }
  | { kind: "rel"; ops: RelOp[]; parts: string[]; src: string }
  | { kind: "matrix"; rows: Node[][]; src: string };

const MAX_DEPTH = 12;
const MAX_ITEMS = 200;

/**
 * Splits `s` at top level (outside (), [], {}, \{\}, \begin..\end) at any of `seps`
 * (sticky regexes, tried at each position). Brackets of any kind pair with any other, so
 * half-open intervals `[a, b)` nest correctly. With `keepSeps`, the separators found are
 * kept at the odd indices of the result.
 */
function splitTopLevel(s: string, seps: RegExp, keepSeps = false): string[] {
  const parts: string[] = [];
  let depth = 0;
  let envDepth = 0;
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === "\\") {
      const cmd = /^\\(begin|end)\{[^}]*\}|^\\[{}]/.exec(s.slice(i, i + 40));
      if (cmd) {
        if (cmd[1] === "begin") envDepth++;
        else if (cmd[1] === "end") envDepth--;
        else if (cmd[0] === "\\{") depth++;
        else depth--;
        i += cmd[0].length - 1;
        continue;
      }
    }
    if (ch === "(" || ch === "[" || ch === "{") depth++;
    else if (ch === ")" || ch === "]" || ch === "}") depth--;
    else if (depth === 0 && envDepth === 0) {
      seps.lastIndex = i;
      const m = seps.exec(s);
      if (m && m.index === i && m[0].length > 0) {
        parts.push(s.slice(last, i));
        if (keepSeps) parts.push(m[0]);
        last = i + m[0].length;
        i = last - 1;
        if (parts.length > MAX_ITEMS) break;
      }
    }
  }
  parts.push(s.slice(last));
  return parts.map((p) => p.trim());
}

/** Index of the bracket closing the one at 0 (any kind pairs with any), or -1. */
function closingBracket(s: string): number {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === "\\" && (s[i + 1] === "{" || s[i + 1] === "}")) {
      depth += s[i + 1] === "{" ? 1 : -1;
      i++;
      if (depth === 0) return i;
      continue;
    }
    if (ch === "(" || ch === "[" || ch === "{") depth++;
    else if (ch === ")" || ch === "]" || ch === "}") {
      if (--depth === 0) return i;
    }
  }
  return -1;
}

const LIST_SEP = /,\s*(?:and|or)\s+|,|\s+(?:and|or)\s+|(?<=\))\s*(?:and|or)\s*(?=\()/y;
const REL_SEP = /\\le |\\ge |\\ne |\\le(?![a-zA-Z])|\\ge(?![a-zA-Z])|\\ne(?![a-zA-Z])|<|>|=/y;

/** Parses a normalised answer into a structure tree. */
export function parseStructure(s: string, depth = 0): Node {
  const text = s.trim();
  if (depth > MAX_DEPTH || text.length === 0) return { kind: "atom", text };
  // `7,425,000` is one number, not a list.
  if (/^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?%?$/.test(text)) return { kind: "atom", text: text.replace(/,/g, "") };

  const semis = splitTopLevel(text, /;/y);
  if (semis.length > 1 && semis.every((p) => p.length > 0)) {
    return {
      kind: "seq",
      open: "",
      close: "",
      src: text,
      items: semis.map((p) => {
        const n = parseStructure(p, depth + 1);
        return n.kind === "seq" && n.open === "" ? { ...n, open: "(", close: ")" } : n;
      }),
    };
  }

  const items = splitTopLevel(text, LIST_SEP);
  if (items.length > 1 && items.every((p) => p.length > 0)) {
    return { kind: "seq", open: "", close: "", src: text, items: items.map((p) => parseStructure(p, depth + 1)) };
  }

  const inSet = /^(?:[a-zA-Z](?:_\{?\w+\}?)?|\([a-zA-Z, ]+\))\s*\\in(?![a-zA-Z])\s*(.+)$/.exec(text);
  if (inSet) return parseStructure(inSet[1]!, depth + 1);

  const unionParts = splitTopLevel(text, /\\cup(?![a-zA-Z])/y);
  if (unionParts.length > 1) {
    return { kind: "union", src: text, items: unionParts.map((p) => parseStructure(p, depth + 1)) };
  }

  const pieces = splitTopLevel(text, REL_SEP, true);
  if (pieces.length > 1) {
    const parts = pieces.filter((_, i) => i % 2 === 0);
    const ops = pieces.filter((_, i) => i % 2 === 1) as RelOp[];
    if (parts.every((p) => p.length > 0)) return { kind: "rel", ops, parts, src: text };
  }

  const env = /^\\begin\{(pmatrix|bmatrix|Bmatrix|vmatrix|Vmatrix|matrix|smallmatrix|array|cases)\}(\{[^}]*\})?([\s\S]*)\\end\{\1\}$/.exec(text);
  if (env) {
    const body = env[3]!.replace(/\\\\\s*$/, "");
    const rows = splitTopLevel(body, /\\\\/y)
      .filter((r) => r.length > 0)
      .map((r) => splitTopLevel(r, /&/y).map((cell) => parseStructure(cell, depth + 1)));
    return { kind: "matrix", rows, src: text };
  }

  const first = text[0];
  const isSet = text.startsWith("\\{");
  if (first === "(" || first === "[" || isSet) {
    const close = closingBracket(text);
    if (close === text.length - 1) {
      const inner = text.slice(isSet ? 2 : 1, isSet ? -2 : -1).trim();
      const innerItems = splitTopLevel(inner, /[,;]/y);
      if (innerItems.length > 1 || isSet) {
        return {
          kind: "seq",
          open: isSet ? "{" : first!,
          close: isSet ? "}" : text[text.length - 1]!,
          src: text,
          items: innerItems.filter((p) => p.length > 0).map((p) => parseStructure(p, depth + 1)),
        };
      }
      if ((first === "(" || first === "[") && /^\\begin\{/.test(inner)) return parseStructure(inner, depth + 1);
    }
  }

  const pm = splitTopLevel(text, /\\pm(?![a-zA-Z])|\\mp(?![a-zA-Z])/y);
  if (pm.length === 2) {
    const a = pm[0] === "" ? "" : `${pm[0]}`;
    return {
      kind: "seq",
      open: "",
      close: "",
      src: text,
      items: [
        { kind: "atom", text: `${a}+${wrap(pm[1]!)}` },
        { kind: "atom", text: `${a}-${wrap(pm[1]!)}` },
      ],
    };
  }
  return { kind: "atom", text };
}

/** Parenthesises `s` unless it is a single token. */
function wrap(s: string): string {
  return /^[\w\\{}.^]+$/.test(s) ? s : `(${s})`;
}

/** Whether an equation's left side is only a name (`x`, `f(x)`, `a_{3}`, `(p, q)`, `|AB|`, `\frac{NO}{BO}`). */
export function isNameLike(lhs: string): boolean {
  if (/\\(?:sin|cos|tan|sec|csc|cot|log|ln|exp|sqrt|arcsin|arccos|arctan)(?![a-zA-Z])/.test(lhs)) return false;
  const stripped = lhs.replace(/_\{[^{}]*\}|_\w/g, "").replace(/\\[a-zA-Z]+/g, "");
  return /[a-zA-Z]/.test(stripped) && !/\d/.test(stripped);
}
