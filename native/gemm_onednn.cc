// GEMM on oneDNN's matmul primitive. Transposes are expressed as memory-descriptor strides,
// alpha as a runtime output scale, beta as a sum post-op (C is pre-scaled when beta != 0, 1).
// Primitives are cached by shape, since creating one costs far more than running a small one.
// The cache is emptied when it reaches kMaxCached shapes: RL batches change length every step,
// and an unbounded cache would keep every shape's JIT code for the whole run.
#include <dnnl.hpp>

#include <map>
#include <mutex>
#include <tuple>
#include <unordered_map>

#include "kernels.h"

namespace rz {
namespace {

using dnnl::memory;
constexpr size_t kMaxCached = 512;
using Key = std::tuple<int64_t, int64_t, int64_t, bool, bool, bool, bool>;  // M N K tA tB accumulate scaled

dnnl::engine& engine() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

struct Cached {
  dnnl::matmul prim;
  memory::desc a, b, c;
};

// Returned by value (the handles are reference-counted): another thread's call may clear the cache
// while this one still runs the primitive (worker threads can each load the addon).
Cached primitive(const Key& key) {
  static std::map<Key, Cached> cache;
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  if (cache.size() >= kMaxCached) cache.clear();
  auto [M, N, K, tA, tB, acc, scaled] = key;
  const auto f32 = memory::data_type::f32;
  // op(A)[M,K]: A stored [M,K] (strides K,1) or [K,M] (strides 1,M); likewise op(B)[K,N].
  memory::desc a({M, K}, f32, tA ? memory::dims{1, M} : memory::dims{K, 1});
  memory::desc b({K, N}, f32, tB ? memory::dims{1, K} : memory::dims{N, 1});
  memory::desc c({M, N}, f32, memory::dims{N, 1});
  dnnl::primitive_attr attr;
  if (scaled) attr.set_output_scales(0, {DNNL_RUNTIME_F32_VAL});
  if (acc) {
    dnnl::post_ops ops;
    ops.append_sum(1.0f);
    attr.set_post_ops(ops);
  }
  dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a, b, c), attr, engine());
  return cache.emplace(key, Cached{dnnl::matmul(pd), a, b, c}).first->second;
}

}  // namespace

void gemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
          const float* B, float beta, float* C) {
  if (M == 0 || N == 0) return;
  if (K == 0 || alpha == 0.0f) {  // C = beta C (oneDNN rejects K = 0)
    for (int64_t i = 0; i < M * N; i++) C[i] = beta == 0.0f ? 0.0f : beta * C[i];
    return;
  }
  const bool acc = beta != 0.0f;
  if (acc && beta != 1.0f)
    for (int64_t i = 0; i < M * N; i++) C[i] *= beta;
  const Cached p = primitive({M, N, K, transA, transB, acc, alpha != 1.0f});
  dnnl::engine& eng = engine();
  thread_local dnnl::stream stream(eng);  // one per calling thread: a stream is not shared between threads
  memory a(p.a, eng, const_cast<float*>(A)), b(p.b, eng, const_cast<float*>(B)), c(p.c, eng, C);
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, b}, {DNNL_ARG_DST, c}};
  if (alpha != 1.0f)
    args.emplace(DNNL_ARG_ATTR_OUTPUT_SCALES, memory({{1}, memory::data_type::f32, {1}}, eng, &alpha));
  p.prim.execute(stream, args);
  stream.wait();
}

const char* gemm_backend() { return "onednn"; }

std::string gemm_backend_version() {
  const dnnl_version_t* v = dnnl_version();
  return "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch) +
         (v->cpu_runtime == DNNL_RUNTIME_OMP ? " (OpenMP)" : "");
}

}  // namespace rz
