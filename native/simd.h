// Portable SIMD helpers on GCC/Clang vector extensions: the compiler lowers `vf` to the widest
// registers the build target has (AVX-512 with -march=native on the target machine, else AVX2/SSE/NEON).
#pragma once
#include <cstdint>
#include <cstring>

namespace rz {

#if defined(__AVX512F__)
constexpr int VL = 16;  // floats per vector
#else
constexpr int VL = 8;
#endif

typedef float vf __attribute__((vector_size(VL * 4)));
typedef int32_t vi __attribute__((vector_size(VL * 4)));

inline vf vload(const float* p) { vf v; std::memcpy(&v, p, sizeof v); return v; }
inline void vstore(float* p, vf v) { std::memcpy(p, &v, sizeof v); }
// Broadcast: lane 0 shuffled to every lane (a single vbroadcastss). `vf{} + x` would also add
// 0.0f to x first, which the compiler must keep (-0.0f + 0.0f is +0.0f), on every use.
inline vf vset(float x) {
  const vf v = {x};
  return __builtin_shuffle(v, vi{});
}

inline float hsum(vf v) { float s = 0; for (int i = 0; i < VL; i++) s += v[i]; return s; }
inline float hmax(vf v) { float m = v[0]; for (int i = 1; i < VL; i++) m = v[i] > m ? v[i] : m; return m; }
inline vf vmax(vf a, vf b) { return a > b ? a : b; }

// e^x per lane (Cephes-style range reduction + degree-6 polynomial, ~2 ulp);
// returns 0 for x < -87.3 (so exp(-inf) = 0) and saturates at x = 88.7.
inline vf vexp(vf x) {
  const vf hi = vset(88.7f), lo = vset(-87.3f);
  vf xc = x > hi ? hi : x;
  xc = xc < lo ? lo : xc;
  const vf magic = vset(12582912.0f);  // 1.5 * 2^23: rounds to nearest integer
  vf n = (xc * vset(1.44269504088896341f) + magic) - magic;
  vf r = xc - n * vset(0.693359375f) - n * vset(-2.12194440e-4f);
  vf p = vset(1.9875691500e-4f);
  p = p * r + vset(1.3981999507e-3f);
  p = p * r + vset(8.3334519073e-3f);
  p = p * r + vset(4.1665795894e-2f);
  p = p * r + vset(1.6666665459e-1f);
  p = p * r + vset(5.0000001201e-1f);
  p = p * r * r + r + vset(1.0f);
  vi e = (__builtin_convertvector(n, vi) + 127) << 23;
  vf scale;
  std::memcpy(&scale, &e, sizeof scale);
  vf y = p * scale;
  return x < lo ? vf{} : y;
}

inline int64_t round_up(int64_t x, int64_t m) { return (x + m - 1) / m * m; }

}  // namespace rz
