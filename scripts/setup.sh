#!/usr/bin/env bash
# Sets up a checkout: Debian packages for the native addon (oneDNN, OpenBLAS, a C++ toolchain) and
# Chromium (the dashboard's browser test drives it headless), then the npm packages, which build
# the addon and compile the TypeScript.
# `--bench` also installs PyTorch (Debian python3-torch), the reference `npm run bench` compares with.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libdnnl-dev libopenblas-dev g++ make python3 chromium)
if [[ "${1:-}" == "--bench" ]]; then packages+=(python3-torch python3-numpy); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -eq 0 ]]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else sudo="none"; fi
  if [[ "$sudo" == "none" ]] || ! command -v apt-get >/dev/null; then
    echo "setup: cannot install ${missing[*]} (no apt-get or root); without oneDNN or OpenBLAS the addon falls back to a slower backend, without chromium the dashboard's browser test fails" >&2
  else
    echo "setup: installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

npm ci --no-fund --no-audit
