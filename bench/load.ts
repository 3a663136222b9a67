/**
 * Memory and time to load a Qwen2.5-0.5B-shaped model (all 24 layers, random weights) saved as
 * BF16 safetensors: peak RSS of a fresh process that loads it, as a ratio to the model's f32
 * size (the target is at most about 3x).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseConfig } from "../src/models/config.ts";
import { randomModel, saveModel } from "../src/models/load.ts";
import { PRESETS } from "../src/models/presets.ts";

const LOADER = `
const { loadModel } = await import(process.argv[1]);
const t0 = performance.now();
const model = loadModel(process.argv[2]);
const params = model.parameters().reduce((n, p) => n + p.size, 0);
// VmHWM, the peak of this process's own memory: getrusage's maxRSS would start from the parent's
// resident size at the fork (its pages are mapped into the child until the exec).
const hwm = Number(/VmHWM:\\s+(\\d+) kB/.exec((await import("node:fs")).readFileSync("/proc/self/status", "utf8"))[1]);
console.log(JSON.stringify({ params, seconds: (performance.now() - t0) / 1000, maxRssBytes: hwm * 1024 }));
`;

export function benchLoad(): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rlzero-load-"));
  try {
    const config = parseConfig({ ...PRESETS["qwen2.5-0.5b-4l"], num_hidden_layers: 24, torch_dtype: "bfloat16" }, "Qwen2.5-0.5B shapes");
    saveModel(dir, randomModel(config, 1), { dtype: "BF16" });
    const loadTs = new URL("../src/models/load.ts", import.meta.url).href;
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", LOADER, loadTs, dir], { encoding: "utf8" });
    if (r.status !== 0) return [`load: failed: ${r.stderr.trim().split("\n").pop()}`];
    const { params, seconds, maxRssBytes } = JSON.parse(r.stdout.trim());
    const f32 = params * 4;
    return [`load Qwen2.5-0.5B shapes (${(params / 1e6).toFixed(0)}M params, BF16 file): ${seconds.toFixed(1)} s, ` +
      `peak RSS ${(maxRssBytes / 2 ** 30).toFixed(2)} GiB = ${(maxRssBytes / f32).toFixed(2)}x its f32 size (target <= 3x)`];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
