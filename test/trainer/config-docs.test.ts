import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { configReference } from "../../src/trainer/config-docs.ts";

test("docs/CONFIG.md is current: regenerate it with `npm run config-docs`", () => {
  const committed = readFileSync(new URL("../../docs/CONFIG.md", import.meta.url), "utf8");
  assert.equal(committed, configReference());
  for (const key of ["`algorithm.clip_ratio_high`", "`trainer.micro_batch_tokens`", "`data.eval[].n`", "`critic.mini_batch_size`"]) {
    assert.ok(committed.includes(key), `${key} is documented`);
  }
});
