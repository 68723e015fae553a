#pragma once
// x86 microkernels, one file per op per ISA. Each is compiled for its ISA only and reached through
// kernels/dispatch.cc after a CPU check; tests/kernels/ compares each with the scalar reference.
#include <cstddef>
#include <cstdint>

#include "kernels/kernels.h"

namespace flatbert::x86 {

void LinearF32Avx2(const float* x, const float* w, const float* bias, float* y, int m, int n, int k);
void LinearF32Avx512(const float* x, const float* w, const float* bias, float* y, int m, int n, int k);
// QuantizeRowsFn's quantization stored as q + 128 (unsigned bytes in the int8_t buffer): GemmI8Avx512Vnni's input.
void QuantizeRowsOffsetAvx512(const float* x, int rows, int cols, float fixed_scale, int8_t* q, float* scales);
void AttentionAvx2(const float* q, const float* k, const float* v, int stride, float* out, int queries, int seq,
                   int heads, int head_dim, float* scratch);
void AttentionAvx512(const float* q, const float* k, const float* v, int stride, float* out, int queries, int seq,
                     int heads, int head_dim, float* scratch);
void GeluAvx2(float* x, size_t n);
void AddAvx2(float* x, const float* y, size_t n);
void ReluAvx2(float* x, size_t n);
void NoNormAvx2(float* x, const float* residual, const float* gamma, const float* beta, int m, int n);
// QuantizeRowsFn in signed bytes: GemmI8Avx2's input.
void QuantizeRowsAvx2(const float* x, int rows, int cols, float fixed_scale, int8_t* q, float* scales);
void LayerNormAvx2(float* x, const float* gamma, const float* beta, int m, int n, float eps);
void LayerNormAvx512(float* x, const float* gamma, const float* beta, int m, int n, float eps);
void HalfToFloatF16c(const uint16_t* h, float* f, size_t n);
void DequantizeI4Avx2(const uint8_t* w, const float* scales, int group, float* out, size_t count);  // DequantizeI4Fn
void GeluAvx512(float* x, size_t n);
void AddAvx512(float* x, const float* y, size_t n);
void ReluAvx512(float* x, size_t n);
void NoNormAvx512(float* x, const float* residual, const float* gamma, const float* beta, int m, int n);
// int8 GEMMs with fused epilogue (GemmI8Fn, w packed K4N16). AVX2 ignores w_row_sums. VNNI takes xq as
// q + 128 (QuantizeRowsOffsetAvx512) and subtracts 128 * w_row_sums.
void GemmI8Avx2(const int8_t* xq, const float* x_scales, const int8_t* w, const float* w_scales,
                const int32_t* w_row_sums, const float* bias, float* y, int m, int n, int k, Activation act,
                NextWeights next);
void GemmI8Avx512Vnni(const int8_t* xq, const float* x_scales, const int8_t* w, const float* w_scales,
                      const int32_t* w_row_sums, const float* bias, float* y, int m, int n, int k, Activation act,
                      NextWeights next);
// The VNNI kernel's inputs and results on AMX tiles (needs x86::RequestAmx first).
void GemmI8Amx(const int8_t* xq, const float* x_scales, const int8_t* w, const float* w_scales,
               const int32_t* w_row_sums, const float* bias, float* y, int m, int n, int k, Activation act,
               NextWeights next);

}  // namespace flatbert::x86
