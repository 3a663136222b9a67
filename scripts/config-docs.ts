/** Writes docs/CONFIG.md and docs/PRETRAIN_CONFIG.md from the config schemas (`npm run config-docs`). */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { configReference } from "../src/trainer/config-docs.ts";
import { pretrainConfigReference } from "../src/pretrain/config-docs.ts";

for (const [name, text] of [["CONFIG.md", configReference()], ["PRETRAIN_CONFIG.md", pretrainConfigReference()]] as const) {
  const file = fileURLToPath(new URL(`../docs/${name}`, import.meta.url));
  writeFileSync(file, text);
  console.log(`wrote ${file}`);
}
