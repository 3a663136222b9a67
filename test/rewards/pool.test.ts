import { test } from "node:test";
import assert from "node:assert/strict";
import { VerifierPool } from "../../src/rewards/pool.ts";

test("adversarial inputs score as incorrect with a reason, within bounded time", async () => {
  const pool = new VerifierPool({ size: 2, config: { format: "auto", timeoutMs: 2000 } });
  try {
    await pool.grade({ response: "\\boxed{1}", answer: "1" }); // warm-up
    const cases: [string, string, string[]][] = [
      ["huge exponent", "\\boxed{10^{10^{10^{10}}}}", ["wrong_answer"]],
      ["10,000 nested braces", "\\boxed{" + "{".repeat(10000) + "1" + "}".repeat(10000) + "}", ["too_large", "wrong_answer"]],
      ["1 MB response", "a".repeat(1_000_000), ["too_large"]],
      ["invalid UTF-8", "\\boxed{\ud800}", ["invalid_input"]],
      ["deep parentheses", "$" + "(".repeat(5000) + "1" + ")".repeat(5000) + "$", ["too_large", "wrong_answer"]],
      ["many unclosed boxes", "\\boxed{".repeat(20000), ["wrong_answer", "no_answer"]],
    ];
    for (const [name, response, reasons] of cases) {
      const t0 = performance.now();
      const v = await pool.grade({ response, answer: "2" });
      const ms = performance.now() - t0;
      assert.equal(v.correct, false, name);
      assert.ok(reasons.includes(v.reason), `${name}: got ${v.reason}`);
      assert.ok(ms < 2500, `${name} took ${ms.toFixed(0)} ms`);
    }
  } finally {
    await pool.close();
  }
});

test("pool grades correctly and applies reward values", async () => {
  const pool = new VerifierPool({ size: 1, config: { format: "boxed", values: { correct: 1, incorrect: -1, noAnswer: -1, truncated: -1 } } });
  try {
    const [a, b, c] = await pool.gradeAll([
      { response: "\\boxed{\\frac{1}{2}}", answer: "0.5" },
      { response: "\\boxed{3}", answer: "0.5" },
      { response: "no box", answer: "0.5" },
    ]);
    assert.deepEqual([a!.reward, b!.reward, c!.reward], [1, -1, -1]);
    assert.equal(c!.reason, "no_answer");
  } finally {
    await pool.close();
  }
});
