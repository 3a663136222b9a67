/** `rlzero dashboard` as a user runs it: what it prints, and its errors. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { realpathSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { FIXTURE_RUNS } from "./helpers.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const cli = path.join(root, "test/helpers/cli.ts");

function rlzero(...args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", cli, ...args], { encoding: "utf8", cwd: root });
}

test("rlzero dashboard prints the directory it serves and the URL, and serves it there", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", cli, "dashboard", FIXTURE_RUNS, "--port", "0"], { cwd: root });
  try {
    let out = "";
    child.stderr.on("data", (c) => (out += c));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (c) => {
        out += c;
        const m = /^open (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(out);
        if (m) resolve(m[1]);
      });
      child.on("exit", () => reject(new Error(`exited: ${out}`)));
    });
    assert.deepEqual(out.trim().split("\n"), [`rlzero dashboard: serving ${realpathSync(FIXTURE_RUNS)}`, `open ${url}`]);
    const res = await fetch(`${url}api/runs`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { runs: unknown[] }).runs.length, 7);
  } finally {
    child.kill();
  }
});

test("rlzero dashboard names a bad directory or a busy port in one line", async () => {
  const missing = rlzero("dashboard", "no/such/dir");
  assert.equal(missing.status, 1);
  assert.equal(missing.stderr.trim(), "rlzero: no/such/dir: file not found");
  const file = rlzero("dashboard", path.join(FIXTURE_RUNS, "make.ts"));
  assert.equal(file.status, 1);
  assert.match(file.stderr, /make\.ts: not a directory/);

  const busy = http.createServer();
  await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = busy.address() as AddressInfo;
    const r = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", cli, "dashboard", FIXTURE_RUNS, "--port", String(port)], { cwd: root });
      let stderr = "";
      child.stderr.on("data", (c) => (stderr += c));
      child.on("exit", (status) => resolve({ status, stderr }));
    });
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim(), `rlzero: port ${port} on 127.0.0.1 is in use; choose another with --port`);
  } finally {
    busy.close();
  }
});
