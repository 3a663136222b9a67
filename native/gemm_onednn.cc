// GEMM on oneDNN's matmul primitive. Transposes are expressed as memory-descriptor strides,
// alpha as a runtime output scale, beta as a sum post-op (C is pre-scaled when beta != 0, 1).
// Primitives are cached by shape, since creating one costs far more than running a small one.
// The cache is emptied when it reaches kMaxCached shapes: RL batches change length every step,
// and an unbounded cache would keep every shape's JIT code for the whole run.
#include <dnnl.hpp>

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <tuple>
#include <unordered_map>

#include "kernels.h"
#include "simd.h"

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

// x[0:n] rounded to bf16 (to nearest, ties to even; NaN stays NaN).
void to_bf16(const float* x, int64_t n, uint16_t* out) {
#pragma omp parallel for simd schedule(static) if (n > 65536)
  for (int64_t i = 0; i < n; i++) {
    uint32_t u;
    std::memcpy(&u, x + i, 4);
    const bool nan = (u & 0x7fffffffu) > 0x7f800000u;
    out[i] = nan ? (uint16_t)((u >> 16) | 0x40) : (uint16_t)((u + 0x7fffu + ((u >> 16) & 1)) >> 16);
  }
}

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

// ---- prepacked linear layers

struct PackedLinear {
  int64_t N, K;
  bool bf16;
  memory w;  // [K, N] as oneDNN's matmul prefers it (its format does not depend on M)
  mutable std::mutex mu;
  mutable std::map<std::pair<int64_t, bool>, dnnl::matmul> prims;  // by (rows, accumulate)

  memory::desc src(int64_t M) const {
    return memory::desc({M, K}, bf16 ? memory::data_type::bf16 : memory::data_type::f32, memory::dims{K, 1});
  }
  memory::desc dst(int64_t M) const { return memory::desc({M, N}, memory::data_type::f32, memory::dims{N, 1}); }

  dnnl::matmul primitive(int64_t M, bool acc) const {
    std::lock_guard<std::mutex> lock(mu);
    auto it = prims.find({M, acc});
    if (it != prims.end()) return it->second;
    dnnl::primitive_attr attr;
    if (acc) {
      dnnl::post_ops ops;
      ops.append_sum(1.0f);
      attr.set_post_ops(ops);
    }
    dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(src(M), w.get_desc(), dst(M)), attr, engine());
    return prims.emplace(std::make_pair(M, acc), dnnl::matmul(pd)).first->second;
  }
};

bool bf16_supported() {
  for (const std::string& f : cpu_features())
    if (f == "avx512_bf16" || f == "amx_bf16") return true;
  return false;
}

// Buckets: M itself below 16, then 8 per octave (M rounded up to a multiple of 2^floor(log2 M) / 8).
int64_t linear_rows(int64_t M) {
  if (M <= 8) return M;
  int64_t step = 1;
  while (step * 16 <= M) step *= 2;
  return round_up(M, step);
}

PackedLinear* linear_pack(const float* W, int64_t N, int64_t K, bool bf16) {
  auto* p = new PackedLinear{N, K, bf16, {}, {}, {}};
  const auto dt = bf16 ? memory::data_type::bf16 : memory::data_type::f32;
  memory::desc any({K, N}, dt, memory::format_tag::any);
  dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(p->src(64), any, p->dst(64)), engine());
  dnnl::engine& eng = engine();
  dnnl::stream stream(eng);
  memory plain({{K, N}, memory::data_type::f32, memory::dims{1, K}}, eng, const_cast<float*>(W));
  p->w = memory(pd.weights_desc(), eng);
  dnnl::reorder(plain, p->w).execute(stream, plain, p->w);  // converts to bf16 too
  stream.wait();
  return p;
}

void linear_free(PackedLinear* p) { delete p; }

void linear_shape(const PackedLinear* p, int64_t* N, int64_t* K) { *N = p->N, *K = p->K; }

int64_t linear_bytes(const PackedLinear* p) { return p->w.get_desc().get_size(); }

void linear_forward(const PackedLinear* p, const float* x, int64_t M, float* y, bool accumulate) {
  if (M == 0) return;
  if (p->K == 0) {
    if (!accumulate) std::fill(y, y + M * p->N, 0.0f);
    return;
  }
  const int64_t Mb = linear_rows(M);
  const dnnl::matmul prim = p->primitive(Mb, accumulate);
  dnnl::engine& eng = engine();
  thread_local dnnl::stream stream(eng);
  thread_local std::vector<uint16_t> xb;
  void* src = const_cast<float*>(x);
  if (p->bf16) {
    if ((int64_t)xb.size() < Mb * p->K) xb.resize(Mb * p->K);
    to_bf16(x, M * p->K, xb.data());
    src = xb.data();
  }
  memory a(p->src(Mb), eng, src), c(p->dst(Mb), eng, y);
  prim.execute(stream, {{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, p->w}, {DNNL_ARG_DST, c}});
  stream.wait();
}

const char* gemm_backend() { return "onednn"; }

std::string gemm_backend_version() {
  const dnnl_version_t* v = dnnl_version();
  return "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch) +
         (v->cpu_runtime == DNNL_RUNTIME_OMP ? " (OpenMP)" : "");
}

}  // namespace rz
