/**
 * The verl export: every key of the run config has a rule in the map; every recipe in configs/
 * exports to overrides whose names are options of verl's PPO trainer config (the list in
 * verl-ppo-trainer-options.txt, taken from verl's source at the commit it names), `+` only for
 * keys verl lacks; the values follow verl's semantics (mini-batches in prompts, warm-up in RL
 * steps, KL names); the CLI prints the command.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { exportVerl, hydraValue, verlCommand, VERL_SOURCE } from "../../src/export/verl.ts";
import { VERL_MAP } from "../../src/export/verl-map.ts";
import { configKeys } from "../../src/trainer/config-docs.ts";
import { resolveConfig } from "../../src/trainer/load-config.ts";
import { rlzeroAsync } from "../cli/spawn-cli.ts";

const configs = fileURLToPath(new URL("../../configs/", import.meta.url));
const recipes = fs.readdirSync(configs).filter((f) => f.endsWith(".yaml") && !f.startsWith("pretrain")); // pretrain-*: rlzero pretrain configs
const optionsFile = fileURLToPath(new URL("./verl-ppo-trainer-options.txt", import.meta.url));
const optionsText = fs.readFileSync(optionsFile, "utf8");
const options = new Set(optionsText.split("\n").filter((l) => l && !l.startsWith("#")));

const recipe = (name: string, set: string[] = []) => exportVerl(resolveConfig({ file: path.join(configs, name), set }));

test("the option list is verl's, at the commit the export names", () => {
  assert.ok(optionsText.includes(VERL_SOURCE.split(" ")[2]!), "the same commit");
  assert.ok(options.size > 400);
  for (const k of ["data.train_batch_size", "actor_rollout_ref.actor.ppo_mini_batch_size", "algorithm.adv_estimator", "critic.cliprange_value"]) assert.ok(options.has(k), k);
});

test("every key of the run config has a rule, and every rule a key", () => {
  const keys = configKeys();
  assert.deepEqual(keys.filter((k) => !(k in VERL_MAP)), [], "keys without a rule");
  assert.deepEqual(Object.keys(VERL_MAP).filter((k) => !keys.includes(k)), [], "rules without a key");
});

for (const file of recipes) {
  test(`configs/${file}: every override is an option of verl's config`, () => {
    const { overrides } = recipe(file);
    assert.ok(overrides.size > 20);
    for (const [key, value] of overrides) {
      if (key.startsWith("+")) {
        const name = key.slice(1);
        assert.ok(!options.has(name), `${key}: "+" adds a key, and verl has ${name}`);
        assert.ok(name.split(".").slice(0, -1).some((_, i, parts) => [...options].some((o) => o.startsWith(`${parts.slice(0, i + 1).join(".")}.`))), `${key}: its section exists`);
      } else {
        assert.ok(options.has(key), `${key} is not an option of verl's ppo_trainer config`);
      }
      assert.ok(typeof value !== "number" || Number.isFinite(value), `${key}=${value}`);
    }
  });
}

test("verl's semantics: mini-batches in prompts, warm-up in RL steps, KL and estimator names", () => {
  const grpo = recipe("grpo.yaml").overrides;
  assert.equal(grpo.get("algorithm.adv_estimator"), "grpo");
  assert.equal(grpo.get("data.train_batch_size"), 16);
  assert.equal(grpo.get("actor_rollout_ref.rollout.n"), 4);
  assert.equal(grpo.get("actor_rollout_ref.actor.ppo_mini_batch_size"), 4, "16 responses = 4 prompts × 4");
  assert.equal(grpo.get("algorithm.norm_adv_by_std_in_grpo"), true);
  assert.equal(grpo.get("actor_rollout_ref.actor.use_kl_loss"), true);
  assert.equal(grpo.get("actor_rollout_ref.actor.kl_loss_type"), "low_var_kl");
  assert.equal(grpo.get("actor_rollout_ref.actor.kl_loss_coef"), 0.001);
  assert.equal(grpo.get("actor_rollout_ref.actor.entropy_coeff"), 0.001);
  assert.equal(grpo.get("actor_rollout_ref.actor.clip_ratio_c"), 3, "Minimal-RL's dual clip");
  assert.equal(recipe("dapo.yaml").overrides.get("actor_rollout_ref.actor.clip_ratio_c"), 1e9, "no dual clip: a cap that never acts");
  assert.equal(grpo.has("critic.optim.lr"), false, "no critic for GRPO");

  const orz = recipe("orz-ppo.yaml");
  const o = orz.overrides;
  assert.equal(o.get("algorithm.adv_estimator"), "gae");
  assert.equal(o.get("algorithm.lam"), 1);
  assert.equal(o.get("actor_rollout_ref.actor.ppo_mini_batch_size"), 8, "the whole batch: 64 responses, 8 prompts");
  assert.equal(o.get("critic.ppo_mini_batch_size"), 2, "16 responses of 8 per prompt");
  assert.equal(o.get("actor_rollout_ref.actor.optim.lr_warmup_steps"), 50, "one optimizer step per RL step");
  assert.equal(o.get("critic.optim.lr_warmup_steps"), 13, "50 optimizer steps at 4 per RL step");
  assert.match(orz.notes.find((n) => n.key === "critic.warmup_steps")!.note, /12\.5 RL steps/);
  assert.deepEqual(o.get("actor_rollout_ref.actor.optim.betas"), [0.9, 0.95]);
  assert.equal(o.get("critic.cliprange_value"), 0.2);
  assert.equal(o.get("algorithm.use_kl_in_reward"), false);
  assert.ok(orz.notes.some((n) => n.key === "rollout.stop"), "Open-Reasoner-Zero's stop strings do not carry over");

  const dr = recipe("dr_grpo.yaml").overrides;
  assert.equal(dr.get("algorithm.norm_adv_by_std_in_grpo"), false);
  assert.equal(dr.get("actor_rollout_ref.actor.loss_scale_factor"), 1024);
  assert.equal(recipe("gspo.yaml").overrides.get("actor_rollout_ref.actor.policy_loss.loss_mode"), "gspo");
  const dapo = recipe("dapo.yaml");
  assert.equal(dapo.overrides.get("reward_model.reward_manager"), "dapo");
  assert.equal(dapo.overrides.get("+reward_model.reward_kwargs.overlong_buffer_cfg.len"), 256);
  assert.ok(dapo.notes.some((n) => n.key === "algorithm.dynamic_sampling.enabled" && /filter_groups/.test(n.note)));
  const rloo = recipe("rloo.yaml").overrides.get("algorithm.adv_estimator");
  assert.equal(rloo, "rloo");

  const reward = recipe("ppo.yaml", ["algorithm.kl.placement=reward", "algorithm.kl.estimator=k1", "algorithm.kl.coef=0.05"]).overrides;
  assert.equal(reward.get("algorithm.use_kl_in_reward"), true);
  assert.equal(reward.get("algorithm.kl_penalty"), "kl");
  assert.equal(reward.get("algorithm.kl_ctrl.kl_coef"), 0.05);
  const tis = recipe("grpo.yaml", ["rollout.tis_cap=2"]).overrides;
  assert.equal(tis.get("algorithm.rollout_correction.rollout_is"), "token");
  assert.equal(tis.get("algorithm.rollout_correction.rollout_is_threshold"), 2);
  assert.equal(tis.get("actor_rollout_ref.rollout.calculate_log_probs"), true);
});

test("algorithms upstream verl lacks are said so, not guessed", () => {
  for (const name of ["raft.yaml", "raftpp.yaml", "reinforce.yaml", "reinforce_rej.yaml", "dpo.yaml"]) {
    const exp = recipe(name);
    assert.equal(exp.overrides.has("algorithm.adv_estimator"), false, name);
    assert.ok(exp.notes.some((n) => n.key === "algorithm.name" && /no advantage estimator in upstream verl/.test(n.note)), name);
  }
});

test("Hydra values and the printed command", () => {
  assert.equal(hydraValue(true), "True");
  assert.equal(hydraValue(1e-6), "0.000001");
  assert.equal(hydraValue([0.9, 0.95]), "[0.9,0.95]");
  assert.equal(hydraValue({ eps: 1e-8 }), "{eps:1e-8}");
  assert.equal(hydraValue("token-mean"), "token-mean");
  assert.equal(hydraValue("a b"), "'a b'");
  const text = verlCommand(recipe("grpo.yaml"), "configs/grpo.yaml");
  assert.match(text, /^# configs\/grpo\.yaml as a verl run .*b178a3cd/);
  assert.match(text, /\npython3 -m verl\.trainer\.main_ppo \\\n/);
  assert.match(text, /\n {2}'actor_rollout_ref\.actor\.optim\.betas=\[0\.9,0\.999\]' \\\n/);
  assert.match(text, /\n# Not carried over.*\n# {3}data\.train = \{"preset":"math_train"/s);
});

test("rlzero export-recipe --format verl CONFIG prints it; another format is a one-line error", async () => {
  const ok = await rlzeroAsync(["export-recipe", "--format", "verl", path.join(configs, "orz-ppo.yaml"), "--set", "trainer.steps=7"]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /trainer\.total_training_steps=7\b/);
  const bad = await rlzeroAsync(["export-recipe", "--format", "trl", path.join(configs, "orz-ppo.yaml")]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^rlzero: --format must be one of verl \(got "trl"\)\n$/);
});
