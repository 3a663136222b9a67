/**
 * The model against PyTorch on the same weights: fixtures from
 * scripts/reference/make_fixtures.py (a plain-PyTorch copy of Hugging Face's Qwen2 and Llama).
 * Log-probs within 1e-4 nats, every parameter's gradient within 1e-3 of the reference's largest
 * entry, greedy continuations identical.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { fileURLToPath } from "node:url";
import { loadModel } from "../../src/models/load.ts";
import { SafetensorsReader } from "../../src/models/safetensors.ts";
import { backward, noGrad } from "../../src/tensor/tensor.ts";
import { mean, neg } from "../../src/tensor/elementwise.ts";
import { generate } from "../../src/sampling/generate.ts";
import { Rng } from "../../src/util/rng.ts";

const fixtures = fileURLToPath(new URL("../fixtures/", import.meta.url));

interface Reference {
  input_ids: number[][];
  logprobs: number[][];
  loss: number;
  greedy: { prompt: number[]; max_new_tokens: number; tokens: number[] }[];
}

for (const name of ["tiny-qwen2", "tiny-llama", "tiny-qwen2-bf16", "tiny-qwen2-f16"]) {
  const ref: Reference = JSON.parse(fs.readFileSync(`${fixtures}reference/${name}.json`, "utf8"));
  const B = ref.input_ids.length;
  const T = ref.input_ids[0].length;
  const ids = Int32Array.from(ref.input_ids.flat());
  // Row b*T + t predicts token t + 1 of sequence b.
  const rows = Int32Array.from({ length: B * (T - 1) }, (_, i) => Math.floor(i / (T - 1)) * T + (i % (T - 1)));

  test(`${name}: per-token log-probs match PyTorch within 1e-4`, () => {
    const model = loadModel(`${fixtures}models/${name}`);
    const logp = noGrad(() => model.tokenLogprobs(ids, B, T, rows).logp.data);
    const expected = ref.logprobs.flat();
    let worst = 0;
    expected.forEach((e, i) => (worst = Math.max(worst, Math.abs(logp[i] - e))));
    assert.ok(worst < 1e-4, `max |logp - reference| = ${worst}`);
  });

  test(`${name}: gradients of the mean NLL match PyTorch within 1e-3 relative`, () => {
    const model = loadModel(`${fixtures}models/${name}`);
    const loss = neg(mean(model.tokenLogprobs(ids, B, T, rows).logp));
    assert.ok(Math.abs(loss.item() - ref.loss) < 1e-4, `loss ${loss.item()} vs ${ref.loss}`);
    backward(loss);
    const grads = SafetensorsReader.open(`${fixtures}reference/${name}.grads.safetensors`);
    assert.deepEqual([...grads.tensors.keys()].sort(), [...model.params.keys()].sort());
    for (const [key, p] of model.params) {
      const expected = grads.read(key);
      let scale = 0;
      let err = 0;
      expected.forEach((e, i) => {
        scale = Math.max(scale, Math.abs(e));
        err = Math.max(err, Math.abs(p.grad![i] - e));
      });
      assert.ok(err <= 1e-3 * scale, `${key}: max error ${err} vs largest entry ${scale}`);
    }
    grads.close();
  });

  test(`${name}: greedy continuations equal PyTorch's (prompts of different lengths batched)`, () => {
    const model = loadModel(`${fixtures}models/${name}`);
    const out = generate(model, ref.greedy.map((g) => g.prompt),
      { maxNewTokens: ref.greedy[0].max_new_tokens, temperature: 0, topP: 1, topK: 0, greedy: true, eosTokenIds: [] },
      { rngs: ref.greedy.map((_, i) => Rng.derive(0, i)) });
    out.forEach((c, i) => {
      assert.deepEqual(c.tokenIds, ref.greedy[i].tokens, `prompt ${i}`);
      assert.equal(c.finishReason, "length");
    });
  });
}
