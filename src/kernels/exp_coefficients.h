#pragma once
// e^x for x <= 0 as the SIMD softmaxes compute it: x = n ln2 + r with |r| <= ln2 / 2 (ln2 split in two so n ln2 is
// exact), e^r by its degree-6 Taylor polynomial, times 2^n. Within 2 ulp of expf. Inputs below kMinInput are
// clamped there, so n >= -126 and 2^n is a normal float (AVX2 and NEON build it in the exponent bits).

namespace flatbert::exp_coefficients {

constexpr float kMinInput = -87.f;
constexpr float kLog2e = 1.44269504f;
constexpr float kLn2Hi = 0.693145752f, kLn2Lo = 1.42860677e-6f;
constexpr int kTaylorCount = 7;
constexpr float kTaylor[kTaylorCount] = {1.f / 720, 1.f / 120, 1.f / 24, 1.f / 6, 0.5f, 1.f, 1.f};  // highest power first

}  // namespace flatbert::exp_coefficients
