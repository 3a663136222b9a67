#!/usr/bin/env bash
# The built-in default's RL step before and after the speed work of issue 11, on the same rollouts:
# the trainer at 27f3d87 (main just before that work merged; its configs and the shipped model did
# not exist yet, so today's configs/default.yaml and models/tiny-arith are copied in) against this
# checkout, 5 steps each, alternated over 2 rounds; prints seconds per step (mean of steps 2-5).
# Usage: bash bench/rl-step-before.sh [WORKDIR]   (WORKDIR default /tmp/rlzero-before)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-/tmp/rlzero-before}"
if [[ ! -d "$work/build/Release" ]]; then
  git -C "$here" worktree add -f "$work" 27f3d87 >/dev/null
  (cd "$work" && npm ci --no-fund --no-audit >/dev/null)
fi
rm -rf "$work/models/tiny-arith" && mkdir -p "$work/models" && cp -r "$here/models/tiny-arith" "$work/models/"
cp "$here/configs/default.yaml" "$work/configs/default-now.yaml"
(cd "$here" && npm run build >/dev/null)
sets=(trainer.steps=5 trainer.eval_every=0 trainer.save_every=0)
step_mean() { # metrics.jsonl -> "mean of timing_s/step over steps 2.. ; mean response length"
  node -e 'const m = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse).filter((x) => "timing_s/step" in x).slice(1);
    const mean = (k) => m.reduce((s, x) => s + x[k], 0) / m.length;
    console.log(`${mean("timing_s/step").toFixed(2)} s/step (response length ${mean("response_length/mean").toFixed(1)})`);' "$1"
}
for round in 1 2; do
  rm -rf "$work/run-before" "$work/run-now"
  (cd "$work" && node bin/rlzero.js train --config configs/default-now.yaml --set "${sets[@]}" "run_dir=$work/run-before" >/dev/null)
  (cd "$here" && node bin/rlzero.js train --set "${sets[@]}" "run_dir=$work/run-now" >/dev/null)
  echo "round $round: before $(step_mean "$work/run-before/metrics.jsonl"); now $(step_mean "$work/run-now/metrics.jsonl")"
done
