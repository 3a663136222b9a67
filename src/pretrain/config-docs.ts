/** docs/PRETRAIN_CONFIG.md, generated from the pretraining config's schema like docs/CONFIG.md. */
import { schemaReference } from "../trainer/config-docs.ts";
import { PretrainConfigSchema } from "./config.ts";

export function pretrainConfigReference(): string {
  return schemaReference(PretrainConfigSchema, "Pretraining configuration reference", "src/pretrain/config.ts");
}
