#pragma once
// The engine's kernel table. Every entry has a scalar reference in kernels/ref/; SIMD variants fill the same
// table (chosen once at start-up from the CPU's features) and are tested against the reference.
#include <cstddef>
#include <cstdint>

#include "kernels/aligned_vector.h"

namespace flatbert {

// The int8 GEMM as every path computes it: int32 dot products of xq rows (PackedDepth(k) bytes, zero padded, as
// the path's quantizer wrote them) with w (packed K4N16, kernels/pack.h) and the fused epilogue
//   y[i][j] = fma(float(acc[i][j]), x_scales[i] * w_scales[j], bias[j])   (bias may be null: 0)
// with an explicit fused multiply-add on every path, so all paths give bit-identical results; then `act`, also fused
// into the epilogue (ReLU bit-identical too; GELU within 2e-6 of the reference's std::erf on the SIMD paths).
// kNone, kRelu and kGelu are fused into the int8 GEMM epilogues (FusedInGemm); the other activations are applied
// after the GEMM by their own kernels.
enum class Activation : uint8_t { kNone, kRelu, kGelu, kGeluTanh, kQuickGelu, kSilu };
inline bool FusedInGemm(Activation act) {
  return act == Activation::kNone || act == Activation::kRelu || act == Activation::kGelu;
}
// `next`: the int8 weights (K4N16, n x k) the next GEMM will read, if known. A kernel may bring their start into
// cache while it finishes (a tweet streams its weights from L3 or memory); it never changes the result.
struct NextWeights {
  const int8_t* w = nullptr;
  int n = 0, k = 0;
};
using GemmI8Fn = void (*)(const int8_t* xq, const float* x_scales, const int8_t* w, const float* w_scales,
                          const int32_t* w_row_sums, const float* bias, float* y, int m, int n, int k, Activation act,
                          NextWeights next);
// Activation rows to int8: by fixed_scale when it is > 0 (bit-identical to QuantizeInt8Static), else each row by
// its own max|row|/127 (bit-identical to QuantizeRowsInt8); scales[r] gets the scale used.
using QuantizeRowsFn = void (*)(const float* x, int rows, int cols, float fixed_scale, int8_t* q, float* scales);

struct Kernels {
  const char* name;
  // y[m][n] = sum_k x[m][k] * w[n][k] + bias[n] (bias may be null); w is PyTorch's [N, K] Linear weight packed
  // K1N16 (kernels/pack.h).
  void (*linear_f32)(const float* x, const float* w, const float* bias, float* y, int m, int n, int k);
  // The same with w stored as IEEE half, packed K1N16.
  void (*linear_f16)(const float* x, const uint16_t* w, const float* bias, float* y, int m, int n, int k);
  // The int8 linear in its two steps (LinearI8 below), so one quantized input can feed several Linears:
  // quantize_i8 writes rows of x as int8 in the form this path's gemm_i8 takes.
  QuantizeRowsFn quantize_i8;
  GemmI8Fn gemm_i8;
  // Group-wise int4 weights (DType I4: row-major nibbles, one scale per `group` values of a row): dequantized to
  // f32 and packed, then the f32 linear. group is a multiple of 32 dividing k.
  void (*linear_i4)(const float* x, const uint8_t* w, const float* w_scales, int group, const float* bias, float* y,
                    int m, int n, int k);
  // x[m][:] = (x - mean) / sqrt(var + eps) * gamma + beta, per row of n.
  void (*layernorm_f32)(float* x, const float* gamma, const float* beta, int m, int n, float eps);
  // MobileBERT's NoNorm after its residual add, in one pass: x = fma(x + residual, gamma, beta), per row of n
  // (residual [m][n], or null for none), the same bits on every path.
  void (*nonorm_f32)(float* x, const float* residual, const float* gamma, const float* beta, int m, int n);
  void (*add_f32)(float* x, const float* y, size_t n);  // x += y
  void (*gelu_f32)(float* x, size_t n);                 // exact (erf) GELU, as HF "gelu"
  void (*relu_f32)(float* x, size_t n);
  // HF's gelu_new / gelu_fast / gelu_pytorch_tanh: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
  void (*gelu_tanh_f32)(float* x, size_t n);
  void (*quick_gelu_f32)(float* x, size_t n);  // HF's quick_gelu: x sigmoid(1.702 x)
  void (*silu_f32)(float* x, size_t n);        // HF's silu / swish: x sigmoid(x)
  void (*tanh_f32)(float* x, size_t n);
  void (*softmax_f32)(float* x, int m, int n);  // per row
  void (*sigmoid_f32)(float* x, size_t n);
  // Multi-head self-attention within one sequence, no mask (nothing is padded): `queries` rows of q (any of the
  // sequence's, e.g. one thread's share) attend to the sequence's `seq` rows of k and v, into the same rows of out.
  // Each query's row is computed the same way whichever queries come with it. Rows have `stride` floats (at least
  // heads*head_dim); head h uses columns [h*head_dim, (h+1)*head_dim). scratch holds
  // AttentionScratchFloats(seq, head_dim) floats.
  void (*attention_f32)(const float* q, const float* k, const float* v, int stride, float* out, int queries, int seq,
                        int heads, int head_dim, float* scratch);
};

// Scores of up to kAttentionQueries queries (a kernel may take several at a time) and one head's keys transposed.
constexpr int kAttentionQueries = 4;
inline size_t AttentionScratchFloats(int seq, int head_dim) {
  return static_cast<size_t>(seq) * static_cast<size_t>(head_dim + kAttentionQueries);
}

const Kernels& ReferenceKernels();
// The fastest kernels this CPU runs, unless $FLATBERT_KERNELS names a path (ref, avx2, avx512, neon, neondot).
const Kernels& BestKernels();
// The kernels of one path, or nullptr when this build or CPU cannot run it.
const Kernels* KernelsFor(const char* name);
const char* const* KernelPathNames();  // nullptr-terminated

void QuantizeRowsRef(const float* x, int rows, int cols, float fixed_scale, int8_t* q, float* scales);
// Rows of x (m x k) quantized by `kernels`.quantize_i8 into the first m rows of PackedDepth(k) bytes of xq (zero
// padded) and the first m of x_scales, each grown to hold them: the input of gemm_i8.
void QuantizeActivationsI8(const Kernels& kernels, const float* x, float x_scale, int m, int k,
                           AlignedVector<int8_t>& xq, AlignedVector<float>& x_scales);
// int8 linear: rows of x are quantized symmetrically, by x_scale when it is > 0 (int8-static, calibrated; values
// beyond +-127 x_scale clamp) or else each by its own max|row|/127 (int8-dynamic); int32 dot products with w
// (int8, packed K4N16 as kernels/pack.h lays it out; one scale and one row sum per output row),
// y = act(acc * row scale * w_scales[n] + bias[n]).
void LinearI8(const Kernels& kernels, const float* x, float x_scale, const int8_t* w, const float* w_scales,
              const int32_t* w_row_sums, const float* bias, float* y, int m, int n, int k,
              Activation act = Activation::kNone, NextWeights next = {});

// The int4 linear as every path computes it: `dequantize` (bit-identical to DequantizeI4) widens the matrix once
// per call, 16 rows at a time written out packed K1N16, and the m rows of x reuse it in the path's f32 linear.
using DequantizeI4Fn = void (*)(const uint8_t* w, const float* scales, int group, float* out, size_t count);
void LinearI4With(DequantizeI4Fn dequantize, decltype(Kernels::linear_f32) linear_f32, const float* x,
                  const uint8_t* w, const float* w_scales, int group, const float* bias, float* y, int m, int n, int k);

}  // namespace flatbert
