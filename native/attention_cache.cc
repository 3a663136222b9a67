// KV-cache attention over packed sequences, for prefill and decoding in one call: sequence s
// brings the token rows offsets[s] .. offsets[s+1]-1 of q/k/v, at positions start[s].. of cache
// slot slots[s]. Their keys and values are written into the slot, then each token attends the
// slot's positions 0 .. its own. Rows of k and v are kv_stride floats apart (Hkv * D when packed,
// more when they are slices of a fused q|k|v projection). Keys are cached transposed
// ([slot][Hkv][D][maxT]) so a key block is read in place as the right operand of the score tile;
// values as rows ([slot][Hkv][maxT][D]).
#include <cstring>

#include "attn_tiles.h"
#include "kernels.h"

namespace rz {

void attention_cached(const float* q, const float* k, const float* v, float* cacheK, float* cacheV,
                      const int32_t* slots, const int32_t* start, const int32_t* offsets, int64_t S, const Heads& h,
                      int64_t maxT, int64_t kv_stride, float* out) {
  const int64_t D = h.D, head = maxT * D;  // floats per (slot, KV head) in either cache
#pragma omp parallel for schedule(dynamic) if (offsets[S] * h.Hkv * D > 65536)
  for (int64_t s = 0; s < S; s++)
    for (int64_t t = 0; t < offsets[s + 1] - offsets[s]; t++)
      for (int64_t hk = 0; hk < h.Hkv; hk++) {
        const float *kr = k + (offsets[s] + t) * kv_stride + hk * D, *vr = v + (offsets[s] + t) * kv_stride + hk * D;
        const int64_t at = ((int64_t)slots[s] * h.Hkv + hk) * head, pos = start[s] + t;
        for (int64_t d = 0; d < D; d++) cacheK[at + d * maxT + pos] = kr[d];
        for (int64_t d = 0; d < D; d++) cacheV[at + pos * D + d] = vr[d];
      }
  attend_packed(q, out, nullptr, S, offsets, start, h, [&](int64_t s, int64_t hk) {
    const int64_t at = ((int64_t)slots[s] * h.Hkv + hk) * head;
    return KvSource{cacheK + at, maxT, true, maxT, cacheV + at, D};
  });
}

// Positions 0 .. length-1 of slot `from` into slot `to` (a prompt prefilled once, shared by its
// other samples): per KV head, D key rows of `length` floats and one block of length * D values.
void kv_copy_slot(float* cacheK, float* cacheV, int64_t Hkv, int64_t D, int64_t maxT, int64_t from, int64_t to,
                  int64_t length) {
  const int64_t head = maxT * D;
  for (int64_t hk = 0; hk < Hkv; hk++) {
    const int64_t src = (from * Hkv + hk) * head, dst = (to * Hkv + hk) * head;
    for (int64_t d = 0; d < D; d++)
      std::memcpy(cacheK + dst + d * maxT, cacheK + src + d * maxT, length * sizeof(float));
    std::memcpy(cacheV + dst, cacheV + src, length * D * sizeof(float));
  }
}

}  // namespace rz
