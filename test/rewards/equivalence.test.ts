import { test } from "node:test";
import assert from "node:assert/strict";
import { answersEqual } from "../../src/rewards/equivalence.ts";
import { parseNumber } from "../../src/rewards/numbers.ts";

const eq = (a: string, b: string): void => assert.equal(answersEqual(a, b), true, `${a} should equal ${b}`);
const ne = (a: string, b: string): void => assert.equal(answersEqual(a, b), false, `${a} should differ from ${b}`);

test("numbers: integers, decimals, fractions, mixed, scientific, percent, separators", () => {
  eq("0.5", "\\frac{1}{2}");
  eq("1/2", "\\dfrac12");
  eq("1 1/2", "1.5");
  eq("2\\frac58", "2.625");
  eq("1.5 \\times 10^{3}", "1500");
  eq("1.5e3", "1500");
  eq("10\\%", "10");
  eq("10\\%", "0.1");
  eq("7,425,000", "7425000");
  eq("033", "33");
  ne("5", "5.001");
  ne("3986729", "3986730");
  assert.equal(parseNumber("1e999999"), null);
});

test("normalisation after the Hendrycks grader", () => {
  eq("\\left(x-2\\right)\\left(x+2\\right)", "(x-2)(x+2)");
  eq("10\\text{ units}", "10");
  eq("90^\\circ", "90");
  eq("\\$10", "10");
  eq("x = 5", "5");
  eq("5.", "5");
  eq("\\text{Evelyn}", "evelyn");
});

test("symbolic comparison through the CAS", () => {
  eq("\\frac{\\sqrt{3}}{2}", "\\frac{1}{2}\\sqrt{3}");
  eq("(r+5)(r+5)", "(r+5)^2");
  eq("\\tan^2(y)+1", "\\sec^2(y)");
  ne("x^2+2x+1", "x^3+2x+1");
  eq("1+2i", "i(2-i)");
});

test("structures: tuples, intervals, sets, equations, matrices", () => {
  eq("(1, 2)", "(1,2)");
  ne("(1, 2)", "(2, 1)");
  ne("[0, 1)", "(0, 1)");
  eq("[1, \\infty)", "[1, +\\infty)");
  eq("\\{1, 2, 3\\}", "\\{3, 2, 1\\}");
  eq("(2,12) \\cup (12,102)", "(12,102)\\cup(2,12)");
  eq("y = 2x + 1", "2x + 1");
  eq("2x+4y-3=0", "y=-\\frac{1}{2}x+\\frac{3}{4}");
  ne("x > 5", "x < 5");
  eq("x \\le 5", "5 \\ge x");
  eq("\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}", "\\begin{bmatrix}1 & 2 \\\\ 3 & 4\\end{bmatrix}");
  ne("\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}", "\\begin{pmatrix}1&2\\\\3&5\\end{pmatrix}");
  eq("\\pm 2", "-2, 2");
});
