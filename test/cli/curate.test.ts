/**
 * `rlzero curate` on a fake server whose pass rates are known: item i is answered correctly
 * in exactly c_i of its k requests, so the histogram and the kept set are known. Unusable
 * references and duplicates are dropped before any sampling.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadDataset } from "../../src/data/load.ts";
import { promptText, startFakeServer, type FakeServer } from "../eval/fake-server.ts";
import { rlzeroAsync as rlzero } from "./spawn-cli.ts";

let srv: FakeServer | undefined;
after(async () => srv?.close());

test("curate keeps the prompts whose pass rate is in the band, after dropping unusable references and duplicates", async () => {
  const k = 4;
  const correctOf = [0, 1, 2, 3, 4]; // item i: c_i of k correct
  const rows = [
    ...correctOf.map((c, i) => ({ id: `p${i}`, question: `Problem ${i}: solve for x. [c=${c}]`, answer: String(10 + i) })),
    { id: "broken", question: "Problem with a broken reference.", answer: "\\frac{1" },
    { id: "dup-loose", question: "problem 2:  SOLVE for x. [c=2]", answer: "12" },
    { id: "dup-exact", question: "Problem 3: solve for x. [c=3]", answer: "13" },
  ];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rlzero-curate-"));
  const data = path.join(dir, "pool.jsonl");
  fs.writeFileSync(data, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");

  const served = new Map<number, number>();
  srv = await startFakeServer((req) => {
    const i = Number(/Problem (\d):/.exec(promptText(req))![1]);
    const n = served.get(i) ?? 0;
    served.set(i, n + 1);
    const answer = n < correctOf[i]! ? 10 + i : 99;
    return { text: `<think> ok </think> <answer> \\boxed{${answer}} </answer>` };
  });
  const run = (out: string, ...extra: string[]) =>
    rlzero(["curate", "--data", data, "--endpoint", srv!.url, "--model-name", "fake", "--k", String(k), "--out", path.join(dir, out), ...extra]);

  const r = await run("default");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /kept 3 of 8 items/);
  assert.equal(srv.requests.length, 5 * k, "only the 5 usable, distinct items are sampled");
  const report = JSON.parse(fs.readFileSync(path.join(dir, "default", "curate-report.json"), "utf8"));
  assert.deepEqual(report.histogram, { "0/4": 1, "1/4": 1, "2/4": 1, "3/4": 1, "4/4": 1 });
  assert.deepEqual(report.unparseable.map((u: { id: string }) => u.id), ["broken"]);
  assert.deepEqual(report.duplicates, [{ id: "dup-loose", duplicateOf: "p2", exact: false }, { id: "dup-exact", duplicateOf: "p3", exact: true }]);
  assert.deepEqual(report.band, { min: 0.25, max: 0.75 });
  assert.equal(report.avg_pass_rate, (0 + 1 + 2 + 3 + 4) / 20);
  const kept = await loadDataset({ path: path.join(dir, "default", "kept.jsonl") });
  assert.deepEqual(kept.items.map((i) => i.id), ["p1", "p2", "p3"], "kept.jsonl loads back as a data file");
  const keptRows = fs.readFileSync(path.join(dir, "default", "kept.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(keptRows.map((x) => x.pass_rate), [0.25, 0.5, 0.75]);

  served.clear();
  const hard = await run("hard", "--min-pass", "0", "--max-pass", "0.3");
  assert.equal(hard.status, 0, hard.stderr);
  assert.match(hard.stdout, /kept 2 of 8 items/, "the ORZ 'hard' cut: at most 1 of 4 correct");
});
