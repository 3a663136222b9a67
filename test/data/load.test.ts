/**
 * Datasets: every preset file in ../shared/data loads with the count its README gives and
 * the right answer field; JSONL, JSON, Parquet and the Open-Reasoner-Zero format; dotted
 * field paths; malformed rows named by file and line, or skipped and counted; duplicates.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { loadDataset } from "../../src/data/load.ts";
import { DatasetSpecSchema } from "../../src/data/spec.ts";
import { UserInputError } from "../../src/errors.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const dataDir = path.resolve(root, "../shared/data");
const skip = fs.existsSync(path.join(dataDir, "eval")) ? false : `../shared is absent (${dataDir}): skipping the benchmark files`;

function tmpFile(name: string, text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rlzero-data-")), name);
  fs.writeFileSync(file, text);
  return file;
}

const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join("\n") + "\n";

// Counts from ../shared/data/README.md; answers read by hand from each file's first row
// (math_train: two rows have empty answers and are skipped).
const EXPECTED = [
  { preset: "math500", count: 500, first: "\\left( 3, \\frac{\\pi}{2} \\right)", id: "test/precalculus/807.json" },
  { preset: "aime2024", count: 30, first: "204", id: "60" },
  { preset: "aime2025", count: 30, first: "70", id: "2025-I-1" },
  { preset: "minerva_math", count: 272, first: "1.6", id: "0" },
  { preset: "olympiadbench", count: 675, first: "2", id: "1606" },
  { preset: "amc23", count: 40, first: "27", id: "0" },
  { preset: "gsm8k", count: 1319, first: "18", id: "0" },
  { preset: "gsm8k_train", count: 7473, first: "72", id: "0" },
  { preset: "math_train", count: 8521, first: "118", id: "0" },
] as const;

for (const e of EXPECTED) {
  test(`preset ${e.preset} loads ${e.count} items with the right answers`, { skip }, async () => {
    const d = await loadDataset({ preset: e.preset });
    assert.equal(d.items.length, e.count);
    assert.equal(d.items[0]!.answer, e.first);
    assert.equal(d.items[0]!.id, e.id);
    assert.equal(new Set(d.items.map((i) => i.id)).size, e.count, "ids are unique");
    for (const it of d.items) {
      assert.ok(it.question.trim().length > 0);
      assert.ok(typeof it.answer === "string" && it.answer.trim().length > 0, `${e.preset} ${it.id}: answer ${JSON.stringify(it.answer)}`);
    }
    assert.equal(d.skipped, e.preset === "math_train" ? 2 : 0);
  });
}

test("benchmark answers read the way each file stores them", { skip }, async () => {
  const aime = await loadDataset({ preset: "aime2024" });
  assert.equal(aime.items.find((i) => i.id === "73")!.answer, "197", "AIME 2024 I-8 is 197 in this copy");
  const gsm = await loadDataset({ preset: "gsm8k" });
  assert.ok(gsm.items.some((i) => i.answer === "2125"), "#### 2,125 loses its thousands separator");
  assert.ok(gsm.items.every((i) => /^-?\d+(\.\d+)?$/.test(i.answer as string)), "GSM8K answers are numbers");
  const minerva = await loadDataset({ preset: "minerva_math" });
  assert.ok(minerva.items.every((i) => !(i.answer as string).includes("\\boxed")), "the box's content, not the box");
  const olympiad = await loadDataset({ preset: "olympiadbench" });
  assert.equal(olympiad.items[1]!.answer, "\\frac{1}{2 n+2}", "the list's element without its $...$");
  const math = await loadDataset({ preset: "math_train" });
  assert.match(math.skippedRows[0]!, /math_level3to5_train\.parquet: row 5055: answer field "gt_answer"/);
});

test("GPQA Diamond: choices from an object keyed by letter, the question from prompt.0.value", { skip }, async () => {
  const raw = JSON.parse(fs.readFileSync(path.join(dataDir, "eval/gpqa_diamond.json"), "utf8")) as { prompt: { value: string }[]; final_answer: string; choices: Record<string, string> }[];
  const d = await loadDataset({ preset: "gpqa_diamond" });
  assert.equal(d.items.length, 198);
  d.items.forEach((it, i) => {
    const gold = raw[i]!.choices[raw[i]!.final_answer];
    assert.equal(it.choices!.length, 4);
    assert.equal(it.choices!["ABCD".indexOf(it.answer as string)], gold, `item ${i}: the letter still names the correct choice`);
    assert.deepEqual([...it.choices!].sort(), Object.values(raw[i]!.choices).sort());
    const stem = raw[i]!.prompt[0]!.value.split("\n\nA. ")[0]!;
    assert.ok(it.question.startsWith(stem + "\n\nA. "), "the stem, then the choices once");
    assert.equal(it.question.split("\n\nA. ").length, 2);
  });
  const unshuffled = await loadDataset({ preset: "gpqa_diamond", choice_seed: null });
  unshuffled.items.forEach((it, i) => {
    assert.equal(it.answer, raw[i]!.final_answer);
    assert.equal(it.question, raw[i]!.prompt[0]!.value, "choice_seed null keeps the file's text");
  });
});

test("field mapping: dotted paths, numbers as answers, ids from a field", async () => {
  const file = tmpFile("nested.jsonl", jsonl([
    { prompt: [{ role: "user", value: "What is 2+2?" }], meta: { gt: 4, key: "a" } },
    { prompt: [{ role: "user", value: "What is 3+3?" }], meta: { gt: "6", key: "b" } },
  ]));
  const d = await loadDataset({ path: file, question_field: "prompt.0.value", answer_field: "meta.gt", id_field: "meta.key" });
  assert.deepEqual(d.items, [{ id: "a", question: "What is 2+2?", answer: "4" }, { id: "b", question: "What is 3+3?", answer: "6" }]);
  assert.equal(d.name, "nested");
});

test("the Open-Reasoner-Zero format loads, by detection or by name", async () => {
  const rows = [
    [{ from: "human", value: "Q1" }, { from: "assistant", ground_truth: { value: "1" } }],
    [{ from: "human", value: "Q2" }, { from: "assistant", ground_truth: { value: "\\frac{1}{2}" } }],
  ];
  const file = tmpFile("orz.json", JSON.stringify(rows, null, 2));
  for (const format of ["auto", "orz"] as const) {
    const d = await loadDataset({ path: file, format });
    assert.deepEqual(d.items, [{ id: "0", question: "Q1", answer: "1" }, { id: "1", question: "Q2", answer: "\\frac{1}{2}" }]);
  }
});

test("a malformed row is an error naming the file and line, or skipped and counted", async () => {
  const file = tmpFile("bad.jsonl", [
    JSON.stringify({ question: "ok", answer: "1" }),
    "",
    "{not json",
    JSON.stringify({ problem: "wrong field", answer: "2" }),
    JSON.stringify({ question: "no answer" }),
    JSON.stringify({ question: "ok too", answer: 3 }),
  ].join("\n"));
  await assert.rejects(loadDataset({ path: file }), (e: Error) => e instanceof UserInputError && /bad\.jsonl:3: not valid JSON/.test(e.message));
  const d = await loadDataset({ path: file, on_malformed: "skip" });
  assert.equal(d.skipped, 3);
  assert.match(d.skippedRows[1]!, /bad\.jsonl:4: question field "question" is missing \(keys: problem, answer\)/);
  assert.match(d.skippedRows[2]!, /bad\.jsonl:5: answer field "answer" is missing/);
  assert.deepEqual(d.items.map((i) => [i.id, i.answer]), [["0", "1"], ["4", "3"]], "ids stay the row numbers");

  const orz = tmpFile("orz-bad.json", JSON.stringify([
    [{ from: "human", value: "Q1" }, { from: "assistant", ground_truth: { value: "1" } }],
    [{ from: "human", value: "Q2" }, { from: "assistant" }],
  ], null, 2));
  await assert.rejects(loadDataset({ path: orz }), /orz-bad\.json:14: answer field "1\.ground_truth\.value" is missing/);

  const dupIds = tmpFile("ids.jsonl", jsonl([{ id: 7, question: "a", answer: "1" }, { id: 7, question: "b", answer: "2" }]));
  await assert.rejects(loadDataset({ path: dupIds }), /ids\.jsonl:2: id "7" is used again \(first at .*ids\.jsonl:1\)/);
  await assert.rejects(loadDataset({ path: path.join(os.tmpdir(), "none.jsonl") }), /none\.jsonl: file not found/);
  await assert.rejects(loadDataset({ path: tmpFile("list.json", "{\"a\": 1}") }), /list\.json: expected a JSON list of rows, got object with keys a/);
  await assert.rejects(loadDataset({ path: tmpFile("x.txt", "") }), /cannot tell the format/);
});

test("duplicate questions are reported, exact and normalised", async () => {
  const file = tmpFile("dups.jsonl", jsonl([
    { question: "Find $x$ if $x+1=2$.", answer: "1" },
    { question: "Find $x$ if $x+1=2$.", answer: "1" },
    { question: "find x if  x+1=2.", answer: "1" },
    { question: "Something else.", answer: "2" },
  ]));
  const d = await loadDataset({ path: file });
  assert.equal(d.items.length, 4, "reported, not removed");
  assert.deepEqual(d.duplicates, [{ id: "1", duplicateOf: "0", exact: true }, { id: "2", duplicateOf: "0", exact: false }]);
});

test("Parquet loads through hyparquet, with nested columns", { skip }, async () => {
  const d = await loadDataset({ path: path.join(dataDir, "train/math_level3to5_train.parquet"), question_field: "prompt.0.content", answer_field: "reward_model.ground_truth", id_field: "extra_info.index", on_malformed: "skip" });
  assert.equal(d.items.length, 8521);
  assert.equal(d.items[0]!.answer, "118");
  assert.equal(d.items[0]!.id, "0");
  assert.match(d.items[0]!.question, /^<\|im_start\|>system/);
});

test("the dataset spec is strict and names bad keys", async () => {
  await assert.rejects(loadDataset({ preset: "math500", questoin_field: "x" } as never), /data: .*unrecognized.*questoin_field/i);
  await assert.rejects(loadDataset({} as never), /data: give a preset or a path/);
  await assert.rejects(loadDataset({ preset: "nope" } as never), /data\.preset/);
  for (const [key, field] of Object.entries(DatasetSpecSchema.shape)) assert.ok(field.description, `${key} has a description`);
});
