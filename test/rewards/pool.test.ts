import { test } from "node:test";
import assert from "node:assert/strict";
import { VerifierPool } from "../../src/rewards/pool.ts";
import "../fixtures/graders/test-graders.ts";

/** Blocks the main thread, as generation or a backward pass does. */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* spin */ }
}

test("adversarial inputs score as incorrect with a reason, within bounded time", async () => {
  const pool = new VerifierPool({ size: 2, config: { format: "auto", timeoutMs: 2000 } });
  try {
    await pool.grade({ response: "\\boxed{1}", answer: "1" }); // warm-up
    const cases: [string, string, string[]][] = [
      ["huge exponent", "\\boxed{10^{10^{10^{10}}}}", ["wrong_answer"]],
      ["10,000 nested braces", "\\boxed{" + "{".repeat(10000) + "1" + "}".repeat(10000) + "}", ["too_large", "wrong_answer"]],
      ["1 MB response", "a".repeat(1_000_000), ["too_large"]],
      ["lone surrogate", "\\boxed{\ud800}", ["wrong_answer"]],
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

test("a reply that arrived while the main thread was busy is read, not scored as a timeout", async () => {
  const pool = new VerifierPool({ size: 1, config: { format: "boxed", timeoutMs: 300 } });
  try {
    await pool.grade({ response: "\\boxed{1}", answer: "1" }); // the worker is up
    const pending = pool.grade({ response: "\\boxed{7}", answer: "7" });
    // Five time limits without an event-loop turn, ending in the check phase: the next turn runs
    // the expired timer before it polls for the worker's message.
    await new Promise<void>((resolve) => setImmediate(() => { busy(1500); resolve(); }));
    const v = await pending;
    assert.equal(v.reason, "correct", v.detail);
  } finally {
    await pool.close();
  }
});

test("the clock starts when the worker takes the task: a booting worker's start-up does not count", async () => {
  // Booting a worker (tsx, the CAS) takes far longer than 100 ms; the first answers must still count.
  const pool = new VerifierPool({ size: 2, config: { format: "boxed", timeoutMs: 100 } });
  try {
    const verdicts = await pool.gradeAll([1, 2, 3, 4].map((k) => ({ response: `\\boxed{${k}}`, answer: String(k) })));
    assert.deepEqual(verdicts.map((v) => v.reason), ["correct", "correct", "correct", "correct"]);
  } finally {
    await pool.close();
  }
});

test("graders registered with their module run in the workers; a hung one times out", async () => {
  const echo = new VerifierPool({ size: 1, grader: "test:length-is-answer" });
  const spin = new VerifierPool({ size: 1, grader: "test:spin", config: { timeoutMs: 300 } });
  try {
    const [a, b] = await echo.gradeAll([{ response: "abcd", answer: 4 }, { response: "abc", answer: 4 }]);
    assert.deepEqual([a.reason, b.reason], ["correct", "wrong_answer"]);
    await echo.grade({ response: "warm", answer: 4 });
    const t0 = performance.now();
    const v = await spin.grade({ response: "x", answer: 1 });
    assert.equal(v.reason, "timeout");
    assert.ok(performance.now() - t0 < 5000);
    assert.equal((await spin.grade({ response: "x", answer: 1 })).reason, "timeout", "the replaced worker grades again");
  } finally {
    await echo.close();
    await spin.close();
  }
  assert.throws(() => new VerifierPool({ grader: "no-such-grader" }), /unknown reward "no-such-grader"/);
});

test("text with broken bytes (U+FFFD, lone surrogates) is graded on its answer", async () => {
  const pool = new VerifierPool({ size: 1, config: { format: "orz" } });
  try {
    const [a, b, c] = await pool.gradeAll([
      { response: "step \ufffd\ufffd then </think> <answer> \\boxed{12} </answer>", answer: "12", finishReason: "stop" },
      { response: "x \ud83d y </think> <answer> \\boxed{12} </answer>", answer: "12", finishReason: "stop" },
      { response: "\ufffd </think> <answer> \\boxed{13} </answer>", answer: "12", finishReason: "stop" },
    ]);
    assert.deepEqual([a.reason, b.reason, c.reason], ["correct", "correct", "wrong_answer"]);
  } finally {
    await pool.close();
  }
});
