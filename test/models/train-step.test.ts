import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { loadModel } from "../../src/models/load.ts";
import { backward, zeroGrad } from "../../src/tensor/tensor.ts";
import { mean, neg } from "../../src/tensor/elementwise.ts";
import { AdamW } from "../../src/nn/adamw.ts";
import { clipGradNorm } from "../../src/nn/clip.ts";

test("forward, backward, clipping and AdamW steps lower the NLL of a batch (tied embeddings included)", () => {
  const model = loadModel(fileURLToPath(new URL("../fixtures/models/tiny-qwen2", import.meta.url)));
  const B = 2;
  const T = 12;
  const ids = Int32Array.from({ length: B * T }, (_, i) => (i * 37 + 11) % 256);
  const rows = Int32Array.from({ length: B * (T - 1) }, (_, i) => Math.floor(i / (T - 1)) * T + (i % (T - 1)));
  const opt = new AdamW(model.parameters(), { lr: 1e-2, betas: [0.9, 0.95], eps: 1e-8, weightDecay: 0 });
  const losses: number[] = [];
  for (let step = 0; step < 8; step++) {
    const loss = neg(mean(model.tokenLogprobs(ids, B, T, rows).logp));
    losses.push(loss.item());
    backward(loss);
    assert.ok(Number.isFinite(clipGradNorm(model.parameters(), 1.0)));
    opt.update();
    zeroGrad(model.parameters());
  }
  assert.ok(losses[7] < 0.5 * losses[0], `NLL ${losses[0].toFixed(3)} -> ${losses[7].toFixed(3)}`);
});
