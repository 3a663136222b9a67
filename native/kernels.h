// The compute kernels, on raw pointers (no Node-API here; addon.cc validates arguments).
// Shapes follow src/native/api.ts; all arrays are contiguous row-major.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace rz {

// ---- threads.cc
void set_threads(int n);
int get_threads();
std::vector<std::string> cpu_features();

// ---- gemm_<backend>.cc: C[M,N] = alpha op(A) op(B) + beta C (see api.ts)
void gemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
          const float* B, float beta, float* C);
const char* gemm_backend();
std::string gemm_backend_version();

// ---- linear in gemm_onednn.cc / linear_generic.cc: y[M,N] = x[M,K] W^T (+ y if accumulate), with
// W [N,K] prepared once ("packed") in the backend's preferred layout, in f32 or bf16 (then x is
// rounded to bf16 too and the products accumulate in f32). x and y must hold linear_rows(M) rows:
// the GEMM runs on M rounded up to a bucket, so a few primitives serve every row count, and the
// rows past M are scratch.
struct PackedLinear;
PackedLinear* linear_pack(const float* W, int64_t N, int64_t K, bool bf16);
void linear_free(PackedLinear* p);
int64_t linear_bytes(const PackedLinear* p);
void linear_shape(const PackedLinear* p, int64_t* N, int64_t* K);
int64_t linear_rows(int64_t M);
void linear_forward(const PackedLinear* p, const float* x, int64_t M, float* y, bool accumulate);
// Whether this build and CPU run bf16 products in hardware (oneDNN on AVX512-BF16 or AMX).
bool bf16_supported();

// ---- rmsnorm.cc
void rmsnorm_forward(const float* x, const float* w, int64_t N, int64_t dim, float eps, float* y, float* rstd);
void rmsnorm_backward(const float* dy, const float* x, const float* w, const float* rstd, int64_t N, int64_t dim,
                      float* dx, float* dw, bool accumulate_dx);

// ---- rope.cc
void rope(const float* x, const int32_t* pos, const float* inv_freq, int64_t N, int64_t H, int64_t D, bool inverse,
          float* y, int64_t x_stride, int64_t y_stride);

// ---- swiglu.cc
void swiglu_forward(const float* gate, const float* up, int64_t n, float* out);
void swiglu_backward(const float* dout, const float* gate, const float* up, int64_t n, float* dgate, float* dup);
void swiglu_rows(const float* gate_up, int64_t rows, int64_t I, float* out);

// ---- embedding.cc (ids already checked to lie in [0, V))
void embedding_forward(const float* w, int64_t dim, const int32_t* ids, int64_t N, float* out);
void embedding_backward(const float* dout, const int32_t* ids, int64_t N, int64_t dim, float* dw);

// ---- attention.cc: packed sequences, sequence s = token rows offsets[s] .. offsets[s+1]-1
// (offsets already checked: non-decreasing from 0); q/out [N,Hq,D], k/v [N,Hkv,D], lse [N,Hq].
struct Heads { int64_t Hq, Hkv, D; float scale; };
void attention_forward(const float* q, const float* k, const float* v, const int32_t* offsets, int64_t S,
                       const Heads& h, float* out, float* lse);
void attention_backward(const float* dout, const float* q, const float* k, const float* v, const float* out,
                        const float* lse, const int32_t* offsets, int64_t S, const Heads& h, float* dq, float* dk,
                        float* dv);

// ---- attention_cache.cc (slots, start + lengths <= maxT already checked). cacheK
// [slots, Hkv, D, maxT] (keys transposed), cacheV [slots, Hkv, maxT, D].
void attention_cached(const float* q, const float* k, const float* v, float* cacheK, float* cacheV,
                      const int32_t* slots, const int32_t* start, const int32_t* offsets, int64_t S, const Heads& h,
                      int64_t maxT, int64_t kv_stride, float* out);
void kv_copy_slot(float* cacheK, float* cacheV, int64_t Hkv, int64_t D, int64_t maxT, int64_t from, int64_t to,
                  int64_t length);

// ---- lmhead.cc (targets already checked; saved: null or N*V floats, the logits in tile order)
void lmhead_forward(const float* hidden, const float* W, const int32_t* targets, int64_t N, int64_t dim, int64_t V,
                    float scale, float* logp, float* entropy, float* lse, float* saved);
void lmhead_backward(const float* dlogp, const float* dentropy, const float* hidden, const float* W,
                     const int32_t* targets, const float* lse, const float* entropy, int64_t N, int64_t dim,
                     int64_t V, float scale, float* dhidden, float* dW, float* saved);

// ---- sampler.cc
void sample(const float* logits, int64_t B, int64_t V, float temperature, int64_t topK, float topP,
            const float* uniforms, int32_t* ids, float* logp);

// ---- optim.cc: one tensor list = (pointer, length) pairs
struct Span { float* p; int64_t n; };
void adamw(const std::vector<Span>& params, const std::vector<Span>& grads, const std::vector<Span>& m,
           const std::vector<Span>& v, float lr, float beta1, float beta2, float eps, float weight_decay,
           int64_t step);
double global_norm(const std::vector<Span>& arrays);
void scale_in_place(const std::vector<Span>& arrays, float s);

}  // namespace rz
