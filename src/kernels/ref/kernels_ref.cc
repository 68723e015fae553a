// Scalar reference kernels: plain loops written for clarity, the yardstick every SIMD kernel is tested against.
#include <cmath>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/half.h"
#include "kernels/pack.h"
#include "kernels/row_quantizers.h"

namespace flatbert {
namespace {

void LinearF32(const float* x, const float* w, const float* bias, float* y, int m, int n, int k) {
  for (int i = 0; i < m; ++i) {
    const float* xi = x + static_cast<size_t>(i) * k;
    for (int j = 0; j < n; ++j) {
      float acc = 0.f;
      for (int p = 0; p < k; ++p) acc += xi[p] * w[K1N16Index(j, p, k)];
      y[static_cast<size_t>(i) * n + j] = acc + (bias ? bias[j] : 0.f);
    }
  }
}

void LinearF16(const float* x, const uint16_t* w, const float* bias, float* y, int m, int n, int k) {
  std::vector<float> row(static_cast<size_t>(k));
  for (int j = 0; j < n; ++j) {
    for (int p = 0; p < k; ++p) row[p] = HalfToFloat(w[K1N16Index(j, p, k)]);
    for (int i = 0; i < m; ++i) {
      const float* xi = x + static_cast<size_t>(i) * k;
      float acc = 0.f;
      for (int p = 0; p < k; ++p) acc += xi[p] * row[p];
      y[static_cast<size_t>(i) * n + j] = acc + (bias ? bias[j] : 0.f);
    }
  }
}

float Gelu(float x) { return 0.5f * x * (1.f + std::erf(x * 0.70710678118654752f)); }

float Activate(float x, Activation act) {
  if (act == Activation::kRelu) return x > 0.f ? x : 0.f;
  return act == Activation::kGelu ? Gelu(x) : x;
}

void GemmI8(const int8_t* xq, const float* x_scales, const int8_t* w, const float* w_scales, const int32_t*,
            const float* bias, float* y, int m, int n, int k, Activation act, NextWeights) {
  const size_t depth = static_cast<size_t>(PackedDepth(k));
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      int32_t sum = 0;
      for (int p = 0; p < k; ++p) sum += static_cast<int32_t>(xq[i * depth + p]) * w[K4N16Index(j, p, k)];
      y[static_cast<size_t>(i) * n + j] =
          Activate(std::fma(static_cast<float>(sum), x_scales[i] * w_scales[j], bias ? bias[j] : 0.f), act);
    }
}

void LinearI4(const float* x, const uint8_t* w, const float* w_scales, int group, const float* bias, float* y, int m,
              int n, int k) {
  LinearI4With(DequantizeI4, LinearF32, x, w, w_scales, group, bias, y, m, n, k);
}

void LayerNormF32(float* x, const float* gamma, const float* beta, int m, int n, float eps) {
  for (int i = 0; i < m; ++i) {
    float* row = x + static_cast<size_t>(i) * n;
    double mean = 0.0, var = 0.0;
    for (int j = 0; j < n; ++j) mean += row[j];
    mean /= n;
    for (int j = 0; j < n; ++j) var += (row[j] - mean) * (row[j] - mean);
    var /= n;
    const float inv = static_cast<float>(1.0 / std::sqrt(var + eps));
    for (int j = 0; j < n; ++j) row[j] = (row[j] - static_cast<float>(mean)) * inv * gamma[j] + beta[j];
  }
}

void NoNormF32(float* x, const float* residual, const float* gamma, const float* beta, int m, int n) {
  for (int i = 0; i < m; ++i) {
    float* row = x + static_cast<size_t>(i) * n;
    const float* add = residual ? residual + static_cast<size_t>(i) * n : nullptr;
    for (int j = 0; j < n; ++j) row[j] = std::fma(add ? row[j] + add[j] : row[j], gamma[j], beta[j]);
  }
}

void AddF32(float* x, const float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) x[i] += y[i];
}

void GeluF32(float* x, size_t n) {
  for (size_t i = 0; i < n; ++i) x[i] = Gelu(x[i]);
}

void ReluF32(float* x, size_t n) {
  for (size_t i = 0; i < n; ++i) x[i] = Activate(x[i], Activation::kRelu);
}

// The activations applied after the GEMM are computed in double and rounded once, as python/flatbert_py/model.py
// does: both sides then give the correctly rounded value, where float tanh / exp of two libraries differ in the
// last bit now and then, and such a bit flips the int8 rounding of the next layer's input.
double Sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

void GeluTanhF32(float* x, size_t n) {
  const double sqrt_2_over_pi = std::sqrt(2 / M_PI);
  for (size_t i = 0; i < n; ++i) {
    const double v = x[i];
    x[i] = static_cast<float>(0.5 * v * (1 + std::tanh(sqrt_2_over_pi * (v + 0.044715 * v * v * v))));
  }
}

void QuickGeluF32(float* x, size_t n) {
  for (size_t i = 0; i < n; ++i) x[i] = static_cast<float>(x[i] * Sigmoid(1.702 * x[i]));
}

void SiluF32(float* x, size_t n) {
  for (size_t i = 0; i < n; ++i) x[i] = static_cast<float>(x[i] * Sigmoid(x[i]));
}

void SigmoidF32(float* x, size_t n) {
  for (size_t i = 0; i < n; ++i) x[i] = static_cast<float>(Sigmoid(x[i]));
}

void TanhF32(float* x, size_t n) {
  for (size_t i = 0; i < n; ++i) x[i] = std::tanh(x[i]);
}

void SoftmaxF32(float* x, int m, int n) {
  for (int i = 0; i < m; ++i) {
    float* row = x + static_cast<size_t>(i) * n;
    float max = row[0];
    for (int j = 1; j < n; ++j) max = row[j] > max ? row[j] : max;
    float sum = 0.f;
    for (int j = 0; j < n; ++j) sum += (row[j] = std::exp(row[j] - max));
    for (int j = 0; j < n; ++j) row[j] /= sum;
  }
}

void AttentionF32(const float* q, const float* k, const float* v, int stride, float* out, int queries, int seq,
                  int heads, int head_dim, float* scores) {
  const float scale = 1.f / std::sqrt(static_cast<float>(head_dim));
  for (int h = 0; h < heads; ++h) {
    const int col = h * head_dim;
    for (int i = 0; i < queries; ++i) {
      const float* qi = q + static_cast<size_t>(i) * stride + col;
      for (int j = 0; j < seq; ++j) {
        const float* kj = k + static_cast<size_t>(j) * stride + col;
        float dot = 0.f;
        for (int d = 0; d < head_dim; ++d) dot += qi[d] * kj[d];
        scores[j] = dot * scale;
      }
      SoftmaxF32(scores, 1, seq);
      float* oi = out + static_cast<size_t>(i) * stride + col;
      for (int d = 0; d < head_dim; ++d) oi[d] = 0.f;
      for (int j = 0; j < seq; ++j) {
        const float* vj = v + static_cast<size_t>(j) * stride + col;
        for (int d = 0; d < head_dim; ++d) oi[d] += scores[j] * vj[d];
      }
    }
  }
}

}  // namespace

const Kernels& ReferenceKernels() {
  static const Kernels kernels{"ref",        LinearF32, LinearF16, QuantizeRowsRef, GemmI8,     LinearI4,
                               LayerNormF32, NoNormF32, AddF32,    GeluF32,         ReluF32,    GeluTanhF32,
                               QuickGeluF32, SiluF32,   TanhF32,   SoftmaxF32,      SigmoidF32, AttentionF32};
  return kernels;
}

}  // namespace flatbert
