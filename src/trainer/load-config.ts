/**
 * The run config from its sources: a YAML file (or the built-in default), `--set` overrides,
 * validated and checked (config.ts); or, to resume, the resolved config.yaml of the run itself.
 */
import path from "node:path";
import YAML from "yaml";
import { applyOverrides, parseConfigText, readConfigFile, validateConfig, type ConfigSource } from "./config-file.ts";
import { RunConfigSchema, checkConfig, type RunConfig } from "./config.ts";

export interface ConfigRequest {
  /** A YAML file; absent: `fallback`. */
  file?: string;
  /** YAML text and its label, used when no file is given (the built-in default). */
  fallback?: { text: string; label: string };
  /** `a.b=c` overrides, applied in order. */
  set?: readonly string[];
  /** Resume this run directory: its config.yaml is the base. */
  resume?: string;
}

export function resolveConfig(req: ConfigRequest): RunConfig {
  let source: ConfigSource;
  if (req.resume) source = readConfigFile(path.join(req.resume, "config.yaml"));
  else if (req.file) source = readConfigFile(req.file);
  else if (req.fallback) source = parseConfigText(req.fallback.text, req.fallback.label);
  else throw new Error("resolveConfig: no config source");
  source = applyOverrides(source, req.set ?? []);
  const cfg = validateConfig(RunConfigSchema, source);
  if (req.resume) cfg.run_dir = req.resume;
  checkConfig(cfg, source.label);
  return cfg;
}

export function configToYaml(cfg: RunConfig): string {
  return YAML.stringify(cfg);
}
