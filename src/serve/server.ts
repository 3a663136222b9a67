/**
 * The HTTP side of `rlzero serve`, on Node's own `http`: a table of fixed routes needs no
 * framework. Bodies are JSON, read up to a size limit (413 past it); every error is answered in
 * the OpenAI shape (400 bad request, 404 unknown route or model, 405 wrong method, 413, 503 while
 * shutting down). A client that goes away is dropped from the queue if its batch has not started,
 * and its answer is discarded if it has. `close()` stops accepting connections, lets the queued
 * requests finish and answers them, then resolves.
 *
 * Routes: GET /health, GET /v1/models, POST /v1/completions, POST /v1/chat/completions,
 * POST /update_weights_from_disk, GET /get_model_info, GET /get_weight_version, GET /metrics
 * (Prometheus text: batches, generate calls, sequences, tokens, weight updates, queue length).
 */
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { loadModel, loadTokenizer } from "../models/load.ts";
import { UserInputError } from "../errors.ts";
import { ApiError } from "./api-error.ts";
import { InferenceApi, type JsonReply } from "./api.ts";
import { Batcher, RequestAborted, type BatchStats } from "./batcher.ts";
import { WeightSlot } from "./weights.ts";

export interface ServerOptions {
  modelDir: string;
  /** The name /v1/models lists and requests may give; default the directory's name. */
  servedModelName?: string;
  /** Default 127.0.0.1: this machine only. */
  host?: string;
  /** Default 8000; 0 picks a free port. */
  port?: number;
  /** Sequences per generate call (default 64). */
  maxBatch?: number;
  /** How long a request waits for others to join its batch (default 10 ms). */
  batchWindowMs?: number;
  /** Largest request body (default 32 MiB). */
  maxBodyBytes?: number;
  /** Called after each batch (tests, logging). */
  onBatch?: (stats: BatchStats) => void;
}

type Handler = (body: unknown, signal: AbortSignal) => Promise<JsonReply | string> | JsonReply | string;

interface Counters {
  batches: number;
  generate_calls: number;
  batched_requests: number;
  sequences: number;
  generated_tokens: number;
}

function countBatch(c: Counters, s: BatchStats): void {
  c.batches += 1;
  c.generate_calls += s.calls;
  c.batched_requests += s.requests;
  c.sequences += s.sequences;
  c.generated_tokens += s.tokens;
}

export class InferenceServer {
  readonly url: string;
  private readonly routes: Map<string, Partial<Record<string, Handler>>>;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly http: http.Server,
    private readonly api: InferenceApi,
    private readonly slot: WeightSlot,
    private readonly batcher: Batcher,
    private readonly counters: Counters,
    private readonly maxBodyBytes: number,
  ) {
    const { port, address } = http.address() as AddressInfo;
    this.url = `http://${address.includes(":") ? `[${address}]` : address}:${port}`;
    const ok = (body: unknown): JsonReply => ({ status: 200, body });
    this.routes = new Map<string, Partial<Record<string, Handler>>>([
      ["/health", { GET: () => ok({ status: "ok" }) }],
      ["/v1/models", { GET: () => ok(api.models()) }],
      ["/v1/completions", { POST: async (body, signal) => ok(await api.completions(body, signal)) }],
      ["/v1/chat/completions", { POST: async (body, signal) => ok(await api.chat(body, signal)) }],
      ["/update_weights_from_disk", { POST: (body) => api.updateWeights(body) }],
      ["/get_model_info", { GET: () => ok(api.modelInfo()) }],
      ["/get_weight_version", { GET: () => ok(api.weightVersion()) }],
      ["/metrics", { GET: () => this.metricsText() }],
    ]);
    http.on("request", (req, res) => void this.handle(req, res));
  }

  /** Loads the model and listens; resolves once the port is bound. */
  static async start(opts: ServerOptions): Promise<InferenceServer> {
    const model = loadModel(opts.modelDir);
    const tokenizer = loadTokenizer(opts.modelDir);
    if (!tokenizer) throw new UserInputError(`${opts.modelDir} has no tokenizer.json (rlzero serve needs one for text)`);
    const slot = new WeightSlot(model, path.resolve(opts.modelDir));
    const servedName = opts.servedModelName ?? path.basename(path.resolve(opts.modelDir));
    const httpServer = http.createServer();
    const counters: Counters = { batches: 0, generate_calls: 0, batched_requests: 0, sequences: 0, generated_tokens: 0 };
    const batcher = new Batcher(() => slot.current, (ids, skipSpecialTokens) => tokenizer.decode(ids, { skipSpecialTokens }), {
      maxBatch: opts.maxBatch ?? 64, windowMs: opts.batchWindowMs ?? 10, onBatch: (s) => {
        countBatch(counters, s);
        opts.onBatch?.(s);
      },
    });
    const [host, port] = [opts.host ?? "127.0.0.1", opts.port ?? 8000];
    await new Promise<void>((resolve, reject) => {
      httpServer.once("error", (e: NodeJS.ErrnoException) => reject(new UserInputError(`cannot listen on ${host}:${port} (${e.code ?? e.message})`)));
      httpServer.listen(port, host, resolve);
    });
    return new InferenceServer(httpServer, new InferenceApi(slot, tokenizer, batcher, servedName), slot, batcher, counters,
      opts.maxBodyBytes ?? 32 * 2 ** 20);
  }

  get servedName(): string {
    return this.api.servedName;
  }

  /** Stops accepting connections; resolves when the requests already received are answered. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeIdleConnections();
      setTimeout(() => this.http.closeAllConnections(), 30_000).unref();
    });
    return this.closing;
  }

  private metricsText(): string {
    const lines: string[] = [];
    const metric = (name: string, type: "counter" | "gauge", value: number) => lines.push(`# TYPE rlzero_${name} ${type}`, `rlzero_${name} ${value}`);
    for (const [name, value] of Object.entries(this.counters)) metric(`${name}_total`, "counter", value);
    metric("weight_updates_total", "counter", this.slot.updates);
    metric("queued_requests", "gauge", this.batcher.queued);
    return lines.join("\n") + "\n";
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const gone = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) gone.abort();
    });
    try {
      const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
      const route = this.routes.get(pathname);
      if (!route) throw new ApiError(404, `no route ${pathname}`);
      const handler = route[req.method ?? ""];
      if (!handler) {
        res.setHeader("Allow", Object.keys(route).join(", "));
        throw new ApiError(405, `${req.method} is not allowed on ${pathname} (use ${Object.keys(route).join(", ")})`);
      }
      const body = req.method === "POST" ? await readJsonBody(req, this.maxBodyBytes) : undefined;
      if (this.closing) throw new ApiError(503, "the server is shutting down");
      const reply = await handler(body, gone.signal);
      if (typeof reply === "string") this.send(res, 200, reply, "text/plain; version=0.0.4");
      else this.send(res, reply.status, JSON.stringify(reply.body));
    } catch (e) {
      if (e instanceof RequestAborted) return;
      const err = e instanceof ApiError ? e
        : e instanceof UserInputError ? new ApiError(400, e.message)
          : new ApiError(500, `internal error: ${(e as Error).message}`);
      if (err.status === 500) console.error(e);
      this.send(res, err.status, JSON.stringify(err.body()));
    }
  }

  /** Writes a whole response; the connection closes after it while shutting down or after a 413. */
  private send(res: http.ServerResponse, status: number, body: string, contentType = "application/json"): void {
    if (res.destroyed || res.headersSent) return;
    if (this.closing || status === 413) res.setHeader("Connection", "close");
    res.writeHead(status, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(body) });
    res.end(body);
  }
}

/** The request body parsed as JSON; 413 past `limit` bytes, RequestAborted when the client leaves. */
function readJsonBody(req: http.IncomingMessage, limit: number): Promise<unknown> {
  const tooLarge = () => new ApiError(413, `the request body is larger than ${limit} bytes`, null, "invalid_request_error", "request_too_large");
  if (Number(req.headers["content-length"]) > limit) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on("end", () => {
      if (size > limit) return reject(tooLarge());
      const text = Buffer.concat(chunks).toString("utf8");
      try {
        resolve(JSON.parse(text));
      } catch (e) {
        reject(new ApiError(400, `the request body is not valid JSON (${(e as Error).message})`));
      }
    });
    req.on("close", () => {
      if (!req.complete) reject(new RequestAborted("the client went away while sending"));
    });
  });
}
