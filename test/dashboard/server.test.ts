/** The dashboard's HTTP server, by plain HTTP requests (paths sent as written, not normalised). */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { startDashboard, type Dashboard } from "../../src/dashboard/server.ts";
import { readJsonl, scratchRuns, SECRET, type Scratch } from "./helpers.ts";

let scratch: Scratch;
let dashboard: Dashboard;
let port: number;

before(async () => {
  scratch = scratchRuns();
  dashboard = await startDashboard({ runsDir: scratch.runs, host: "127.0.0.1", port: 0 });
  port = Number(new URL(dashboard.url).port);
});
after(async () => {
  await dashboard.close();
  scratch.remove();
});

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(rawPath: string, opts: { method?: string; host?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: rawPath, method: opts.method ?? "GET", headers: opts.host ? { host: opts.host } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end();
  });
}

async function json(rawPath: string): Promise<any> {
  const r = await request(rawPath);
  assert.equal(r.status, 200, `${rawPath}: ${r.body}`);
  assert.match(r.headers["content-type"]!, /^application\/json/);
  return JSON.parse(r.body);
}

test("path traversal is refused, however it is encoded", async () => {
  const attempts = [
    "/files/../outside/secret.txt",
    "/files/%2e%2e/outside/secret.txt",
    "/files/%2E%2E%2Foutside%2Fsecret.txt",
    "/files/..%2foutside%2fsecret.txt",
    "/files/..%5coutside%5csecret.txt",
    "/files/ppo-critic/..%2f..%2foutside/secret.txt",
    "/files/ppo-critic/%2e%2e/%2e%2e/outside/secret.txt",
    "/files//etc/passwd",
    "/files/%2fetc%2fpasswd",
    `/files/${encodeURIComponent(path.join(scratch.outside, "secret.txt"))}`,
    "/files/ppo-critic%00/config.yaml",
    "/api/metrics?run=../outside",
    "/api/metrics?run=%2e%2e%2foutside",
    `/api/metrics?run=${encodeURIComponent(scratch.outside)}`,
    "/api/run?run=..",
    "/api/samples?run=ppo-critic/../../outside",
  ];
  for (const attempt of attempts) {
    const r = await request(attempt);
    assert.equal(r.status, 403, `${attempt} → ${r.status} ${r.body}`);
    assert.ok(!r.body.includes(SECRET), attempt);
  }
  for (const literal of ["/files/%252e%252e/outside/secret.txt", "/assets/../package.json", "/assets/%2e%2e%2fserver.ts"]) {
    assert.equal((await request(literal)).status, 404, `${literal} names nothing there`);
  }
  assert.equal((await request("/files/%E0%A4%A")).status, 400, "malformed encoding");
});

test("a symlink that points outside the runs directory is refused; one inside is followed", async () => {
  for (const attempt of ["/files/link-out/secret.txt", "/files/ppo-critic/secret-link.txt", "/api/metrics?run=link-out", "/api/samples?run=link-out"]) {
    const r = await request(attempt);
    assert.equal(r.status, 403, `${attempt} → ${r.status}`);
    assert.ok(!r.body.includes(SECRET), attempt);
  }
  const r = await request("/files/link-in/config.yaml");
  assert.equal(r.status, 200);
  assert.equal(r.body, readFileSync(path.join(scratch.runs, "grpo", "config.yaml"), "utf8"));
});

test("files inside are served as they are, as inert data; directories are not listed", async () => {
  const r = await request("/files/ppo-critic/config.yaml");
  assert.equal(r.status, 200);
  assert.equal(r.body, readFileSync(path.join(scratch.runs, "ppo-critic", "config.yaml"), "utf8"));
  assert.match(String(r.headers["content-security-policy"]), /^sandbox/);
  assert.equal(r.headers["x-content-type-options"], "nosniff");
  for (const dir of ["/files/", "/files/ppo-critic", "/files/ppo-critic/eval/"]) assert.equal((await request(dir)).status, 404, dir);
  const head = await request("/files/ppo-critic/config.yaml", { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.body, "");
  assert.equal(Number(head.headers["content-length"]), r.body.length);
});

test("only GET and HEAD: nothing can be written", async () => {
  for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
    const r = await request("/files/ppo-critic/new.txt", { method });
    assert.equal(r.status, 405, method);
    assert.equal(r.headers.allow, "GET, HEAD");
  }
  assert.ok(!existsSync(path.join(scratch.runs, "ppo-critic", "new.txt")));
});

test("a Host header that is not a loopback name is refused (DNS rebinding)", async () => {
  assert.equal((await request("/api/runs", { host: "evil.example:80" })).status, 403);
  assert.equal((await request("/api/runs", { host: `localhost:${port}` })).status, 200);
});

test("the page and its assets, uPlot included, are served with a same-origin content policy", async () => {
  const page = await request("/");
  assert.equal(page.status, 200);
  assert.match(page.headers["content-type"]!, /^text\/html/);
  assert.match(String(page.headers["content-security-policy"]), /default-src 'self'/);
  assert.match(page.body, /<script type="module" src="\/assets\/app.js">/);
  const uplot = await request("/assets/uPlot.esm.js");
  assert.equal(uplot.status, 200);
  assert.match(uplot.headers["content-type"]!, /^text\/javascript/);
  assert.match(uplot.body, /export \{ uPlot as default \}|export default uPlot/);
  assert.equal((await request("/assets/uPlot.min.css")).status, 200);
});

test("/api/metrics reads from a byte offset to the last whole line", async () => {
  const file = path.join(scratch.runs, "live", "metrics.jsonl");
  const first = await json("/api/metrics?run=live&offset=0");
  assert.deepEqual(first.records, readJsonl(file));
  assert.equal(first.records.length, 6);
  assert.equal(first.offset, readFileSync(file, "utf8").lastIndexOf("\n") + 1, "stops before the partial line");
  const again = await json(`/api/metrics?run=live&offset=${first.offset}&identity=${first.identity}`);
  assert.deepEqual([again.records, again.offset, again.reset], [[], first.offset, false]);
  const missing = await json("/api/metrics?run=compare");
  assert.deepEqual(missing.records, [], "a directory without metrics.jsonl has none yet");
  assert.equal((await request("/api/metrics?run=live&offset=-3")).status, 400);
  assert.equal((await request("/api/metrics")).status, 400);
  assert.equal((await request("/api/metrics?run=absent")).status, 404);
});

test("/api/samples returns one step's samples (the last by default) or one prompt's", async () => {
  const all = readJsonl(path.join(scratch.runs, "ppo-critic", "samples.jsonl"));
  const last = await json("/api/samples?run=ppo-critic");
  assert.equal(last.step, 12);
  assert.deepEqual(last.samples, all.filter((s) => s.step === 12));
  assert.deepEqual(last.steps.map((s: { step: number }) => s.step), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  assert.deepEqual((await json("/api/samples?run=ppo-critic&step=3")).samples, all.filter((s) => s.step === 3));
  assert.deepEqual((await json("/api/samples?run=ppo-critic&prompt_key=256")).samples, all.filter((s) => s.prompt_key === 256));
  const live = await json("/api/samples?run=live");
  assert.equal(live.steps.length, 6, "the partial line of step 7 is not indexed");
});

test("/api/runs and /api/run describe the runs", async () => {
  const { root, runs } = await json("/api/runs");
  assert.equal(root, dashboard.root);
  assert.ok(runs.some((r: { id: string }) => r.id === "compare/runs/ppo-seed0"));
  const d = await json("/api/run?run=ppo-critic");
  assert.deepEqual(d.evals.map((e: { step: number }) => e.step), [5, 10]);
});
