#pragma once
// ARM microkernels, one file per op per ISA, reached through kernels/dispatch.cc (HWCAP check for dotprod);
// tests/kernels/ compares each with the scalar reference (under qemu-user here).
#include <cstddef>
#include <cstdint>

#include "kernels/kernels.h"

namespace flatbert::arm {

// NEON (armv7 with VFPv4, and every aarch64).
void HalfToFloatNeon(const uint16_t* h, float* f, size_t n);
void LinearF32Neon(const float* x, const float* w, const float* bias, float* y, int m, int n, int k);
void LayerNormNeon(float* x, const float* gamma, const float* beta, int m, int n, float eps);
void AddNeon(float* x, const float* y, size_t n);
void ReluNeon(float* x, size_t n);
void NoNormNeon(float* x, const float* residual, const float* gamma, const float* beta, int m, int n);
void GeluNeon(float* x, size_t n);
void AttentionNeon(const float* q, const float* k, const float* v, int stride, float* out, int queries, int seq,
                   int heads, int head_dim, float* scratch);
void QuantizeRowsNeon(const float* x, int rows, int cols, float fixed_scale, int8_t* q, float* scales);
// int8 GEMMs with fused epilogue (GemmI8Fn, w packed K4N16); row sums unused.
void GemmI8Neon(const int8_t* xq, const float* x_scales, const int8_t* w, const float* w_scales,
                const int32_t* w_row_sums, const float* bias, float* y, int m, int n, int k, Activation act,
                NextWeights next);
// ARMv8.2 dot product (sdot): Cortex-A55/A76 and later, e.g. Raspberry Pi 5.
void GemmI8NeonDot(const int8_t* xq, const float* x_scales, const int8_t* w, const float* w_scales,
                   const int32_t* w_row_sums, const float* bias, float* y, int m, int n, int k, Activation act,
                   NextWeights next);

}  // namespace flatbert::arm
