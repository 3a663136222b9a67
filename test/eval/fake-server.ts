/**
 * A fake OpenAI-compatible server for tests, on 127.0.0.1 with Node's http: POST
 * /v1/completions is answered by a script `(request, attempt) => Reply`, where `attempt`
 * counts earlier requests with the same prompt and seed (so a script can fail the first
 * attempt and answer the retry). Replies can be a completion (with token ids given as vLLM's
 * "token_id:N" logprob tokens), an HTTP error, raw bytes (garbage), or nothing for a while.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface CompletionRequest {
  model: string;
  prompt: string | number[];
  seed: number;
  max_tokens: number;
  temperature: number;
  top_p: number;
  stop?: string[];
  [key: string]: unknown;
}

export type Reply =
  | { text: string; finish?: "stop" | "length"; delayMs?: number; stopReason?: string }
  | { status: number; delayMs?: number }
  | { raw: string; contentType?: string };

export interface FakeServer {
  url: string;
  /** Every request received, in order. */
  requests: CompletionRequest[];
  /** The most requests it was answering at once. */
  maxInFlight: number;
  close(): Promise<void>;
}

export async function startFakeServer(script: (req: CompletionRequest, attempt: number) => Reply): Promise<FakeServer> {
  const requests: CompletionRequest[] = [];
  const attempts = new Map<string, number>();
  const stats = { inFlight: 0, max: 0 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/v1/completions") {
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "not found" } }));
        return;
      }
      const request = JSON.parse(body) as CompletionRequest;
      requests.push(request);
      stats.max = Math.max(stats.max, ++stats.inFlight);
      res.on("close", () => stats.inFlight--);
      const key = `${JSON.stringify(request.prompt)}|${request.seed}`;
      const attempt = attempts.get(key) ?? 0;
      attempts.set(key, attempt + 1);
      const reply = script(request, attempt);
      const send = () => {
        if (res.destroyed) return;
        if ("raw" in reply) {
          res.writeHead(200, { "content-type": reply.contentType ?? "application/json" }).end(reply.raw);
        } else if ("status" in reply) {
          res.writeHead(reply.status, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: `scripted ${reply.status}` } }));
        } else {
          const words = reply.text.split(/(?<= )/).filter(Boolean);
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({
            id: "cmpl-fake", object: "text_completion", created: 0, model: request.model,
            choices: [{
              index: 0, text: reply.text, finish_reason: reply.finish ?? "stop", stop_reason: reply.stopReason ?? null,
              logprobs: { tokens: words.map((_, i) => `token_id:${100 + i}`), token_logprobs: words.map(() => -0.5) },
            }],
            usage: { prompt_tokens: 1, completion_tokens: words.length, total_tokens: words.length + 1 },
          }));
        }
      };
      const delay = "delayMs" in reply ? reply.delayMs ?? 0 : 0;
      if (delay > 0) setTimeout(send, delay).unref();
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get maxInFlight() {
      return stats.max;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** The prompt's text (the fake server is always sent text in these tests). */
export function promptText(req: CompletionRequest): string {
  return typeof req.prompt === "string" ? req.prompt : "";
}
