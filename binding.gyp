# Builds build/Release/rlzero_native.node (node-addon-api, C++ exceptions on).
# The GEMM backend is chosen by native/detect-backend.mjs: oneDNN, else OpenBLAS, else the
# portable kernel; RLZERO_GEMM_BACKEND=onednn|openblas|portable forces one.
# -march=native is deliberate: the addon is compiled at `npm install` on the machine that runs it.
# RLZERO_MARCH sets another target: the prebuilt binary shipped in the npm package is compiled for a
# baseline CPU (native/build.mjs --prebuild).
# OpenMP is the one thread pool (Debian's oneDNN is built on it too).
{
  "variables": {
    "gemm_backend%": "<!(node native/detect-backend.mjs)",
    "march%": "<!(node -p \"process.env.RLZERO_MARCH || 'native'\")"
  },
  "targets": [
    {
      "target_name": "rlzero_native",
      "sources": [
        "native/addon.cc",
        "native/threads.cc",
        "native/rmsnorm.cc",
        "native/rope.cc",
        "native/swiglu.cc",
        "native/embedding.cc",
        "native/attention.cc",
        "native/attention_cache.cc",
        "native/lmhead.cc",
        "native/sampler.cc",
        "native/optim.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_CPP_EXCEPTIONS_ALL"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags": ["-O3", "-march=<(march)", "-fopenmp"],
      "cflags_cc": ["-O3", "-march=<(march)", "-fopenmp", "-std=c++17", "-fexceptions"],
      # -z nodelete: Node dlclose()s an addon that a worker thread loaded when the worker exits,
      # which would unload libgomp under its still-running pool threads (SIGSEGV).
      "ldflags": ["-fopenmp", "-Wl,-z,nodelete"],
      "libraries": ["-lgomp"],
      "conditions": [
        ["gemm_backend=='onednn'", {
          "sources": ["native/gemm_onednn.cc"],
          "libraries": ["-ldnnl"]
        }],
        ["gemm_backend=='openblas'", {
          "sources": ["native/gemm_openblas.cc", "native/linear_generic.cc"],
          "defines": ["RLZERO_OPENBLAS"],
          "include_dirs": ["/usr/include/openblas"],
          "libraries": ["-lopenblas"]
        }],
        ["gemm_backend=='portable'", {
          "sources": ["native/gemm_portable.cc", "native/linear_generic.cc"]
        }]
      ]
    }
  ]
}
