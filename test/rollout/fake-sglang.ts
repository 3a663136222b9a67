/**
 * A fake inference server for the weight-sync tests, on 127.0.0.1 with Node's http. It records
 * every call in order and answers:
 *
 *   POST /update_weights_from_disk  SGLang's: {success, message}; the version given then tags
 *                                    responses (`metadata.weight_version`, as SGLang puts it)
 *   POST /collective_rpc, /reset_prefix_cache   vLLM's dev routes: 200
 *   POST /v1/completions            `max_tokens` tokens (ids from the seed, below `vocab`) with
 *                                    log-probs and token ids, finish_reason length
 *
 * `behaviour` makes it refuse loads, or claim success and keep its old weights.
 */
import fs from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

export interface Call {
  route: string;
  body: Record<string, unknown>;
  /** For loads: whether model_path held a whole checkpoint when the call arrived. */
  complete?: boolean;
}

export interface FakeServerBehaviour {
  /** Refuse the loads of these versions (400, success false). */
  refuse?: (version: string) => boolean;
  /** Answer loads with success but keep serving the old weights. */
  stale?: boolean;
  /** Tag completions with the weight version (SGLang does; vLLM does not). */
  tags?: boolean;
  vocab?: number;
}

export interface FakeServer {
  url: string;
  calls: Call[];
  version: string;
  close(): Promise<void>;
}

export async function startFakeServer(behaviour: FakeServerBehaviour = {}): Promise<FakeServer> {
  const state = { version: "default" };
  const calls: Call[] = [];
  const vocab = behaviour.vocab ?? 50;
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (c: Buffer) => (text += c.toString()));
    req.on("end", () => {
      const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
      const route = req.url ?? "";
      const call: Call = { route, body };
      calls.push(call);
      const reply = (status: number, json: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(json));
      if (route === "/update_weights_from_disk") {
        const dir = String(body.model_path);
        call.complete = fs.existsSync(path.join(dir, "config.json")) && fs.existsSync(path.join(dir, "model.safetensors"));
        const version = String(body.weight_version);
        if (behaviour.refuse?.(version)) return reply(400, { success: false, message: `scripted refusal of ${version}`, num_paused_requests: 0 });
        if (!behaviour.stale) state.version = version;
        return reply(200, { success: true, message: "Succeeded to update model weights.", num_paused_requests: 0 });
      }
      if (route === "/collective_rpc") return reply(200, { results: [null] });
      if (route === "/reset_prefix_cache") return res.writeHead(200).end();
      if (route === "/v1/completions") {
        const seed = Number(body.seed);
        const ids = Array.from({ length: Number(body.max_tokens) }, (_, i) => 3 + ((seed + 7 * i) % (vocab - 3)));
        return reply(200, {
          id: "cmpl-fake", object: "text_completion", created: 0, model: "fake",
          choices: [{
            index: 0, text: ids.map((i) => ` ${i}`).join(""), finish_reason: "length", token_ids: ids,
            logprobs: { tokens: ids.map((i) => `token_id:${i}`), token_logprobs: ids.map(() => -1) },
          }],
          usage: { prompt_tokens: 1, completion_tokens: ids.length, total_tokens: ids.length + 1 },
          ...(behaviour.tags === false ? {} : { metadata: { weight_version: state.version } }),
        });
      }
      reply(404, { error: { message: `no route ${route}` } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    get version() {
      return state.version;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
