// Token sampler over logits[B, V], rows spread over threads: greedy argmax, or temperature
// softmax with top-k (a k-entry heap, or nth_element for large k) and top-p (a mass histogram
// over log-probability buckets, so only the boundary bucket is sorted). No full-vocabulary sort.
// NaN logits have probability 0; +inf logits share all of it (the softmax's limit), and so do the
// maximal logits when 1/temperature overflows.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels.h"
#include "simd.h"

namespace rz {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

constexpr int64_t SB = 256;  // weights per block of the plain draw's block sums

// Lowest index of the maximum, skipping NaN (NaN logits count as -inf): the maximum on vectors
// (a NaN lane never wins `x > m`), then the first index holding it.
int64_t argmax(const float* z, int64_t V) {
  vf mv = vset(-kInf);
  int64_t j = 0;
  for (; j + VL <= V; j += VL) {
    const vf x = vload(z + j);
    mv = x > mv ? x : mv;
  }
  float m = hmax(mv);
  for (; j < V; j++) m = z[j] > m ? z[j] : m;
  if (m > -kInf)
    for (j = 0; j < V; j++)
      if (z[j] == m) return j;
  int64_t best = 0;  // every logit is -inf or NaN: the first that is not NaN
  while (best + 1 < V && std::isnan(z[best])) best++;
  return best;
}

// Whether softmax(z / T) is only defined as a limit: zmax = +inf, or 1/T overflowed to +inf.
bool is_limit(float zmax, float invT) { return zmax == kInf || invT == kInf; }

// The unnormalised probabilities e[j] = exp((z[j] - zmax) * invT), zmax = max(z): NaN logits get
// weight 0, and in the limit case each logit equal to zmax gets 1 and the rest 0. Fills bsum[k]
// with the sum of block k (SB weights, summed on vectors) and returns their sum, in block order.
double weights(const float* z, int64_t V, float zmax, float invT, float* e, std::vector<double>& bsum) {
  const bool limit = is_limit(zmax, invT);
  const vf vm = vset(zmax), vt = vset(invT), one = vset(1.0f);
  bsum.resize((V + SB - 1) / SB);
  double total = 0;
  for (int64_t j0 = 0, k = 0; j0 < V; j0 += SB, k++) {
    const int64_t j1 = std::min(V, j0 + SB);
    vf acc = {};
    int64_t j = j0;
    for (; j + VL <= j1; j += VL) {
      const vf zj = vload(z + j);
      vf x = limit ? (zj == vm ? one : vf{}) : vexp((zj - vm) * vt);
      x = x == x ? x : vf{};  // NaN -> 0
      vstore(e + j, x);
      acc += x;
    }
    double b = hsum(acc);
    for (; j < j1; j++) {
      const float x = limit ? (z[j] == zmax ? 1.0f : 0.0f) : std::exp((z[j] - zmax) * invT);
      e[j] = x == x ? x : 0.0f;
      b += e[j];
    }
    bsum[k] = b;
    total += b;
  }
  return total;
}

// Inverse-CDF draw over all ids in id order with the weights and block sums of `weights`: the
// blocks are walked by their sums, then the block holding u * total entry by entry. Where a
// block's sum and its entries' running sum round differently (about 1e-16 of the mass), the walk
// stops on the block's last positive weight, so a zero-probability token is never drawn.
int32_t draw_blocked(const float* e, const std::vector<double>& bsum, int64_t V, double total, float u) {
  const double target = u * total;
  double acc = 0;
  for (int64_t k = 0; k < (int64_t)bsum.size(); acc += bsum[k], k++) {
    if (!(acc + bsum[k] > target)) continue;
    int32_t last = -1;
    double a = acc;
    for (int64_t j = k * SB; j < std::min(V, (k + 1) * SB); j++) {
      if (e[j] > 0) last = (int32_t)j;
      if ((a += e[j]) > target) return (int32_t)j;
    }
    if (last >= 0) return last;
  }
  for (int64_t j = V - 1; j > 0; j--)  // u * total beyond the walk (u >= 1 or NaN): the last positive weight
    if (e[j] > 0) return (int32_t)j;
  return 0;
}

// Inverse-CDF draw over cand[0:n], in that order, with weights e and u in [0, 1). The total is
// summed in the same order as the walk, so u < 1 always stops on a positive weight; the fallback
// (the last positive weight) only guards against u >= 1 or NaN.
int32_t draw(const int32_t* cand, int64_t n, const float* e, double total, float u) {
  const double target = u * total;
  double acc = 0;
  int32_t last = n > 0 ? cand[0] : 0;
  for (int64_t i = 0; i < n; i++) {
    const int32_t id = cand[i];
    if (e[id] > 0) last = id;
    if ((acc += e[id]) > target) return id;
  }
  return last;
}

// Whether id a ranks before id b: more probable, or as probable and lower.
inline bool ranks_before(const float* e, int32_t a, int32_t b) { return e[a] > e[b] || (e[a] == e[b] && a < b); }

double sum_of(const std::vector<int32_t>& cand, const float* e) {
  double s = 0;
  for (int32_t id : cand) s += e[id];
  return s;
}

// Top-p over the whole vocabulary without a full sort: a histogram of the probability mass over
// NB buckets of x = (zmax - z) / T in [0, XR] (the last bucket takes everything beyond, and NaN)
// finds the bucket where the sorted cumulative mass reaches topP; only that bucket is sorted.
// Fills `cand` with the kept ids (never a zero-weight one).
void top_p_all(const float* z, float zmax, float invT, const float* e, int64_t V, double total, float topP,
               std::vector<int32_t>& cand, std::vector<int32_t>& bucket_of) {
  constexpr int NB = 4096;
  constexpr float XR = 40.0f;
  double mass[NB] = {};
  bucket_of.resize(V);
  for (int64_t j = 0; j < V; j++) {
    const float x = (zmax - z[j]) * invT;
    const int bk = x < XR ? (int)(x * (NB / XR)) : NB - 1;  // x >= 0, or NaN (-> last bucket)
    bucket_of[j] = bk;
    mass[bk] += e[j];
  }
  const double want = topP * total;
  int boundary = 0;
  double acc = 0;
  while (boundary < NB - 1 && acc + mass[boundary] < want) acc += mass[boundary++];
  std::vector<int32_t> edge;
  for (int32_t j = 0; j < V; j++) {
    if (bucket_of[j] < boundary) cand.push_back(j);
    else if (bucket_of[j] == boundary) edge.push_back(j);
  }
  std::sort(edge.begin(), edge.end(), [e](int32_t a, int32_t b) { return ranks_before(e, a, b); });
  for (size_t n = 0; n < edge.size() && e[edge[n]] > 0 && (cand.empty() || acc < want); n++) {
    acc += e[edge[n]];
    cand.push_back(edge[n]);
  }
}

// Samples one row (see api.ts); zmax = max(z) is finite or +inf, temperature > 0.
int32_t sample_row(const float* z, int64_t V, float zmax, float temperature, int64_t topK, float topP, float u,
                   float* e, std::vector<double>& bsum, std::vector<int32_t>& cand, std::vector<int32_t>& scratch,
                   float& logp) {
  const float invT = 1.0f / temperature;
  const double total = weights(z, V, zmax, invT, e, bsum);
  const auto before = [e](int32_t a, int32_t b) { return ranks_before(e, a, b); };
  cand.clear();
  int32_t id;
  if (topK > 0 && topK < V) {
    if (topK <= 4096) {  // min-heap (by `before`) of the best topK so far
      for (int32_t j = 0; j < V; j++) {
        if ((int64_t)cand.size() < topK) {
          cand.push_back(j);
          std::push_heap(cand.begin(), cand.end(), before);
        } else if (before(j, cand.front())) {
          std::pop_heap(cand.begin(), cand.end(), before);
          cand.back() = j;
          std::push_heap(cand.begin(), cand.end(), before);
        }
      }
    } else {
      cand.resize(V);
      for (int32_t j = 0; j < V; j++) cand[j] = j;
      std::nth_element(cand.begin(), cand.begin() + topK, cand.end(), before);
      cand.resize(topK);
    }
    std::sort(cand.begin(), cand.end(), before);
    if (topP < 1.0f) {  // smallest prefix whose probability (within the top k) reaches topP
      const double want = topP * sum_of(cand, e);
      double acc = 0;
      size_t n = 0;
      while (n < cand.size() && acc < want) acc += e[cand[n++]];
      cand.resize(std::max<size_t>(n, 1));
    }
    id = draw(cand.data(), cand.size(), e, sum_of(cand, e), u);
  } else if (topP < 1.0f) {
    top_p_all(z, zmax, invT, e, V, total, topP, cand, scratch);
    id = draw(cand.data(), cand.size(), e, sum_of(cand, e), u);
  } else {  // plain sampling: walk in id order
    id = draw_blocked(e, bsum, V, total, u);
  }
  // log(e[id] / total), with log e[id] exact rather than from the float exp (0 in the limit case).
  logp = (float)((is_limit(zmax, invT) ? 0.0 : (double)(z[id] - zmax) * invT) - std::log(total));
  return id;
}

}  // namespace

// A row whose logits are all -inf or NaN has no distribution: it gets its argmax and logp NaN.
// Uniforms are clamped into [0, 1): a uniform rounded to float32 can be exactly 1.
void sample(const float* logits, int64_t B, int64_t V, float temperature, int64_t topK, float topP,
            const float* uniforms, int32_t* ids, float* logp) {
#pragma omp parallel if (B * V > 65536)
  {
    std::vector<float> e(V);
    std::vector<double> bsum;
    std::vector<int32_t> cand, scratch;
#pragma omp for schedule(dynamic)
    for (int64_t b = 0; b < B; b++) {
      const float* z = logits + b * V;
      const int64_t best = argmax(z, V);
      const float zmax = z[best];
      if (!(zmax > -kInf)) {
        ids[b] = (int32_t)best;
        logp[b] = std::numeric_limits<float>::quiet_NaN();
      } else if (temperature <= 0) {
        ids[b] = (int32_t)best;
        logp[b] = (float)-std::log(weights(z, V, zmax, 1.0f, e.data(), bsum));
      } else {
        const float u = std::min(uniforms[b] >= 0 ? uniforms[b] : 0.0f, std::nextafter(1.0f, 0.0f));
        ids[b] = sample_row(z, V, zmax, temperature, topK, topP, u, e.data(), bsum, cand, scratch, logp[b]);
      }
    }
  }
}

}  // namespace rz
