/**
 * Concurrent requests are generated together (counted by /metrics), a request's samples are the
 * same alone or batched with others, a request larger than --max-batch is split without changing
 * its samples, and /health is answered between batches.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import type OpenAI from "openai";
import type { InferenceServer } from "../../src/serve/server.ts";
import { client, metrics, skip, startServer, tinyModelDir, tmpRoot } from "./helpers.ts";

type Choice = OpenAI.CompletionChoice & { token_ids: number[] };

let dir: string;
const servers: InferenceServer[] = [];

before(() => {
  if (!skip) dir = tinyModelDir(2);
});
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  fs.rmSync(tmpRoot, { recursive: true, force: true });
});

async function serve(opts: { maxBatch: number; batchWindowMs: number }): Promise<InferenceServer> {
  const s = await startServer(dir, opts);
  servers.push(s);
  return s;
}

async function tokens(server: InferenceServer, params: Record<string, unknown>): Promise<number[][]> {
  const r = await client(server).completions.create({ model: server.servedName, max_tokens: 10, temperature: 1, ...params } as
    OpenAI.CompletionCreateParamsNonStreaming);
  return (r.choices as Choice[]).map((c) => c.token_ids);
}

/** Counter increments over `during`. */
async function delta(server: InferenceServer, during: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = await metrics(server);
  await during();
  const afterwards = await metrics(server);
  return Object.fromEntries(Object.entries(afterwards).map(([k, v]) => [k, v - before[k]]));
}

const requests = [
  { prompt: "alpha beta", seed: 5 },
  { prompt: "gamma", seed: 6 },
  { prompt: "delta epsilon zeta", seed: 7 },
  { prompt: "eta", seed: 5, n: 1 },
];

test("concurrent requests run as one batched call, with the same samples as alone", { skip }, async () => {
  const alone = await serve({ maxBatch: 4, batchWindowMs: 0 });
  // The window is long: the batch starts when its 4th sequence arrives, not on a timer.
  const batching = await serve({ maxBatch: 4, batchWindowMs: 60_000 });
  const expected: number[][][] = [];
  for (const r of requests) expected.push(await tokens(alone, r));
  let results: number[][][] = [];
  const d = await delta(batching, async () => {
    results = await Promise.all(requests.map((r) => tokens(batching, r)));
  });
  assert.deepEqual(results, expected);
  assert.equal(d.batches_total, 1);
  assert.equal(d.generate_calls_total, 1);
  assert.equal(d.batched_requests_total, 4);
  assert.equal(d.sequences_total, 4);
});

test("batches hold at most --max-batch sequences; requests of other settings get their own batch", { skip }, async () => {
  // The window is long: every batch below starts because it is full.
  const batching = await serve({ maxBatch: 4, batchWindowMs: 60_000 });
  const d = await delta(batching, () => Promise.all([
    tokens(batching, { prompt: "a", n: 2, seed: 1 }),
    tokens(batching, { prompt: "b", n: 2, seed: 2 }),
    tokens(batching, { prompt: "c", n: 2, seed: 3 }),
    tokens(batching, { prompt: "d", n: 2, seed: 4 }),
    tokens(batching, { prompt: "e", n: 4, seed: 5, temperature: 0.5 }),
  ]));
  assert.equal(d.sequences_total, 12);
  assert.equal(d.batches_total, 3, "two of a-d, the other two, and e (another temperature)");
  assert.equal(d.generate_calls_total, 3);
});

test("a request larger than --max-batch is split into calls of --max-batch rows, samples unchanged", { skip }, async () => {
  const small = await serve({ maxBatch: 3, batchWindowMs: 0 });
  const large = await serve({ maxBatch: 64, batchWindowMs: 0 });
  const params = { prompt: ["one", "two"], n: 4, seed: 9 };
  let split: number[][] = [];
  const d = await delta(small, async () => {
    split = await tokens(small, params);
  });
  assert.equal(d.batches_total, 1);
  assert.equal(d.generate_calls_total, 3, "8 sequences in calls of 3, 3, 2");
  assert.deepEqual(split, await tokens(large, params));
});

test("/health answers between batches while requests queue", { skip }, async () => {
  // The health request is written while the first batch runs (from its hook, on a connection
  // opened before), so it waits in the socket for the event loop to turn.
  const order: string[] = [];
  let socket: net.Socket | null = null;
  const oneAtATime = await startServer(dir, { maxBatch: 1, batchWindowMs: 50, onBatch: () => {
    order.push("batch");
    if (order.length === 1) socket!.write("GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  } });
  servers.push(oneAtATime);
  const { hostname, port } = new URL(oneAtATime.url);
  socket = await new Promise<net.Socket>((resolve) => {
    const s = net.connect({ host: hostname, port: Number(port) }, () => resolve(s));
  });
  const closed = new Promise((resolve) => socket!.on("close", resolve));
  let reply = "";
  socket.on("data", (d) => {
    if (reply === "") order.push("health");
    reply += d;
  });
  await Promise.all(Array.from({ length: 5 }, (_, i) => tokens(oneAtATime, { prompt: `request ${i}`, max_tokens: 20, seed: i })));
  await closed;
  assert.match(reply, /^HTTP\/1.1 200/);
  assert.ok(order.indexOf("health") < order.lastIndexOf("batch"), `health came after every batch: ${order}`);
});
