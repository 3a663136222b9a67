/**
 * Column arithmetic written one step a line, right to left, each line of a fixed shape so that
 * a tiny model can learn it (every digit is one token; the carry or borrow a line passes on is
 * always the first digit of its two-digit number):
 *
 *   addition        7 + 9 + 0 = 16      digit + digit + carry in = carry out, digit
 *   subtraction     17 - 9 - 0 = 8      borrow out, top digit - digit - borrow in = digit
 *   multiplication  7 × 6 + 4 = 46      digit × multiplier + carry in = carry out, digit
 *
 * A `ColumnWriter` writes the lines and can plant one slip at a chosen step: the step's result
 * off by one, or a carry/borrow dropped (or invented where there was none). The steps after it
 * go on from the wrong value, so an uncaught slip always yields a wrong answer. A caught slip is
 * followed by `check: <the right line>, not <the wrong result>` and the right line, and the
 * work goes on from the right value.
 */
import type { Rng } from "../util/rng.ts";

/** One kind of column step: its value from (digit, digit or multiplier, carry in) and its line. */
interface ColumnRule {
  value(x: number, y: number, c: number): number;
  /** The text after ` = `. */
  result(v: number): string;
  line(x: number, y: number, c: number, v: number): string;
  digit(v: number): number;
  carry(v: number): number;
  /** Range of values a written step may show (a slip stays inside it). */
  lo: number;
  hi: number;
}

const pad2 = (v: number): string => String(v).padStart(2, "0");
const mod10 = (v: number): number => ((v % 10) + 10) % 10;

const ADD: ColumnRule = {
  value: (x, y, c) => x + y + c,
  result: pad2,
  line: (x, y, c, v) => `${x} + ${y} + ${c} = ${pad2(v)}`,
  digit: (v) => v % 10,
  carry: (v) => Math.floor(v / 10),
  lo: 0,
  hi: 19,
};

const SUB: ColumnRule = {
  value: (x, y, c) => x - y - c,
  result: (v) => String(mod10(v)),
  line: (x, y, c, v) => `${v < 0 ? 1 : 0}${x} - ${y} - ${c} = ${mod10(v)}`,
  digit: mod10,
  carry: (v) => (v < 0 ? 1 : 0),
  lo: -10,
  hi: 9,
};

const MUL: ColumnRule = {
  value: (x, m, c) => x * m + c,
  result: pad2,
  line: (x, m, c, v) => `${x} × ${m} + ${c} = ${pad2(v)}`,
  digit: (v) => v % 10,
  carry: (v) => Math.floor(v / 10),
  lo: 0,
  hi: 89,
};

/** Digits of a non-negative integer, least significant first. */
export function digitsOf(n: number): number[] {
  return [...String(n)].reverse().map(Number);
}

/** The integer of digits given least significant first (leading zeros vanish). */
function fromDigits(ds: readonly number[]): number {
  return ds.reduceRight((acc, d) => acc * 10 + d, 0);
}

/** Where a slip goes (the index of a column step), whether it is caught, and the draws that shape it. */
export interface PlantedSlip {
  at: number;
  caught: boolean;
  rng: Rng;
}

/** Writes column steps, planting at most one slip. */
export class ColumnWriter {
  readonly lines: string[] = [];
  private steps = 0;

  constructor(private readonly slip: PlantedSlip | null = null) {}

  /** Number of column steps written so far. */
  get stepCount(): number {
    return this.steps;
  }

  /** A line that is not a column step (a partial product, a sum to do). */
  note(line: string): void {
    this.lines.push(line);
  }

  /** Writes one step; returns the value the work goes on from. */
  step(rule: ColumnRule, x: number, y: number, c: number): number {
    const v = rule.value(x, y, c);
    if (this.slip?.at !== this.steps++) {
      this.lines.push(rule.line(x, y, c, v));
      return v;
    }
    const { rng, caught } = this.slip;
    let wc = c;
    let wv: number;
    if (c > 0 && rng.uniform() < 0.5) {
      wc = 0; // a dropped carry or borrow
      wv = rule.value(x, y, wc);
    } else {
      const up = v + 1 <= rule.hi && (v - 1 < rule.lo || rng.uniform() < 0.5);
      wv = up ? v + 1 : v - 1; // a result off by one
    }
    this.lines.push(rule.line(x, y, wc, wv));
    if (!caught) return wv;
    this.lines.push(`check: ${rule.line(x, y, c, v)}, not ${rule.result(wv)}`);
    this.lines.push(rule.line(x, y, c, v));
    return v;
  }

  /** a + b, column by column. */
  add(a: number, b: number): number {
    const xs = digitsOf(a);
    const ys = digitsOf(b);
    const out: number[] = [];
    let c = 0;
    for (let i = 0; i < Math.max(xs.length, ys.length); i++) {
      const v = this.step(ADD, xs[i] ?? 0, ys[i] ?? 0, c);
      out.push(ADD.digit(v));
      c = ADD.carry(v);
    }
    if (c > 0) out.push(c);
    return fromDigits(out);
  }

  /** a − b (a ≥ b), column by column; a final borrow (only after a slip) is dropped. */
  sub(a: number, b: number): number {
    const xs = digitsOf(a);
    const ys = digitsOf(b);
    const out: number[] = [];
    let c = 0;
    for (let i = 0; i < xs.length; i++) {
      const v = this.step(SUB, xs[i]!, ys[i] ?? 0, c);
      out.push(SUB.digit(v));
      c = SUB.carry(v);
    }
    return fromDigits(out);
  }

  /** a × m for a one-digit m, column by column. */
  mulDigit(a: number, m: number): number {
    const out: number[] = [];
    let c = 0;
    for (const x of digitsOf(a)) {
      const v = this.step(MUL, x, m, c);
      out.push(MUL.digit(v));
      c = MUL.carry(v);
    }
    if (c > 0) out.push(...digitsOf(c));
    return fromDigits(out);
  }
}
