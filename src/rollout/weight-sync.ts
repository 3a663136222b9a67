/**
 * How an inference server is told to load new policy weights from disk: the HTTP calls, in order,
 * for each server family (docs/SCALING.md says what each can and cannot do, with versions).
 *
 *   sglang  POST /update_weights_from_disk {"model_path": DIR, "weight_version": "N"}; the answer's
 *           `success` must be true. SGLang's route, also served by `rlzero serve`. Both load the
 *           tensors, swap them between batches and tag later responses with the version.
 *   vllm    POST /collective_rpc {"method": "reload_weights"}, then POST /reset_prefix_cache
 *           (vLLM's dev routes, VLLM_SERVER_DEV_MODE=1, checked against the v0.16 router source).
 *           reload_weights re-reads the directory the server was started with, so the server
 *           must serve `<weights dir>/current`, the link the trainer points at each new version
 *           (WeightDirectory); the prefix cache holds keys and values of the old weights.
 *           vLLM's responses carry no weight version: the engine tags them with the one loaded.
 */

export const WEIGHT_SYNC_PROTOCOLS = ["sglang", "vllm"] as const;
export type WeightSyncProtocol = (typeof WEIGHT_SYNC_PROTOCOLS)[number];

export interface WeightCall {
  /** Route on the server's root (not under /v1). */
  path: string;
  body?: Record<string, unknown>;
  /** Why an answer with a success status still means failure, or null. */
  refused?: (reply: unknown) => string | null;
}

export function weightSyncCalls(protocol: WeightSyncProtocol, dir: string, version: string): WeightCall[] {
  switch (protocol) {
    case "sglang":
      return [{
        path: "/update_weights_from_disk",
        body: { model_path: dir, weight_version: version },
        refused: (reply) => {
          const r = reply as { success?: unknown; message?: unknown } | null;
          return r?.success === true ? null : `refused: ${typeof r?.message === "string" ? r.message : JSON.stringify(reply)}`;
        },
      }];
    case "vllm":
      return [{ path: "/collective_rpc", body: { method: "reload_weights" } }, { path: "/reset_prefix_cache" }];
  }
}
