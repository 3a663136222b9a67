/**
 * The dashboard's HTTP server (Node's own `http`): read-only, GET and HEAD only.
 *
 *   /                        the page            /assets/<name>   its scripts, styles and uPlot
 *   /api/runs                every run found under the runs directory, from run.json
 *   /api/run?run=ID          one run's config.yaml, run.json, summary.json and eval reports
 *   /api/metrics?run=ID&offset=B&identity=F
 *                            metrics.jsonl from byte B to its last complete line (polling reads
 *                            only new lines); `reset` when the file was rewritten since
 *   /api/samples?run=ID[&step=S | &prompt_key=K]
 *                            the samples of one step (default: the last) or of one prompt across steps
 *   /files/<path>            a file inside the runs directory, as it is (directories are not listed)
 *
 * Every path a request names goes through safe-path.ts. Bound to a loopback address, the server
 * also refuses requests whose Host header is not a loopback name, so a web page elsewhere cannot
 * reach it through DNS rebinding.
 */
import { createReadStream } from "node:fs";
import { readFile, realpath, stat } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { ASSETS, contentType } from "./assets.ts";
import { readJsonlFrom } from "./jsonl.ts";
import { findRuns, runDetails } from "./runs.ts";
import { decodeUrlPath, resolveInside } from "./safe-path.ts";
import { SampleIndex } from "./samples.ts";

export interface DashboardOptions {
  runsDir: string;
  host: string;
  port: number;
}

export interface Dashboard {
  server: http.Server;
  url: string;
  /** The runs directory, as a real path. */
  root: string;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const PAGE_POLICY = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
// A run's files are served as data: nothing in them may run script in the page's origin.
const FILE_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src 'self'";

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || host.startsWith("127.");
}

/** The hostname part of a Host header ("127.0.0.1:8080" → "127.0.0.1", "[::1]:80" → "[::1]"). */
function hostName(header: string): string {
  return header.startsWith("[") ? header.slice(0, header.indexOf("]") + 1) : header.split(":")[0];
}

function send(req: http.IncomingMessage, res: http.ServerResponse, status: number, type: string, body: string | Buffer, headers: http.OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { "Content-Type": type, "Content-Length": Buffer.byteLength(body), "X-Content-Type-Options": "nosniff", ...headers });
  res.end(req.method === "HEAD" ? undefined : body);
}

function sendJson(req: http.IncomingMessage, res: http.ServerResponse, status: number, value: unknown): void {
  send(req, res, status, "application/json; charset=utf-8", JSON.stringify(value), { "Cache-Control": "no-store" });
}

/** A non-negative integer query parameter, or `fallback` when absent. */
function intParam(query: URLSearchParams, name: string, fallback: number | null): number | null {
  const raw = query.get(name);
  if (raw === null || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new HttpError(400, `${name} must be a non-negative integer (got "${raw}")`);
  return n;
}

class DashboardHandler {
  private readonly sampleIndexes = new Map<string, SampleIndex>();

  constructor(readonly root: string, private readonly checkHost: boolean) {}

  readonly handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    this.route(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (status === 500) console.error(`rlzero dashboard: ${req.url}: ${(err as Error).stack}`);
      if (!res.headersSent) sendJson(req, res, status, { error: (err as Error).message });
      else res.destroy();
    });
  };

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("Allow", "GET, HEAD");
      throw new HttpError(405, `method ${req.method} not allowed: the dashboard is read-only`);
    }
    if (this.checkHost && !isLoopback(hostName(req.headers.host ?? ""))) throw new HttpError(403, "Host header is not a loopback address");
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    // The raw path, not new URL(...).pathname, which would resolve "..": the checks must see it.
    const rawPath = q === -1 ? url : url.slice(0, q);
    const query = new URLSearchParams(q === -1 ? "" : url.slice(q + 1));

    if (rawPath === "/") return this.asset(req, res, "index.html");
    if (rawPath.startsWith("/assets/")) return this.asset(req, res, rawPath.slice("/assets/".length));
    if (rawPath.startsWith("/files/")) return this.file(req, res, rawPath.slice("/files/".length));
    switch (rawPath) {
      case "/api/runs":
        return sendJson(req, res, 200, { root: this.root, runs: await findRuns(this.root) });
      case "/api/run":
        return sendJson(req, res, 200, await runDetails(this.root, await this.runId(query)));
      case "/api/metrics":
        return sendJson(req, res, 200, await this.metrics(query));
      case "/api/samples":
        return sendJson(req, res, 200, await this.samples(query));
    }
    throw new HttpError(404, "not found");
  }

  private async asset(req: http.IncomingMessage, res: http.ServerResponse, name: string): Promise<void> {
    const file = ASSETS.get(name);
    if (!file) throw new HttpError(404, `no asset ${name}`);
    send(req, res, 200, contentType(file), await readFile(file), { "Cache-Control": "no-cache", "Content-Security-Policy": PAGE_POLICY });
  }

  /** The real path of `rel` inside the runs directory, or the HTTP error that refuses it. */
  private async inside(rel: string): Promise<string> {
    const resolved = await resolveInside(this.root, rel);
    if (resolved.ok) return resolved.path;
    throw resolved.reason === "forbidden" ? new HttpError(403, "path outside the runs directory") : new HttpError(404, "not found");
  }

  private async file(req: http.IncomingMessage, res: http.ServerResponse, rawRel: string): Promise<void> {
    const rel = decodeUrlPath(rawRel);
    if (rel === null) throw new HttpError(400, "malformed path");
    const file = await this.inside(rel);
    const info = await stat(file);
    if (!info.isFile()) throw new HttpError(404, "not a file"); // no directory listing
    res.writeHead(200, {
      "Content-Type": contentType(file),
      "Content-Length": info.size,
      "Content-Security-Policy": FILE_POLICY,
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "no-cache",
    });
    if (req.method === "HEAD") res.end();
    else createReadStream(file).on("error", () => res.destroy()).pipe(res);
  }

  /** The `run` parameter, checked to name a directory inside the runs directory. */
  private async runId(query: URLSearchParams): Promise<string> {
    const id = query.get("run");
    if (!id) throw new HttpError(400, "missing parameter run");
    const dir = await this.inside(id);
    if (!(await stat(dir)).isDirectory()) throw new HttpError(404, `${id} is not a run directory`);
    return id;
  }

  /** A run's file: its real path if present, null if absent (a run that has not written it yet). */
  private async runFile(id: string, name: string): Promise<string | null> {
    const resolved = await resolveInside(this.root, path.posix.join(id, name));
    if (!resolved.ok && resolved.reason === "forbidden") throw new HttpError(403, `${name} points outside the runs directory`);
    return resolved.ok ? resolved.path : null;
  }

  private async metrics(query: URLSearchParams) {
    const id = await this.runId(query);
    const offset = intParam(query, "offset", 0)!;
    const file = await this.runFile(id, "metrics.jsonl");
    if (file === null) return { records: [], offset: 0, identity: "", reset: offset > 0, skipped: 0 };
    const read = await readJsonlFrom(file, offset, query.get("identity") ?? undefined);
    return { records: read.lines.map((l) => l.value), offset: read.next, identity: read.identity, reset: read.reset, skipped: read.skipped };
  }

  private async samples(query: URLSearchParams) {
    const id = await this.runId(query);
    const file = await this.runFile(id, "samples.jsonl");
    if (file === null) return { steps: [], step: null, samples: [] };
    let index = this.sampleIndexes.get(file);
    if (!index) this.sampleIndexes.set(file, (index = new SampleIndex(file)));
    await index.refresh();
    const steps = index.steps();
    const promptKey = query.get("prompt_key");
    if (promptKey !== null) return { steps, prompt_key: promptKey, samples: await index.forPrompt(promptKey) };
    const step = intParam(query, "step", steps.length ? steps[steps.length - 1].step : null);
    return { steps, step, samples: step === null ? [] : await index.forStep(step) };
  }
}

/** Starts the dashboard over `runsDir`; resolves once it listens. */
export async function startDashboard(opts: DashboardOptions): Promise<Dashboard> {
  const root = await realpath(opts.runsDir);
  const server = http.createServer(new DashboardHandler(root, isLoopback(opts.host)).handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  return {
    server,
    url: `http://${host}:${port}/`,
    root,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
