// Fused LM head + log-softmax + entropy: z = scale * hidden[N,dim] @ W[V,dim]^T is computed in
// [RC x VT] tiles by the GEMM backend and consumed at once (online log-sum-exp in the forward; dz
// and its two GEMMs in the backward). Either the tiles are kept (`saved`, the tiles one after the
// other in the order they are computed: N*V floats), so the backward reuses them, or the backward
// computes them again.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels.h"
#include "simd.h"

namespace rz {
namespace {

constexpr int64_t RC = 512;   // rows per chunk
constexpr int64_t VT = 1024;  // vocabulary entries per tile

// Running softmax statistics of one row: max m, s = sum e^(z-m), t = sum e^(z-m) (z-m).
struct RowStats {
  double m = -std::numeric_limits<double>::infinity(), s = 0, t = 0;

  // Folds in z[0:n].
  void add(const float* z, int64_t n) {
    const vf neg_inf = vset(-std::numeric_limits<float>::infinity());
    vf mx = neg_inf;
    int64_t j = 0;
    for (; j + VL <= n; j += VL) mx = vmax(mx, vload(z + j));
    float tm = hmax(mx);
    for (; j < n; j++) tm = std::max(tm, z[j]);
    const float mt = std::max((float)m, tm);
    vf vs = {}, vt = {};
    for (j = 0; j + VL <= n; j += VL) {
      const vf d = vload(z + j) - mt, e = vexp(d);
      vs += e;
      vt += e * d;
    }
    double ts = hsum(vs), tt = hsum(vt);
    for (; j < n; j++) {
      const double d = z[j] - mt, e = std::exp(d);
      ts += e;
      tt += e * d;
    }
    if (s > 0) {  // rescale the old sums from max m to mt
      const double f = std::exp(m - mt);
      ts += f * s;
      tt += f * (t + (m - mt) * s);
    }
    m = mt, s = ts, t = tt;
  }
  double lse() const { return m + std::log(s); }
  double entropy() const { return std::log(s) - t / s; }
};

}  // namespace

void lmhead_forward(const float* hidden, const float* W, const int32_t* targets, int64_t N, int64_t dim, int64_t V,
                    float scale, float* logp, float* entropy, float* lse, float* saved) {
  std::vector<float> Z(saved ? 0 : std::min(N, RC) * VT);
  std::vector<RowStats> stats(std::min(N, RC));
  std::vector<float> zt(std::min(N, RC));
  for (int64_t n0 = 0; n0 < N; n0 += RC) {
    const int64_t rc = std::min(RC, N - n0);
    std::fill(stats.begin(), stats.end(), RowStats{});
    for (int64_t v0 = 0; v0 < V; v0 += VT) {
      const int64_t vt = std::min(VT, V - v0);
      float* tile = saved ? saved + n0 * V + rc * v0 : Z.data();
      gemm(false, true, rc, vt, dim, scale, hidden + n0 * dim, W + v0 * dim, 0.0f, tile);
#pragma omp parallel for schedule(static)
      for (int64_t i = 0; i < rc; i++) {
        const float* z = tile + i * vt;
        stats[i].add(z, vt);
        const int64_t tj = targets[n0 + i] - v0;
        if (tj >= 0 && tj < vt) zt[i] = z[tj];
      }
    }
    for (int64_t i = 0; i < rc; i++) {
      lse[n0 + i] = (float)stats[i].lse();
      logp[n0 + i] = (float)(zt[i] - stats[i].lse());
      entropy[n0 + i] = (float)stats[i].entropy();
    }
  }
}

// With p = softmax(z), H = entropy: dz_j = dlogp ([j = target] - p_j) - dentropy p_j (z_j - lse + H);
// dhidden = scale dz @ W (written), dW += scale dz^T @ hidden. H comes from `entropy` (saved by the
// forward) or, if that is null and some dentropy is non-zero, from a forward recomputation.
// The logits come from `saved` (the forward's tiles, overwritten here with dz) or are recomputed.
void lmhead_backward(const float* dlogp, const float* dentropy, const float* hidden, const float* W,
                     const int32_t* targets, const float* lse, const float* entropy, int64_t N, int64_t dim,
                     int64_t V, float scale, float* dhidden, float* dW, float* saved) {
  std::vector<float> H;
  if (!entropy) {
    H.assign(N, 0.0f);
    if (std::any_of(dentropy, dentropy + N, [](float x) { return x != 0.0f; })) {
      std::vector<float> lp(N), ls(N);
      lmhead_forward(hidden, W, targets, N, dim, V, scale, lp.data(), H.data(), ls.data(), nullptr);
    }
    entropy = H.data();
  }
  std::vector<float> Z(saved ? 0 : std::min(N, RC) * VT);
  for (int64_t n0 = 0; n0 < N; n0 += RC) {
    const int64_t rc = std::min(RC, N - n0);
    for (int64_t v0 = 0; v0 < V; v0 += VT) {
      const int64_t vt = std::min(VT, V - v0);
      float* Zd = saved ? saved + n0 * V + rc * v0 : Z.data();
      if (!saved) gemm(false, true, rc, vt, dim, scale, hidden + n0 * dim, W + v0 * dim, 0.0f, Zd);
#pragma omp parallel for schedule(static)
      for (int64_t i = 0; i < rc; i++) {
        const int64_t n = n0 + i;
        float* z = Zd + i * vt;
        const float a = dlogp[n], c = dentropy[n], L = lse[n], shift = entropy[n] - L;
        const vf va = vset(a), vc = vset(c), vL = vset(L), vshift = vset(shift);
        int64_t j = 0;
        for (; j + VL <= vt; j += VL) {
          const vf zj = vload(z + j), p = vexp(zj - vL);
          vstore(z + j, -p * (va + vc * (zj + vshift)));
        }
        for (; j < vt; j++) {
          const float p = std::exp(z[j] - L);
          z[j] = -p * (a + c * (z[j] + shift));
        }
        const int64_t tj = targets[n] - v0;
        if (tj >= 0 && tj < vt) z[tj] += a;
      }
      gemm(false, false, rc, dim, vt, scale, Zd, W + v0 * dim, v0 == 0 ? 0.0f : 1.0f, dhidden + n0 * dim);
      gemm(true, false, vt, dim, rc, scale, Zd, hidden + n0 * dim, 1.0f, dW + v0 * dim);
    }
  }
}

}  // namespace rz
