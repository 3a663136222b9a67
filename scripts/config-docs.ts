/** Writes docs/CONFIG.md from the run config's schema (`npm run config-docs`). */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { configReference } from "../src/trainer/config-docs.ts";

const file = fileURLToPath(new URL("../docs/CONFIG.md", import.meta.url));
writeFileSync(file, configReference());
console.log(`wrote ${file}`);
