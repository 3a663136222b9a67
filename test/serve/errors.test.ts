/**
 * Bad requests get OpenAI-shaped errors naming the field (400), unknown routes 404, wrong methods
 * 405, oversized bodies 413; unknown fields are tolerated; a client that disconnects, before or
 * after its request is queued or while sending, leaves the server serving.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import OpenAI from "openai";
import type { InferenceServer } from "../../src/serve/server.ts";
import { client, metrics, post, skip, startServer, tinyModelDir, tmpRoot } from "./helpers.ts";

let dir: string;
let server: InferenceServer;

before(async () => {
  if (skip) return;
  dir = tinyModelDir(8);
  server = await startServer(dir, { maxBodyBytes: 4096 });
});
after(async () => {
  await server?.close();
  fs.rmSync(tmpRoot, { recursive: true, force: true });
});

const prompt = "Hi";

test("bad completion and chat requests are 400s naming the field", { skip }, async () => {
  const chat = [{ role: "user", content: "Hi" }];
  const cases: [string, Record<string, unknown>, string][] = [
    ["/v1/completions", {}, "prompt"],
    ["/v1/completions", { prompt: 5 }, "prompt"],
    ["/v1/completions", { prompt: [] }, "prompt"],
    ["/v1/completions", { prompt: [[1, 2], "text"] }, "prompt"],
    ["/v1/completions", { prompt: [1, 99999] }, "prompt"],
    ["/v1/completions", { prompt: [[1, 2], [3, 99999]] }, "prompt[1]"],
    ["/v1/completions", { prompt: "" }, "prompt"],
    ["/v1/completions", { prompt, temperature: "hot" }, "temperature"],
    ["/v1/completions", { prompt, temperature: -0.5 }, "temperature"],
    ["/v1/completions", { prompt, top_p: 0 }, "top_p"],
    ["/v1/completions", { prompt, top_p: 1.5 }, "top_p"],
    ["/v1/completions", { prompt, top_k: -2 }, "top_k"],
    ["/v1/completions", { prompt, max_tokens: 0 }, "max_tokens"],
    ["/v1/completions", { prompt, max_tokens: "8" }, "max_tokens"],
    ["/v1/completions", { prompt, max_tokens: 500 }, "max_tokens"],
    ["/v1/completions", { prompt, n: 0 }, "n"],
    ["/v1/completions", { prompt, n: 1.5 }, "n"],
    ["/v1/completions", { prompt, seed: 0.5 }, "seed"],
    ["/v1/completions", { prompt, stop: [""] }, "stop[0]"],
    ["/v1/completions", { prompt, stop: 3 }, "stop"],
    ["/v1/completions", { prompt, stop_token_ids: [99999] }, "stop_token_ids"],
    ["/v1/completions", { prompt, logprobs: 21 }, "logprobs"],
    ["/v1/completions", { prompt, logprobs: true }, "logprobs"],
    ["/v1/completions", { prompt, echo: true }, "echo"],
    ["/v1/completions", { prompt, stream: true }, "stream"],
    ["/v1/completions", { prompt, presence_penalty: 0.5 }, "presence_penalty"],
    ["/v1/completions", { prompt, best_of: 3 }, "best_of"],
    ["/v1/completions", { prompt, skip_special_tokens: "yes" }, "skip_special_tokens"],
    ["/v1/chat/completions", {}, "messages"],
    ["/v1/chat/completions", { messages: [] }, "messages"],
    ["/v1/chat/completions", { messages: [{ content: "Hi" }] }, "messages[0].role"],
    ["/v1/chat/completions", { messages: [{ role: "user", content: 5 }] }, "messages[0].content"],
    ["/v1/chat/completions", { messages: [{ role: "user", content: [{ type: "image_url", image_url: {} }] }] }, "messages[0].content"],
    ["/v1/chat/completions", { messages: chat, top_logprobs: 2 }, "top_logprobs"],
    ["/v1/chat/completions", { messages: chat, logprobs: 1 }, "logprobs"],
    ["/v1/chat/completions", { messages: chat, max_completion_tokens: -1 }, "max_completion_tokens"],
    ["/v1/chat/completions", { messages: chat, tools: [{ type: "function" }] }, "tools"],
  ];
  for (const [route, body, param] of cases) {
    const r = await post(server, route, body);
    const what = `${route} ${JSON.stringify(body)}`;
    assert.equal(r.status, 400, what);
    assert.equal(r.json.error.type, "invalid_request_error", what);
    assert.equal(r.json.error.param, param, `${what}: ${r.json.error.message}`);
    assert.ok(r.json.error.message.startsWith(param), `${what}: the message names the field: ${r.json.error.message}`);
  }
});

test("the openai client reads our errors; an unknown model is a 404; unknown fields are tolerated", { skip }, async () => {
  const openai = client(server);
  await assert.rejects(openai.completions.create({ model: server.servedName, prompt, temperature: -1 }),
    (e: unknown) => e instanceof OpenAI.BadRequestError && e.param === "temperature" && /temperature/.test(e.message));
  await assert.rejects(openai.completions.create({ model: "gpt-4", prompt }),
    (e: unknown) => e instanceof OpenAI.NotFoundError && e.param === "model" && e.code === "model_not_found");
  const ok = await post(server, "/v1/completions", { prompt, max_tokens: 2, frequency_penalty: 0, some_future_field: { x: 1 } });
  assert.equal(ok.status, 200);
  assert.equal(ok.json.choices[0].token_ids.length, 2);
});

test("not JSON, not an object, unknown routes, wrong methods, oversized bodies", { skip }, async () => {
  const notJson = await post(server, "/v1/completions", "{prompt:");
  assert.equal(notJson.status, 400);
  assert.match(notJson.json.error.message, /not valid JSON/);
  const list = await post(server, "/v1/completions", [1, 2]);
  assert.equal(list.status, 400);
  assert.match(list.json.error.message, /JSON object/);

  const missing = await fetch(`${server.url}/v1/engines`);
  assert.equal(missing.status, 404);
  assert.equal(((await missing.json()) as { error: { type: string } }).error.type, "not_found_error");
  const wrongMethod = await fetch(`${server.url}/v1/completions`);
  assert.equal(wrongMethod.status, 405);
  assert.equal(wrongMethod.headers.get("allow"), "POST");
  assert.match(((await wrongMethod.json()) as { error: { message: string } }).error.message, /GET is not allowed/);
  assert.equal((await post(server, "/health", {})).status, 405);

  const large = await post(server, "/v1/completions", { prompt: "x".repeat(5000) });
  assert.equal(large.status, 413);
  assert.equal(large.json.error.code, "request_too_large");
  assert.equal((await fetch(`${server.url}/health`)).status, 200);
});

/** POSTs `body` to /v1/completions and returns the request, for disconnecting at will; it is sent whole unless `declaredLength` says more. */
function rawRequest(target: InferenceServer, body: string, declaredLength = Buffer.byteLength(body)): http.ClientRequest {
  const url = new URL(`${target.url}/v1/completions`);
  const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: "POST",
    headers: { "Content-Type": "application/json", "Content-Length": declaredLength } });
  req.on("error", () => {}); // the socket is destroyed on purpose
  req.write(body);
  if (declaredLength === Buffer.byteLength(body)) req.end();
  return req;
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`timed out waiting until ${what}`);
}

test("a client that disconnects while queued is dropped before its batch starts", { skip }, async () => {
  const patient = await startServer(dir, { batchWindowMs: 60_000 });
  try {
    const queued = rawRequest(patient, JSON.stringify({ prompt, max_tokens: 4 }));
    await until("the request is queued", async () => (await metrics(patient)).queued_requests === 1);
    queued.destroy();
    await until("the request is dropped", async () => (await metrics(patient)).queued_requests === 0);
    assert.equal((await metrics(patient)).batches_total, 0, "nothing was generated for it");
    assert.equal((await fetch(`${patient.url}/health`)).status, 200);
  } finally {
    await patient.close();
  }
});

test("clients that disconnect while generating, once answered or while sending leave the server serving", { skip }, async () => {
  const generating = rawRequest(server, JSON.stringify({ prompt, max_tokens: 100 }));
  let answered = false;
  generating.on("response", () => (answered = true));
  await until("the request is queued or answered", async () => answered || (await metrics(server)).queued_requests === 1);
  generating.destroy();
  rawRequest(server, JSON.stringify({ prompt, max_tokens: 100 })).on("response", (res) => res.destroy());
  rawRequest(server, '{"prompt": "Hi", "max_tok', 1000).destroy();

  const r = await client(server).completions.create({ model: server.servedName, prompt, max_tokens: 3 });
  assert.equal(r.choices.length, 1);
  assert.equal((await fetch(`${server.url}/health`)).status, 200);
});
