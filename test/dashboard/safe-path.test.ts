import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { decodeUrlPath, isInside, relativeSegments, resolveInside } from "../../src/dashboard/safe-path.ts";

test("relativeSegments refuses absolute paths, NUL and any '..' segment", () => {
  assert.deepEqual(relativeSegments("a/b/c.json"), ["a", "b", "c.json"]);
  assert.deepEqual(relativeSegments("./a//b/"), ["a", "b"]);
  assert.deepEqual(relativeSegments(""), []);
  assert.deepEqual(relativeSegments("a..b/..c"), ["a..b", "..c"], "dots inside a name are fine");
  for (const bad of ["..", "../x", "a/../b", "a/..", "..\\x", "a\\..\\b", "/etc/passwd", "\\etc", "C:\\Windows", "C:/x", "a\0b"]) {
    assert.equal(relativeSegments(bad), null, JSON.stringify(bad));
  }
});

test("decodeUrlPath decodes before the check, so encoded traversal is seen as traversal", () => {
  for (const raw of ["%2e%2e/x", "%2E%2E%2Fx", "..%2fx", "a/%2e%2e/%2e%2e/x", "%2e%2e%5cx", "%2fetc%2fpasswd"]) {
    const decoded = decodeUrlPath(raw);
    assert.notEqual(decoded, null, raw);
    assert.equal(relativeSegments(decoded!), null, raw);
  }
  assert.equal(decodeUrlPath("%E0%A4%A"), null, "malformed percent-encoding");
  assert.equal(decodeUrlPath("a%20b/c.json"), "a b/c.json");
  assert.equal(decodeUrlPath("%252e%252e"), "%2e%2e", "decoded once: a name, not a climb");
});

test("isInside compares whole path segments", () => {
  assert.ok(isInside("/r/runs", "/r/runs"));
  assert.ok(isInside("/r/runs", "/r/runs/a"));
  assert.ok(!isInside("/r/runs", "/r/runs-other/a"), "a sibling sharing the prefix is outside");
  assert.ok(!isInside("/r/runs", "/r"));
  assert.ok(isInside("/", "/etc"));
});

test("resolveInside follows symlinks and refuses those that lead outside", async () => {
  const base = realpathSync(mkdtempSync(path.join(os.tmpdir(), "rlzero-safe-path-")));
  try {
    const root = path.join(base, "runs");
    mkdirSync(path.join(root, "run"), { recursive: true });
    mkdirSync(path.join(base, "outside"));
    writeFileSync(path.join(root, "run", "metrics.jsonl"), "{}\n");
    writeFileSync(path.join(base, "outside", "secret.txt"), "secret");
    symlinkSync(path.join(base, "outside"), path.join(root, "out-dir"));
    symlinkSync(path.join(base, "outside", "secret.txt"), path.join(root, "run", "out-file"));
    symlinkSync(path.join(root, "run"), path.join(root, "in-link"));
    symlinkSync("../../outside/secret.txt", path.join(root, "run", "relative-out"));

    assert.deepEqual(await resolveInside(root, "run/metrics.jsonl"), { ok: true, path: path.join(root, "run", "metrics.jsonl") });
    assert.deepEqual(await resolveInside(root, "."), { ok: true, path: root });
    assert.deepEqual(await resolveInside(root, "in-link/metrics.jsonl"), { ok: true, path: path.join(root, "run", "metrics.jsonl") });
    for (const escape of ["out-dir", "out-dir/secret.txt", "run/out-file", "run/relative-out"]) {
      assert.deepEqual(await resolveInside(root, escape), { ok: false, reason: "forbidden" }, escape);
    }
    for (const climb of ["../outside/secret.txt", "run/../../outside/secret.txt", path.join(base, "outside", "secret.txt")]) {
      assert.deepEqual(await resolveInside(root, climb), { ok: false, reason: "forbidden" }, climb);
    }
    assert.deepEqual(await resolveInside(root, "run/absent.json"), { ok: false, reason: "missing" });
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
