// Node-API bindings: one function per entry of NativeAddon (src/native/api.ts). Each checks
// its arguments (args.h), checks ids and positions against their ranges, then calls the kernel.
#include <napi.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <limits>

#include "args.h"
#include "kernels.h"

namespace rz {
namespace {

using Napi::CallbackInfo;
using Napi::Value;

Value Info(const CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("backend", gemm_backend());
  o.Set("threads", get_threads());
  std::vector<std::string> feats = cpu_features();
  Napi::Array arr = Napi::Array::New(env, feats.size());
  for (size_t i = 0; i < feats.size(); i++) arr.Set((uint32_t)i, feats[i]);
  o.Set("cpuFeatures", arr);
  o.Set("backendVersion", gemm_backend_version());
  o.Set("bf16", bf16_supported());
  return o;
}

void SetThreads(const CallbackInfo& info) {
  Args a(info, "setThreads");
  const int64_t n = a.dim(0, "n");
  if (n < 1 || n > 1024) a.range_error("n must be in [1, 1024]");
  set_threads((int)n);
}

void Gemm(const CallbackInfo& info) {
  Args a(info, "gemm");
  const bool tA = a.flag(0, "transA"), tB = a.flag(1, "transB");
  const int64_t M = a.dim(2, "M"), N = a.dim(3, "N"), K = a.dim(4, "K");
  const float alpha = a.num(5, "alpha");
  const float* A = a.f32(6, "A", a.count({M, K}));
  const float* B = a.f32(7, "B", a.count({K, N}));
  const float beta = a.num(8, "beta");
  gemm(tA, tB, M, N, K, alpha, A, B, beta, a.f32(9, "C", a.count({M, N})));
}

// A packed weight as JavaScript holds it: freed by releaseLinear, or by the garbage collector
// when nothing references it (whose finalizers Node runs only when the event loop turns, so a
// synchronous loop of generate calls would pile up copies without the explicit release).
struct PackedHandle {
  PackedLinear* p;
  int64_t bytes;
};

void free_handle(Napi::Env env, PackedHandle* h) {
  if (!h->p) return;
  Napi::MemoryManagement::AdjustExternalMemory(env, -h->bytes);
  linear_free(h->p);
  h->p = nullptr;
}

PackedHandle* handle_of(const Args& a, const CallbackInfo& info, size_t i) {
  if (info.Length() <= i || !info[i].IsExternal()) a.type_error("packed must be a value returned by packLinear");
  return info[i].As<Napi::External<PackedHandle>>().Data();
}

Value PackLinear(const CallbackInfo& info) {
  Args a(info, "packLinear");
  const int64_t N = a.dim(1, "N"), K = a.dim(2, "K");
  const bool bf16 = a.flag(3, "bf16");
  if (bf16 && !bf16_supported()) a.range_error("bf16 weights need the oneDNN backend on a CPU with AVX512-BF16 or AMX");
  PackedLinear* p = linear_pack(a.f32(0, "W", a.count({N, K})), N, K, bf16);
  auto* h = new PackedHandle{p, linear_bytes(p)};
  Napi::MemoryManagement::AdjustExternalMemory(info.Env(), h->bytes);
  return Napi::External<PackedHandle>::New(info.Env(), h, [](Napi::Env env, PackedHandle* q) {
    free_handle(env, q);
    delete q;
  });
}

void ReleaseLinear(const CallbackInfo& info) {
  Args a(info, "releaseLinear");
  free_handle(info.Env(), handle_of(a, info, 0));
}

void LinearForward(const CallbackInfo& info) {
  Args a(info, "linearForward");
  const PackedLinear* p = handle_of(a, info, 2)->p;
  if (!p) a.type_error("packed was released by releaseLinear");
  const int64_t M = a.dim(1, "M"), rows = linear_rows(M);
  int64_t N, K;
  linear_shape(p, &N, &K);
  linear_forward(p, a.f32(0, "x", a.count({rows, K})), M, a.f32(3, "y", a.count({rows, N})), a.flag(4, "accumulate"));
}

Value LinearRows(const CallbackInfo& info) {
  Args a(info, "linearRows");
  return Napi::Number::New(info.Env(), (double)linear_rows(a.dim(0, "M")));
}

void RmsnormForward(const CallbackInfo& info) {
  Args a(info, "rmsnormForward");
  const int64_t N = a.dim(2, "N"), dim = a.dim(3, "dim"), n = a.count({N, dim});
  rmsnorm_forward(a.f32(0, "x", n), a.f32(1, "weight", dim), N, dim, a.num(4, "eps"), a.f32(5, "y", n),
                  a.f32(6, "rstd", N));
}

void RmsnormBackward(const CallbackInfo& info) {
  Args a(info, "rmsnormBackward");
  const int64_t N = a.dim(4, "N"), dim = a.dim(5, "dim"), n = a.count({N, dim});
  rmsnorm_backward(a.f32(0, "dy", n), a.f32(1, "x", n), a.f32(2, "weight", dim), a.f32(3, "rstd", N), N, dim,
                   a.f32(6, "dx", n), a.f32(7, "dweight", dim), a.present(8) && a.flag(8, "accumulate"));
}

// Floats spanned by N rows of `row` floats each, `stride` apart.
int64_t strided(const Args& a, int64_t N, int64_t stride, int64_t row) {
  return N == 0 ? 0 : a.count({N - 1, stride}) + row;
}

void Rope(const CallbackInfo& info) {
  Args a(info, "rope");
  const int64_t N = a.dim(3, "N"), H = a.dim(4, "H"), D = a.dim(5, "D");
  if (D % 2) a.range_error("D must be even");
  const int64_t row = a.count({H, D});
  const int64_t xs = a.present(8) ? a.dim(8, "xStride") : row, ys = a.present(9) ? a.dim(9, "yStride") : row;
  if (xs < row || ys < row) a.range_error("row strides must be at least H * D = " + std::to_string(row));
  rope(a.f32(0, "x", strided(a, N, xs, row)), a.i32(1, "positions", N), a.f32(2, "invFreq", D / 2), N, H, D,
       a.flag(6, "inverse"), a.f32(7, "y", strided(a, N, ys, row)), xs, ys);
}

void SwigluRows(const CallbackInfo& info) {
  Args a(info, "swigluRows");
  const int64_t rows = a.dim(1, "rows"), I = a.dim(2, "I");
  swiglu_rows(a.f32(0, "gateUp", a.count({rows, 2, I})), rows, I, a.f32(3, "out", a.count({rows, I})));
}

void SwigluForward(const CallbackInfo& info) {
  Args a(info, "swigluForward");
  const int64_t n = a.dim(2, "n");
  swiglu_forward(a.f32(0, "gate", n), a.f32(1, "up", n), n, a.f32(3, "out", n));
}

void SwigluBackward(const CallbackInfo& info) {
  Args a(info, "swigluBackward");
  const int64_t n = a.dim(3, "n");
  swiglu_backward(a.f32(0, "dout", n), a.f32(1, "gate", n), a.f32(2, "up", n), n, a.f32(4, "dgate", n),
                  a.f32(5, "dup", n));
}

// ids[0:n] must lie in [0, V).
void check_ids(const Args& a, const int32_t* ids, int64_t n, int64_t V, const char* name) {
  for (int64_t i = 0; i < n; i++)
    if (ids[i] < 0 || ids[i] >= V)
      a.range_error(std::string(name) + "[" + std::to_string(i) + "] = " + std::to_string(ids[i]) +
                    " is outside [0, " + std::to_string(V) + ")");
}

int64_t length_of(const Args& a, const CallbackInfo& info, size_t i, const char* name) {
  a.i32(i, name, 0);
  return info[i].As<Napi::Int32Array>().ElementLength();
}

int64_t length_of_f32(const Args& a, const CallbackInfo& info, size_t i, const char* name) {
  a.f32(i, name, 0);
  return info[i].As<Napi::Float32Array>().ElementLength();
}

void EmbeddingForward(const CallbackInfo& info) {
  Args a(info, "embeddingForward");
  const int64_t V = a.dim(1, "V"), dim = a.dim(2, "dim"), N = length_of(a, info, 3, "ids");
  const int32_t* ids = a.i32(3, "ids", N);
  check_ids(a, ids, N, V, "ids");
  embedding_forward(a.f32(0, "weight", a.count({V, dim})), dim, ids, N, a.f32(4, "out", a.count({N, dim})));
}

void EmbeddingBackward(const CallbackInfo& info) {
  Args a(info, "embeddingBackward");
  const int64_t N = length_of(a, info, 1, "ids"), V = a.dim(2, "V"), dim = a.dim(3, "dim");
  const int32_t* ids = a.i32(1, "ids", N);
  check_ids(a, ids, N, V, "ids");
  embedding_backward(a.f32(0, "dout", a.count({N, dim})), ids, N, dim, a.f32(4, "dweight", a.count({V, dim})));
}

// Reads Hq, Hkv, D at arguments i, i + 1, i + 2 and the scale at argument scale_at.
Heads heads(const Args& a, size_t i, size_t scale_at) {
  Heads h{a.dim(i, "Hq"), a.dim(i + 1, "Hkv"), a.dim(i + 2, "D"), (float)a.num(scale_at, "scale")};
  if (h.Hq == 0 || h.Hkv == 0 || h.Hq % h.Hkv != 0) a.range_error("Hq must be a positive multiple of Hkv");
  return h;
}

// Sequence offsets of a packed batch at argument i: an Int32Array [S + 1] starting at 0, non-decreasing.
struct Packed {
  const int32_t* offsets;
  int64_t S, N;  // sequences, tokens
  Packed(const Args& a, const CallbackInfo& info, size_t i) {
    const int64_t n = length_of(a, info, i, "offsets");
    offsets = a.i32(i, "offsets", n);
    if (n < 1 || offsets[0] != 0) a.range_error("offsets must start at 0");
    for (int64_t s = 1; s < n; s++)
      if (offsets[s] < offsets[s - 1])
        a.range_error("offsets must be non-decreasing (offsets[" + std::to_string(s) + "] < offsets[" +
                      std::to_string(s - 1) + "])");
    S = n - 1, N = offsets[S];
  }
};

// Element counts of q/out [N,Hq,D], k/v [N,Hkv,D] and lse [N,Hq], overflow-checked.
struct AttnSizes {
  int64_t q, kv, lse;
  AttnSizes(const Args& a, int64_t N, const Heads& h)
      : q(a.count({N, h.Hq, h.D})), kv(a.count({N, h.Hkv, h.D})), lse(a.count({N, h.Hq})) {}
};

void AttentionForward(const CallbackInfo& info) {
  Args a(info, "attentionForward");
  const Packed p(a, info, 3);
  const Heads h = heads(a, 4, 7);
  const AttnSizes n(a, p.N, h);
  attention_forward(a.f32(0, "q", n.q), a.f32(1, "k", n.kv), a.f32(2, "v", n.kv), p.offsets, p.S, h,
                    a.f32(8, "out", n.q), a.f32(9, "lse", n.lse));
}

void AttentionBackward(const CallbackInfo& info) {
  Args a(info, "attentionBackward");
  const Packed p(a, info, 6);
  const Heads h = heads(a, 7, 10);
  const AttnSizes n(a, p.N, h);
  attention_backward(a.f32(0, "dout", n.q), a.f32(1, "q", n.q), a.f32(2, "k", n.kv), a.f32(3, "v", n.kv),
                     a.f32(4, "out", n.q), a.f32(5, "lse", n.lse), p.offsets, p.S, h, a.f32(11, "dq", n.q),
                     a.f32(12, "dk", n.kv), a.f32(13, "dv", n.kv));
}

void AttentionCached(const CallbackInfo& info) {
  Args a(info, "attentionCached");
  const Packed p(a, info, 7);
  const Heads h = heads(a, 8, 12);
  const int64_t maxT = a.dim(11, "maxT");
  const AttnSizes n(a, p.N, h);
  const int64_t per_slot = a.count({h.Hkv, maxT, h.D});
  const int64_t cache_len = length_of_f32(a, info, 3, "cacheK");
  const int64_t n_slots = per_slot == 0 ? 0 : cache_len / per_slot;
  float* cacheK = a.f32(3, "cacheK", n_slots * per_slot);
  float* cacheV = a.f32(4, "cacheV", n_slots * per_slot);
  const int32_t* slots = a.i32(5, "slots", p.S);
  const int32_t* start = a.i32(6, "start", p.S);
  std::vector<bool> used(n_slots, false);
  for (int64_t s = 0; s < p.S; s++) {
    const std::string at = "[" + std::to_string(s) + "]";
    if (slots[s] < 0 || slots[s] >= n_slots || used[slots[s]])
      a.range_error("slots" + at + " = " + std::to_string(slots[s]) + " is outside [0, " + std::to_string(n_slots) +
                    ") or repeated");
    used[slots[s]] = true;
    const int64_t end = (int64_t)start[s] + p.offsets[s + 1] - p.offsets[s];
    if (start[s] < 0 || end > maxT)
      a.range_error("start" + at + " + tokens = " + std::to_string(end) + " is outside [0, maxT = " +
                    std::to_string(maxT) + "]");
  }
  const int64_t row = a.count({h.Hkv, h.D}), kv_stride = a.present(14) ? a.dim(14, "kvStride") : row;
  if (kv_stride < row) a.range_error("kvStride must be at least Hkv * D = " + std::to_string(row));
  const int64_t kv = strided(a, p.N, kv_stride, row);
  attention_cached(a.f32(0, "q", n.q), a.f32(1, "k", kv), a.f32(2, "v", kv), cacheK, cacheV, slots, start,
                   p.offsets, p.S, h, maxT, kv_stride, a.f32(13, "out", n.q));
}

void KvCopySlot(const CallbackInfo& info) {
  Args a(info, "kvCopySlot");
  const int64_t Hkv = a.dim(2, "Hkv"), D = a.dim(3, "D"), maxT = a.dim(4, "maxT");
  const int64_t from = a.dim(5, "from"), to = a.dim(6, "to"), length = a.dim(7, "length");
  const int64_t per_slot = a.count({Hkv, maxT, D});
  const int64_t n_slots = per_slot == 0 ? 0 : length_of_f32(a, info, 0, "cacheK") / per_slot;
  if (from >= n_slots || to >= n_slots || from == to)
    a.range_error("slots " + std::to_string(from) + " -> " + std::to_string(to) + " must differ and lie in [0, " +
                  std::to_string(n_slots) + ")");
  if (length > maxT) a.range_error("length " + std::to_string(length) + " > maxT = " + std::to_string(maxT));
  kv_copy_slot(a.f32(0, "cacheK", n_slots * per_slot), a.f32(1, "cacheV", n_slots * per_slot), Hkv, D, maxT, from, to,
               length);
}

// N, dim, V at arguments i, i + 1, i + 2 and targets[N] at argument ti, checked; nh = N*dim
// (hidden), nw = V*dim (W).
struct LmHeadDims {
  int64_t N, dim, V, nh, nw;
  const int32_t* targets;
  LmHeadDims(const Args& a, size_t i, size_t ti) : N(a.dim(i, "N")), dim(a.dim(i + 1, "dim")), V(a.dim(i + 2, "V")) {
    if (V < 1) a.range_error("V must be at least 1");
    nh = a.count({N, dim});
    nw = a.count({V, dim});
    targets = a.i32(ti, "targets", N);
    check_ids(a, targets, N, V, "targets");
  }
};

void LmHeadForward(const CallbackInfo& info) {
  Args a(info, "lmHeadLogprobForward");
  const LmHeadDims d(a, 3, 2);
  float* saved = a.present(10) ? a.f32(10, "saved", a.count({d.N, d.V})) : nullptr;
  lmhead_forward(a.f32(0, "hidden", d.nh), a.f32(1, "W", d.nw), d.targets, d.N, d.dim, d.V, a.num(6, "scale"),
                 a.f32(7, "logp", d.N), a.f32(8, "entropy", d.N), a.f32(9, "lse", d.N), saved);
}

void LmHeadBackward(const CallbackInfo& info) {
  Args a(info, "lmHeadLogprobBackward");
  const LmHeadDims d(a, 6, 4);
  const float* entropy = a.present(12) ? a.f32(12, "entropy", d.N) : nullptr;
  float* saved = a.present(13) ? a.f32(13, "saved", a.count({d.N, d.V})) : nullptr;
  lmhead_backward(a.f32(0, "dlogp", d.N), a.f32(1, "dentropy", d.N), a.f32(2, "hidden", d.nh), a.f32(3, "W", d.nw),
                  d.targets, a.f32(5, "lse", d.N), entropy, d.N, d.dim, d.V, a.num(9, "scale"),
                  a.f32(10, "dhidden", d.nh), a.f32(11, "dW", d.nw), saved);
}

void Sample(const CallbackInfo& info) {
  Args a(info, "sample");
  const int64_t B = a.dim(1, "B"), V = a.dim(2, "V");
  if (V < 1 || V > INT32_MAX) a.range_error("V must be in [1, 2^31 - 1] (ids are int32)");
  const double temperature = a.num(3, "temperature"), topK = a.num(4, "topK"), topP = a.num(5, "topP");
  if (std::isnan(temperature)) a.range_error("temperature must not be NaN");
  if (topK != std::floor(topK)) a.range_error("topK must be an integer (<= 0 or >= V: all)");  // also NaN
  if (!(topP > 0 && topP <= 1)) a.range_error("topP must be in (0, 1]");
  // A positive temperature below float range stays positive (sampling in the T -> 0 limit, not greedy).
  const float T = temperature > 0 ? std::max((float)temperature, std::numeric_limits<float>::denorm_min())
                                  : (float)temperature;
  sample(a.f32(0, "logits", a.count({B, V})), B, V, T, topK > 0 && topK < V ? (int64_t)topK : 0, topP,
         a.f32(6, "uniforms", B), a.i32(7, "ids", B), a.f32(8, "logp", B));
}

// Checks that the lists have as many arrays as `ref`, each as long as its counterpart.
void check_lists(const Args& a, const std::vector<Span>& ref, const std::vector<Span>& other, const char* name) {
  if (other.size() != ref.size())
    a.type_error(std::string(name) + " has " + std::to_string(other.size()) + " arrays, params has " +
                 std::to_string(ref.size()));
  for (size_t i = 0; i < ref.size(); i++)
    if (other[i].n != ref[i].n)
      a.type_error(std::string(name) + "[" + std::to_string(i) + "] has " + std::to_string(other[i].n) +
                   " elements, params[" + std::to_string(i) + "] has " + std::to_string(ref[i].n));
}

void Adamw(const CallbackInfo& info) {
  Args a(info, "adamw");
  const auto params = a.list(0, "params"), grads = a.list(1, "grads"), m = a.list(2, "m"), v = a.list(3, "v");
  check_lists(a, params, grads, "grads");
  check_lists(a, params, m, "m");
  check_lists(a, params, v, "v");
  const int64_t step = a.dim(9, "step");
  if (step < 1) a.range_error("step must be at least 1");
  const double beta1 = a.num(5, "beta1"), beta2 = a.num(6, "beta2");
  // In float (as the kernel uses them): 1 - beta^step must not be 0.
  if (!(beta1 >= 0 && (float)beta1 < 1 && beta2 >= 0 && (float)beta2 < 1))
    a.range_error("beta1 and beta2 must be in [0, 1)");
  adamw(params, grads, m, v, a.num(4, "lr"), beta1, beta2, a.num(7, "eps"),
        a.num(8, "weightDecay"), step);
}

Value GlobalNorm(const CallbackInfo& info) {
  Args a(info, "globalNorm");
  return Napi::Number::New(info.Env(), global_norm(a.list(0, "arrays")));
}

void ScaleInPlace(const CallbackInfo& info) {
  Args a(info, "scaleInPlace");
  scale_in_place(a.list(0, "arrays"), a.num(1, "s"));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto add = [&](const char* name, auto fn) { exports.Set(name, Napi::Function::New(env, fn, name)); };
  add("info", Info);
  add("setThreads", SetThreads);
  add("gemm", Gemm);
  add("packLinear", PackLinear);
  add("releaseLinear", ReleaseLinear);
  add("linearForward", LinearForward);
  add("linearRows", LinearRows);
  add("rmsnormForward", RmsnormForward);
  add("rmsnormBackward", RmsnormBackward);
  add("rope", Rope);
  add("swigluForward", SwigluForward);
  add("swigluRows", SwigluRows);
  add("swigluBackward", SwigluBackward);
  add("embeddingForward", EmbeddingForward);
  add("embeddingBackward", EmbeddingBackward);
  add("attentionForward", AttentionForward);
  add("attentionBackward", AttentionBackward);
  add("attentionCached", AttentionCached);
  add("kvCopySlot", KvCopySlot);
  add("lmHeadLogprobForward", LmHeadForward);
  add("lmHeadLogprobBackward", LmHeadBackward);
  add("sample", Sample);
  add("adamw", Adamw);
  add("globalNorm", GlobalNorm);
  add("scaleInPlace", ScaleInPlace);
  return exports;
}

}  // namespace
}  // namespace rz

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return rz::Init(env, exports); }

NODE_API_MODULE(rlzero_native, InitModule)
