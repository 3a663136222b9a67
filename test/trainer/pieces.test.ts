/** The trainer's small parts: micro-batch planning, mini-batches, the prompt order, config files. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { z } from "zod";
import { planMicroBatches } from "../../src/trainer/micro-batches.ts";
import { miniBatches } from "../../src/trainer/update.ts";
import { PromptCursor } from "../../src/trainer/prompt-order.ts";
import { applyOverrides, parseConfigText, validateConfig } from "../../src/trainer/config-file.ts";
import { Rng } from "../../src/util/rng.ts";
import { TaskSetSpecSchema, taskSet } from "../../src/tasks/dataset.ts";
import { taskPrompt } from "../../src/tasks/format.ts";
import { loadTemplate, renderPrompt } from "../../src/data/templates.ts";
import { loadModel } from "../../src/models/load.ts";
import { noGrad } from "../../src/tensor/tensor.ts";
import { scoreResponses, valueResponses } from "../../src/trainer/forward.ts";
import { tempDir, tinyModel } from "../helpers/tiny-run.ts";
import path from "node:path";

test("micro-batches respect the token budget, keep units whole, and cover every response once, in order", () => {
  const lengths = [10, 3, 7, 7, 2, 9, 1];
  const units = [[0], [1, 2], [3], [4], [5, 6]];
  const batches = planMicroBatches(units, lengths, 20);
  assert.deepEqual(batches, [[0, 1, 2], [3, 4, 5, 6]]); // 10 + 3 + 7 = 20; 7 + 2 + 9 + 1 = 19
  assert.deepEqual(planMicroBatches(units, lengths, 12), [[0], [1, 2], [3, 4], [5, 6]]);
  assert.deepEqual(planMicroBatches([[0, 1]], [30, 30], 20), [[0, 1]], "a unit over the budget gets a batch of its own");
});

test("mini-batches: a keyed shuffle, sizes within one unit of the target, every unit once", () => {
  const units = Array.from({ length: 10 }, (_, i) => [i]);
  const a = miniBatches(units, 4, Rng.derive(1, 2));
  const b = miniBatches(units, 4, Rng.derive(1, 2));
  assert.deepEqual(a, b);
  assert.equal(a.length, 3); // round(10 / 4)
  assert.deepEqual(a.flat(2).sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  for (const m of a) assert.ok(m.length >= 3 && m.length <= 4);
  assert.notDeepEqual(miniBatches(units, 4, Rng.derive(1, 3)), a);
  assert.deepEqual(miniBatches([], 4, Rng.derive(0)), []);
});

test("the prompt order: a seeded permutation per epoch, no prompt twice in a batch, resumable from its state", () => {
  const c = new PromptCursor(5, 7, true);
  const first = c.next(3);
  const second = c.next(3); // 2 left in epoch 0: epoch 1 starts
  assert.equal(new Set(second).size, 3);
  assert.deepEqual(c.state(), { epoch: 1, index: 3 });
  const resumed = new PromptCursor(5, 7, true, c.state());
  assert.deepEqual(resumed.next(2), c.next(2));
  assert.notDeepEqual([...first, ...second], [0, 1, 2, 0, 1, 2]);
  assert.deepEqual(new PromptCursor(3, 7, false).next(3), [0, 1, 2]);
  assert.throws(() => new PromptCursor(3, 7, false).next(4), /4 prompts asked of a dataset of 3/);
});

test("config files: errors name the file, the line and the key; --set parses YAML values", () => {
  const schema = z.strictObject({
    a: z.strictObject({ lr: z.number().positive(), name: z.enum(["x", "y"]).default("x") }),
    steps: z.number().int().default(3),
  });
  const text = "a:\n  lr: 1e-3\n  nmae: y\nsteps: 2\n";
  const src = parseConfigText(text, "run.yaml");
  assert.throws(() => validateConfig(schema, src), (e: Error) => e.message === "run.yaml:3: a.nmae: unknown key");
  const bad = parseConfigText("a:\n  lr: -1\n", "run.yaml");
  assert.throws(() => validateConfig(schema, bad), (e: Error) => e.message.startsWith("run.yaml:2: a.lr: "));
  const ok = applyOverrides(parseConfigText("a:\n  lr: 1\n", "run.yaml"), ["a.lr=0.5", "steps=10", "a.name=y"]);
  assert.deepEqual(validateConfig(schema, ok), { a: { lr: 0.5, name: "y" }, steps: 10 });
  assert.throws(() => applyOverrides(src, ["a.lr"]), /expected key\.path=value/);
  assert.throws(() => parseConfigText("a: [1, 2\n", "broken.yaml"), (e: Error) => /^broken\.yaml:\d+: invalid YAML/.test(e.message));
});

test("a built-in task as training data: problems by seed and split, its grader, and the pretraining corpus's prompt", () => {
  const train = taskSet(TaskSetSpecSchema.parse({ task: "arith", count: 50, seed: 1 }), "train");
  const heldout = taskSet(TaskSetSpecSchema.parse({ task: "arith", count: 50, seed: 1 }), "eval");
  assert.equal(train.grader, "task:arith");
  assert.equal(train.name, "arith-train");
  assert.equal(new Set(train.items.map((i) => i.question)).size, 50);
  const overlap = heldout.items.filter((h) => train.items.some((t) => t.question === h.question));
  assert.deepEqual(overlap, [], "splits share no problem");
  assert.deepEqual(taskSet(TaskSetSpecSchema.parse({ task: "arith", count: 50, seed: 1 }), "train").items, train.items);
  const template = loadTemplate("orz_short");
  assert.equal(renderPrompt(template, train.items[0]), taskPrompt(train.items[0].question));
  assert.deepEqual(template.stop, ["</answer>"]);
  assert.equal(template.format, "orz");
});

test("the trainer's packed forward gives each response's log-probs and values as if it were alone", () => {
  const dir = tinyModel(path.join(tempDir("forward"), "model"));
  const policy = loadModel(dir);
  const critic = loadModel(dir, { valueHead: true, seed: 4 });
  const seqs = [[3, 4, 5, 6, 7], [8, 9, 10], [11, 12, 13, 14, 15, 16, 17]].map((ids, i) => ({ ids: Int32Array.from(ids), promptLength: 1 + i }));
  const logp = scoreResponses(policy, seqs, 0.7, 8).logp; // a budget of 8 tokens: three micro-batches
  const values = valueResponses(critic, seqs, 8);
  let at = 0;
  for (const q of seqs) {
    const rows = Int32Array.from({ length: q.ids.length - q.promptLength }, (_, k) => q.promptLength - 1 + k);
    const alone = noGrad(() => policy.tokenLogprobs(q.ids, 1, q.ids.length, rows, 0.7).logp.data);
    const v = noGrad(() => critic.values(q.ids, 1, q.ids.length, rows).data);
    alone.forEach((x, k) => assert.ok(Math.abs(x - logp[at + k]) < 1e-5, `logp ${x} vs ${logp[at + k]}`));
    v.forEach((x, k) => assert.ok(Math.abs(x - values[at + k]) < 1e-5, `value ${x} vs ${values[at + k]}`));
    at += alone.length;
  }
  assert.equal(at, logp.length);
});
