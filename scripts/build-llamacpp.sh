#!/usr/bin/env bash
# Builds llama.cpp's `llama-batched-bench` and our `rlzero-greedy` (scripts/llamacpp/greedy.cpp)
# into OUT (default build/llama.cpp/bin), for `npm run bench -- --llamacpp OUT`. The source is
# the llama.cpp release bundled in the node-llama-cpp npm package (a git bundle inside it), fetched
# with `npm pack` into a temporary directory; nothing of llama.cpp is committed. Needs cmake, g++, git.
#   bash scripts/build-llamacpp.sh [OUT] [NODE_LLAMA_CPP_VERSION]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mkdir -p "${1:-$root/build/llama.cpp/bin}" && cd "${1:-$root/build/llama.cpp/bin}" && pwd)"
version="${2:-3.22.1}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
npm pack "node-llama-cpp@$version" --silent >/dev/null
tar xzf node-llama-cpp-*.tgz package/llama/gitRelease.bundle package/llama/llama.cpp.info.json
git clone -q package/llama/gitRelease.bundle llama.cpp 2>/dev/null
echo "llama.cpp from node-llama-cpp $version: $(tr -d '\n ' < package/llama/llama.cpp.info.json)"

cmake -S "$root/scripts/llamacpp" -B build -DLLAMA_SRC="$work/llama.cpp" -DCMAKE_BUILD_TYPE=Release \
  -DBUILD_SHARED_LIBS=OFF -DGGML_NATIVE=ON -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_SERVER=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF >/dev/null
cmake --build build --target llama-batched-bench rlzero-greedy -j "$(nproc)" >/dev/null
cp build/bin/llama-batched-bench build/bin/rlzero-greedy "$out/" 2>/dev/null ||
  cp "$(find build -name llama-batched-bench -type f | head -1)" "$(find build -name rlzero-greedy -type f | head -1)" "$out/"
echo "$(tr -d '\n ' < package/llama/llama.cpp.info.json) node-llama-cpp@$version" > "$out/VERSION"
echo "built $out/llama-batched-bench and $out/rlzero-greedy"
