import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { readJsonlFrom, splitJsonl } from "../../src/dashboard/jsonl.ts";

const line = (o: object): string => JSON.stringify(o) + "\n";

test("splitJsonl stops before a partial last line and reports where to start again", () => {
  const whole = line({ step: 1 }) + line({ step: 2 });
  const bytes = Buffer.from(whole + '{"step": 3, "critic/sc');
  const split = splitJsonl(bytes, 100);
  assert.deepEqual(split.lines.map((l) => l.value), [{ step: 1 }, { step: 2 }]);
  assert.equal(split.next, 100 + Buffer.byteLength(whole), "the partial line is read again from its start");
  assert.equal(split.skipped, 0);
  assert.deepEqual(split.lines.map((l) => [l.start, l.end]), [[100, 110], [111, 121]]);
});

test("splitJsonl takes a last line without its newline when it is already a whole object", () => {
  const split = splitJsonl(Buffer.from('{"step":1}\n{"step":2}'), 0);
  assert.deepEqual(split.lines.map((l) => l.value), [{ step: 1 }, { step: 2 }]);
  assert.equal(split.next, 21);
  // The newline that follows later is an empty line.
  assert.deepEqual(splitJsonl(Buffer.from("\n" + line({ step: 3 })), 21).lines.map((l) => l.value), [{ step: 3 }]);
});

test("splitJsonl skips and counts whole lines that are not JSON objects", () => {
  const bytes = Buffer.from('{"step":1}\nnot json\n[1,2]\n\n  \n{"step":2}\n');
  const split = splitJsonl(bytes, 0);
  assert.deepEqual(split.lines.map((l) => l.value), [{ step: 1 }, { step: 2 }]);
  assert.equal(split.skipped, 2);
  assert.equal(split.next, bytes.length, "skipped lines are consumed, not read again");
});

test("splitJsonl counts bytes, not characters, so offsets stay right after non-ASCII text", () => {
  const first = line({ step: 1, prompt: "θ ≈ 3.14 🙂" });
  const split = splitJsonl(Buffer.from(first + '{"step":2,"prompt":"é'), 0);
  assert.equal(split.next, Buffer.byteLength(first));
  assert.equal(split.lines[0].value.prompt, "θ ≈ 3.14 🙂");
});

test("readJsonlFrom reads a growing file a piece at a time, and starts over when it is rewritten", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "rlzero-jsonl-"));
  const file = path.join(dir, "metrics.jsonl");
  try {
    const empty = await readJsonlFrom(file, 0);
    assert.deepEqual([empty.lines, empty.next, empty.reset], [[], 0, false], "a missing file reads as empty");

    writeFileSync(file, line({ step: 1 }) + '{"step":2,"a"');
    const first = await readJsonlFrom(file, 0);
    assert.deepEqual(first.lines.map((l) => l.value), [{ step: 1 }]);
    const again = await readJsonlFrom(file, first.next, first.identity);
    assert.deepEqual([again.lines, again.next, again.reset], [[], first.next, false], "the partial line is not taken");

    appendFileSync(file, ':0.5}\n' + line({ step: 3 }));
    const second = await readJsonlFrom(file, again.next, again.identity);
    assert.deepEqual(second.lines.map((l) => l.value), [{ step: 2, a: 0.5 }, { step: 3 }], "the completed line is read once it is whole");
    assert.equal(second.reset, false);

    // A resumed run rewrites the file (to a temporary name, then renamed): a new identity.
    writeFileSync(path.join(dir, "tmp"), line({ step: 1 }) + line({ step: 2 }) + line({ step: 3 }) + line({ step: 4 }));
    renameSync(path.join(dir, "tmp"), file);
    const rewritten = await readJsonlFrom(file, second.next, second.identity);
    assert.equal(rewritten.reset, true);
    assert.deepEqual(rewritten.lines.map((l) => l.value.step), [1, 2, 3, 4]);

    // Truncated in place to fewer bytes than the offset: read from 0 as well.
    writeFileSync(file, line({ step: 1 }));
    const shorter = await readJsonlFrom(file, rewritten.next, rewritten.identity);
    assert.equal(shorter.reset, true);
    assert.deepEqual(shorter.lines.map((l) => l.value.step), [1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
