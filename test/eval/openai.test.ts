/**
 * OpenAIEngine against a fake OpenAI-compatible server: keyed seeds, what a request carries,
 * token ids and log-probs read back, retries with backoff on timeouts, errors and garbage,
 * no retry on a client error, the concurrency limit and the load spread over endpoints.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { OpenAIEngine, RolloutRequestError } from "../../src/rollout/openai.ts";
import type { SamplingSettings } from "../../src/rollout/engine.ts";
import { Rng } from "../../src/util/rng.ts";
import { promptText, startFakeServer, type FakeServer } from "./fake-server.ts";

const sampling: SamplingSettings = { maxNewTokens: 32, temperature: 0.7, topP: 0.9, topK: 0, stop: ["</answer>", "User:"] };
const servers: FakeServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

async function server(...args: Parameters<typeof startFakeServer>): Promise<FakeServer> {
  const s = await startFakeServer(...args);
  servers.push(s);
  return s;
}

const engine = (urls: string[], extra: Partial<ConstructorParameters<typeof OpenAIEngine>[0]> = {}) =>
  new OpenAIEngine({ endpoints: urls, model: "m", backoffMs: 5, timeoutMs: 2000, ...extra });

test("one request per sample, seeded from the keyed stream; ids, log-probs and the stop string read back", async () => {
  const srv = await server(() => ({ text: "<answer> 4 ", stopReason: "</answer>" }));
  const e = engine([srv.url + "/v1/"], { weightVersion: () => 7 });
  const out = await e.generate([{ text: "two plus two", key: 3 }, { text: "ids", ids: [5, 6, 7], key: 9 }], 2, sampling, [42, 1]);
  assert.equal(out.length, 2);
  assert.equal(srv.requests.length, 4);
  const seeds = srv.requests.map((r) => r.seed).sort();
  const want = [[3, 0], [3, 1], [9, 0], [9, 1]].map(([k, j]) => Rng.derive(42, 1, k!, j!).nextUint32()).sort();
  assert.deepEqual(seeds, want);
  const r = srv.requests.find((q) => promptText(q) === "two plus two")!;
  assert.equal(r.model, "m");
  assert.equal(r.max_tokens, 32);
  assert.equal(r.temperature, 0.7);
  assert.equal(r.top_p, 0.9);
  assert.equal(r.top_k, undefined, "top_k 0 is not sent");
  assert.deepEqual(r.stop, ["</answer>", "User:"]);
  assert.equal(r.logprobs, 0, "the sampled token's log-prob, no alternatives");
  assert.equal(r.return_token_ids, true);
  assert.equal(r.return_tokens_as_token_ids, true);
  assert.deepEqual(srv.requests.find((q) => Array.isArray(q.prompt))!.prompt, [5, 6, 7], "token ids go as the prompt");
  for (const s of out.flat()) {
    assert.equal(s.text, "<answer> 4 </answer>", "the stop string the server cut is put back");
    assert.deepEqual(s.tokenIds, [100, 101], "the fake server's tokens are words");
    assert.deepEqual(s.logprobs, [-0.5, -0.5]);
    assert.equal(s.finishReason, "stop");
    assert.equal(s.weightVersion, 7);
  }
  await e.close();
});

test("text-only servers give tokenIds null", async () => {
  const srv = await server(() => ({ raw: JSON.stringify({ choices: [{ index: 0, text: "hi", finish_reason: "length", logprobs: null }] }) }));
  const [[s]] = await engine([srv.url]).generate([{ text: "x", key: 0 }], 1, sampling, [0]);
  assert.deepEqual(s, { text: "hi", tokenIds: null, logprobs: null, finishReason: "length", weightVersion: 0 });
});

test("timeouts, 5xx and garbage are retried with backoff; other client errors are not", async () => {
  const srv = await server((req, attempt) => {
    const p = promptText(req);
    const ok = { text: "fine" };
    if (p === "slow" && attempt === 0) return { ...ok, delayMs: 1500 };
    if (p === "500" && attempt < 2) return { status: 500 };
    if (p === "429" && attempt === 0) return { status: 429 };
    if (p === "bad json" && attempt === 0) return { raw: "{ this is not json" };
    if (p === "not a completion" && attempt === 0) return { raw: JSON.stringify({ object: "error" }) };
    if (p === "bad finish" && attempt === 0) return { raw: JSON.stringify({ choices: [{ text: "x", finish_reason: null }] }) };
    if (p === "html" && attempt === 0) return { raw: "<html>proxy error</html>", contentType: "text/html" };
    if (p === "400") return { status: 400 };
    if (p === "down") return { status: 503 };
    return ok;
  });
  const e = engine([srv.url], { timeoutMs: 300, retries: 3 });
  const texts = ["slow", "500", "429", "bad json", "not a completion", "bad finish", "html"];
  const out = await e.generate(texts.map((text, key) => ({ text, key })), 1, sampling, [0]);
  assert.deepEqual(out.map((o) => o[0]!.text), texts.map(() => "fine"));
  const count = (p: string) => srv.requests.filter((r) => promptText(r) === p).length;
  assert.deepEqual(texts.map(count), [2, 3, 2, 2, 2, 2, 2]);

  await assert.rejects(e.generate([{ text: "400", key: 0 }], 1, sampling, [0]), (err: Error) => err instanceof RolloutRequestError && /HTTP 400 .*\(1 attempt\)/.test(err.message));
  assert.equal(count("400"), 1, "a client error is not retried");
  await assert.rejects(e.generate([{ text: "down", key: 0 }], 1, sampling, [0]), /HTTP 503 .*\(4 attempts\)/);
  assert.equal(count("down"), 4);
  await assert.rejects(e.generate([{ text: "down", key: 0 }, { text: "fine", key: 1 }], 1, sampling, [0]), /1 of 2 requests failed; first: .*HTTP 503/);
});

test("each endpoint takes at most `concurrency` requests; the load is spread", async () => {
  const a = await server(() => ({ text: "a", delayMs: 40 }));
  const b = await server(() => ({ text: "b", delayMs: 40 }));
  const e = engine([a.url, b.url], { concurrency: 2 });
  const out = await e.generate(Array.from({ length: 12 }, (_, key) => ({ text: `p${key}`, key })), 1, sampling, [0]);
  assert.equal(out.flat().length, 12);
  assert.ok(a.maxInFlight <= 2 && b.maxInFlight <= 2, `in flight: ${a.maxInFlight}, ${b.maxInFlight}`);
  assert.equal(a.maxInFlight, 2);
  assert.equal(a.requests.length, 6);
  assert.equal(b.requests.length, 6);
});

test("a failed request is retried on another endpoint", async () => {
  const down = await server(() => ({ status: 502 }));
  const up = await server(() => ({ text: "ok" }));
  const e = engine([down.url, up.url], { concurrency: 1 });
  const out = await e.generate(Array.from({ length: 4 }, (_, key) => ({ text: `p${key}`, key })), 1, sampling, [0]);
  assert.deepEqual(out.map((o) => o[0]!.text), ["ok", "ok", "ok", "ok"]);
  assert.ok(down.requests.length <= 4, `the failing endpoint got ${down.requests.length} requests`);
});

test("close aborts requests in flight", async () => {
  const srv = await server(() => ({ text: "late", delayMs: 5000 }));
  const e = engine([srv.url], { timeoutMs: 10_000 });
  const t0 = Date.now();
  const pending = e.generate([{ text: "x", key: 0 }], 1, sampling, [0]);
  setTimeout(() => void e.close(), 50);
  await assert.rejects(pending, /the engine was closed/);
  assert.ok(Date.now() - t0 < 2000);
});
