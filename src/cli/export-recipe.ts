/** `rlzero export-recipe --format verl CONFIG [--set key=value ...]`: prints the recipe as another framework's command line. */
import { UserInputError } from "../errors.ts";
import { exportVerl, verlCommand } from "../export/verl.ts";
import { resolveConfig } from "../trainer/load-config.ts";

export const EXPORT_FORMATS = ["verl"] as const;

export interface ExportRecipeFlags {
  format: string;
  set?: string[];
}

export function exportRecipeCommand(config: string, flags: ExportRecipeFlags): void {
  if (!(EXPORT_FORMATS as readonly string[]).includes(flags.format)) {
    throw new UserInputError(`--format must be one of ${EXPORT_FORMATS.join(", ")} (got "${flags.format}")`);
  }
  const cfg = resolveConfig({ file: config, set: flags.set });
  process.stdout.write(verlCommand(exportVerl(cfg), config));
}
