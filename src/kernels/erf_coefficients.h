#pragma once
// erf(z) ~ z * P(z^2) / Q(z^2) on z in [-4, 4] (Eigen's generic_fast_erf_float), highest power first.
// `static`: each ISA's file keeps its own copy (see tile.h).

namespace flatbert::erf_coefficients {

constexpr float kInvSqrt2 = 0.70710678118654752f;
constexpr int kAlphaCount = 7, kBetaCount = 5;
constexpr float kAlpha[kAlphaCount] = {-2.72614225801306e-10f, 2.77068142495902e-08f, -2.10102402082508e-06f,
                                       -5.69250639462346e-05f, -7.34990630326855e-04f, -2.95459980854025e-03f,
                                       -1.60960333262415e-02f};
constexpr float kBeta[kBetaCount] = {-1.45660718464996e-05f, -2.13374055278905e-04f, -1.68282697438203e-03f,
                                     -7.37332916720468e-03f, -1.42647390514189e-02f};

static inline float ErfApprox(float z) {
  z = z < -4.f ? -4.f : (z > 4.f ? 4.f : z);
  const float z2 = z * z;
  float p = kAlpha[0], q = kBeta[0];
  for (int k = 1; k < kAlphaCount; ++k) p = p * z2 + kAlpha[k];
  for (int k = 1; k < kBetaCount; ++k) q = q * z2 + kBeta[k];
  return z * p / q;
}

}  // namespace flatbert::erf_coefficients
