/**
 * Every recipe in configs/ resolves and runs a step: the real data presets (../shared), a tiny
 * random model in place of the recipe's, batch sizes cut to a few responses.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_DATA_DIR } from "../../src/data/presets.ts";
import { resolveConfig } from "../../src/trainer/load-config.ts";
import { train } from "../../src/trainer/train.ts";
import { tempDir, tinyModel } from "../helpers/tiny-run.ts";

const configs = fileURLToPath(new URL("../../configs/", import.meta.url));
const skip = fs.existsSync(DEFAULT_DATA_DIR) ? false : `../shared/data is absent (${DEFAULT_DATA_DIR}): the recipes' data presets cannot load`;
const quiet = { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream;
const root = tempDir("recipes");
const recipes = fs.readdirSync(configs).filter((f) => f.endsWith(".yaml") && !f.startsWith("pretrain"));

test("the recipes are there: orz-ppo and one per algorithm", () => {
  for (const name of ["orz-ppo", "ppo", "grpo", "rloo", "reinforce_pp", "reinforce", "reinforce_rej", "raft", "raftpp", "dpo"]) {
    assert.ok(recipes.includes(`${name}.yaml`), `configs/${name}.yaml`);
  }
});

for (const file of recipes) {
  test(`configs/${file} runs a step`, { skip }, async () => {
    const model = fs.existsSync(path.join(root, "model")) ? path.join(root, "model") : tinyModel(path.join(root, "model"), 1, 0.1, 4096);
    // A file or preset takes a row limit, a built-in task a problem count.
    const trainsOnTask = /^\s*train:\s*\{\s*task:/m.test(fs.readFileSync(path.join(configs, file), "utf8"));
    const cfg = resolveConfig({
      file: path.join(configs, file),
      set: [`model.path=${model}`, `run_dir=${path.join(root, file)}`, "rollout.prompts_per_step=2", "rollout.samples_per_prompt=2",
        "rollout.max_new_tokens=4", "actor.mini_batch_size=4", "critic.mini_batch_size=4", "trainer.steps=1", "trainer.eval_every=0",
        "reward.workers=1", trainsOnTask ? "data.train.count=16" : "data.train.limit=16", "algorithm.overlong.cache_length=2"],
    });
    const steps: Record<string, number>[] = [];
    await train(cfg, { out: quiet, onStep: (_, m) => steps.push(m) });
    assert.equal(steps.length, 1);
    assert.ok(Number.isFinite(steps[0]["actor/grad_norm"]) && Number.isFinite(steps[0]["critic/score/mean"]), JSON.stringify(steps[0]));
  });
}
