import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, closeSync, mkdtempSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { SampleIndex } from "../../src/dashboard/samples.ts";

const line = (o: object): string => JSON.stringify(o) + "\n";
const sample = (step: number, key: number, i: number, extra: object = {}) => ({ step, prompt_key: key, sample: i, response: `r${step}-${key}-${i}`, ...extra });

function withFile(body: (file: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "rlzero-samples-"));
  return body(path.join(dir, "samples.jsonl")).finally(() => rmSync(dir, { recursive: true, force: true }));
}

test("SampleIndex returns one step's samples, or one prompt's across steps", () =>
  withFile(async (file) => {
    const rows = [sample(1, 7, 0), sample(1, 7, 1), sample(1, 9, 0), sample(2, 9, 0), sample(2, 7, 0), sample(3, 7, 0)];
    writeFileSync(file, rows.map(line).join(""));
    const index = new SampleIndex(file);
    await index.refresh();
    assert.deepEqual(index.steps(), [{ step: 1, count: 3 }, { step: 2, count: 2 }, { step: 3, count: 1 }]);
    assert.deepEqual(await index.forStep(2), rows.filter((r) => r.step === 2));
    assert.deepEqual(await index.forPrompt("7"), rows.filter((r) => r.prompt_key === 7));
    assert.deepEqual(await index.forStep(4), []);
    assert.deepEqual(await index.forPrompt("8"), []);
  }));

test("SampleIndex reads a step's lines from the file when asked, and only those", () =>
  withFile(async (file) => {
    const rows = [sample(1, 1, 0), sample(1, 2, 0), sample(2, 1, 0), sample(2, 2, 0)];
    writeFileSync(file, rows.map(line).join(""));
    const index = new SampleIndex(file);
    await index.refresh();
    // Overwrite step 1's bytes in place (same file, same size): step 2 does not read them,
    // and step 1 is read anew from the file, not from a copy kept in memory.
    const step1Bytes = Buffer.byteLength(line(rows[0]) + line(rows[1]));
    const fd = openSync(file, "r+");
    writeSync(fd, Buffer.from("x".repeat(step1Bytes - 1) + "\n"), 0, step1Bytes, 0);
    closeSync(fd);
    await index.refresh();
    assert.deepEqual(await index.forStep(2), rows.slice(2));
    assert.deepEqual(await index.forStep(1), []);
  }));

test("SampleIndex leaves a partial last line out, and takes it and later lines as the file grows", () =>
  withFile(async (file) => {
    const whole = line(sample(1, 1, 0)) + line(sample(2, 1, 0));
    const next = line(sample(2, 1, 1));
    writeFileSync(file, whole + next.slice(0, 20));
    const index = new SampleIndex(file);
    await index.refresh();
    assert.deepEqual(index.steps(), [{ step: 1, count: 1 }, { step: 2, count: 1 }]);
    appendFileSync(file, next.slice(20) + line(sample(3, 1, 0)));
    await index.refresh();
    assert.deepEqual(index.steps(), [{ step: 1, count: 1 }, { step: 2, count: 2 }, { step: 3, count: 1 }]);
    assert.deepEqual(await index.forStep(2), [sample(2, 1, 0), sample(2, 1, 1)]);
    assert.deepEqual(await index.forPrompt("1"), [sample(1, 1, 0), sample(2, 1, 0), sample(2, 1, 1), sample(3, 1, 0)]);
  }));

test("SampleIndex indexes a rewritten file anew, and lines longer than its read chunk", () =>
  withFile(async (file) => {
    const long = sample(1, 5, 0, { response: "y".repeat(3 << 20) });
    writeFileSync(file, line(long) + line(sample(2, 5, 0)));
    const index = new SampleIndex(file);
    await Promise.all([index.refresh(), index.refresh()]);
    assert.deepEqual(index.steps(), [{ step: 1, count: 1 }, { step: 2, count: 1 }], "one scan for concurrent callers");
    assert.equal(((await index.forStep(1))[0].response as string).length, 3 << 20);

    writeFileSync(file + ".tmp", line(sample(1, 6, 0)));
    renameSync(file + ".tmp", file);
    await index.refresh();
    assert.deepEqual(index.steps(), [{ step: 1, count: 1 }]);
    assert.deepEqual(await index.forPrompt("6"), [sample(1, 6, 0)]);
    assert.deepEqual(await index.forPrompt("5"), []);
  }));
