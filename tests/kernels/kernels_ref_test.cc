// The scalar reference kernels against values worked out by hand or in double precision.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <utility>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/pack.h"
#include "kernels/row_quantizers.h"
#include "kernels/tile.h"

namespace flatbert {
namespace {

const Kernels& K() { return ReferenceKernels(); }

TEST(KernelsRefTest, LinearIsXTimesWTransposedPlusBias) {
  const std::vector<float> x{1, 2, 3, 4, 5, 6};             // [2, 3]
  const std::vector<float> w{1, 0, -1, 0.5f, 0.5f, 0.5f};  // [2, 3]
  const std::vector<float> b{10, -1};
  std::vector<float> packed(K1N16Count(2, 3)), y(4);
  PackK1N16(w.data(), 2, 3, packed.data());
  K().linear_f32(x.data(), packed.data(), b.data(), y.data(), 2, 2, 3);
  EXPECT_EQ(y, (std::vector<float>{8, 2, 8, 6.5f}));
}

// What a row tile prefetches: after its panel the next one (a last one may be narrower), after the last the next
// GEMM's first panel; the row tiles over a panel share its lines evenly, each line once, spread over their steps.
TEST(KernelsRefTest, PanelPrefetchSpreadsWhatComesNextOverTheRowTiles) {
  static const char w[1000] = {}, next_w[1000] = {};
  const Bytes next{next_w, 640};
  auto after = [&](int blocks, int panel) {  // panels of 4 blocks of 64 bytes
    const Bytes bytes = AfterPanel(w, 64, blocks, panel, 4, next);
    return std::pair{static_cast<long>(static_cast<const char*>(bytes.begin) - w), bytes.size};
  };
  EXPECT_EQ(after(8, 0), std::pair(256L, 256L));
  EXPECT_EQ(after(10, 4), std::pair(512L, 128L));
  EXPECT_EQ(AfterPanel(w, 64, 10, 8, 4, next).begin, next_w);
  EXPECT_EQ(AfterPanel(w, 64, 8, 4, 4, next).size, 640);
  // The next GEMM's first 4 blocks of 16 columns x PackedDepth(k) bytes; all of a narrower one; none without it.
  const NextWeights next_gemm{reinterpret_cast<const int8_t*>(next_w), 100, 30};
  EXPECT_EQ(FirstPanel(next_gemm, 4).size, 4 * 16 * 32);
  EXPECT_EQ(FirstPanel({next_gemm.w, 20, 30}, 4).size, 2 * 16 * 32);
  EXPECT_EQ(FirstPanel({}, 4).size, 0);

  for (int passes : {1, 3, 7}) {
    const char* expected = w;
    for (int pass = 0; pass < passes; ++pass) {
      const PanelPrefetch share({w, 640}, pass, passes, 4);  // 10 lines over 4 steps
      EXPECT_EQ(share.line, expected) << passes;
      EXPECT_GE(share.per_step * 4 * 64, share.end - share.line) << passes;
      expected = share.end;
    }
    EXPECT_EQ(expected, w + 640) << passes;
  }
  EXPECT_EQ(PanelPrefetch({w, 640}, 0, 1, 4).per_step, 3);
  EXPECT_EQ(PanelPrefetch({}, 0, 7, 4).per_step, 0);
}

// The row tiles of a GEMM: ceil(rows / 4) of them, in order, every row once, sizes within one of each other (a
// 25-token tweet 3, 4, 3, 4, 3, 4, 4 rather than six of 4 and one of 1).
TEST(KernelsRefTest, RowTilesShareTheRowsEvenly) {
  for (int rows : {1, 3, 4, 5, 13, 25, 49}) {
    std::vector<std::pair<int, int>> tiles;  // (first, rows) of each
    ForEachRowTile<4>(rows, [&]<int kReal>(int pass, int first) {
      EXPECT_EQ(pass, static_cast<int>(tiles.size()));
      tiles.emplace_back(first, kReal);
    });
    ASSERT_EQ(static_cast<int>(tiles.size()), RowTiles<4>(rows)) << rows;
    int next = 0, fewest = 4, most = 0;
    for (const auto& [first, count] : tiles) {
      EXPECT_EQ(first, next) << rows;
      next += count;
      fewest = std::min(fewest, count);
      most = std::max(most, count);
    }
    EXPECT_EQ(next, rows);
    EXPECT_LE(most - fewest, 1) << rows;
  }
}

TEST(KernelsRefTest, LayerNormMatchesDoublePrecision) {
  std::vector<float> x{1, 2, 3, 4, -1, -1, -1, 5};
  const std::vector<float> gamma{1, 2, 0.5f, 1}, beta{0, 1, 0, -1};
  K().layernorm_f32(x.data(), gamma.data(), beta.data(), 2, 4, 1e-12f);
  const double s1 = std::sqrt(1.25);  // row 1: mean 2.5, var 1.25
  EXPECT_NEAR(x[0], -1.5 / s1, 1e-6);
  EXPECT_NEAR(x[1], 2 * (-0.5 / s1) + 1, 1e-6);
  EXPECT_NEAR(x[3], 1.5 / s1 - 1, 1e-6);
  const double s2 = std::sqrt(6.75);  // row 2: mean 0.5, var 6.75
  EXPECT_NEAR(x[4], -1.5 / s2, 1e-6);
  EXPECT_NEAR(x[7], 4.5 / s2 - 1, 1e-6);
}

TEST(KernelsRefTest, NoNormIsElementwiseAffine) {
  std::vector<float> x{1, 2, 3, 4};
  const std::vector<float> gamma{2, -1}, beta{0.5f, 0};
  K().nonorm_f32(x.data(), nullptr, gamma.data(), beta.data(), 2, 2);
  EXPECT_EQ(x, (std::vector<float>{2.5f, -2, 6.5f, -4}));
  const std::vector<float> residual{1, 0, -1, 2};  // (x + residual) * gamma + beta
  K().nonorm_f32(x.data(), residual.data(), gamma.data(), beta.data(), 2, 2);
  EXPECT_EQ(x, (std::vector<float>{7.5f, 2, 11.5f, 2}));
}

TEST(KernelsRefTest, Activations) {
  std::vector<float> g{-3, -1, 0, 1, 3};
  K().gelu_f32(g.data(), g.size());
  const double expected[] = {-0.0040496, -0.1586553, 0, 0.8413447, 2.9959503};
  for (size_t i = 0; i < g.size(); ++i) EXPECT_NEAR(g[i], expected[i], 1e-6);
  std::vector<float> r{-2, 0, 2};
  K().relu_f32(r.data(), r.size());
  EXPECT_EQ(r, (std::vector<float>{0, 0, 2}));
  std::vector<float> t{-1, 0, 0.5f};
  K().tanh_f32(t.data(), t.size());
  EXPECT_NEAR(t[0], -0.7615942, 1e-6);
  EXPECT_NEAR(t[2], 0.4621172, 1e-6);
}

// Hugging Face's activations.py formulas in double precision; the kernels' float results within a few ulp.
TEST(KernelsRefTest, HfActivationsAndSigmoid) {
  const struct {
    void (*kernel)(float*, size_t);
    double (*formula)(double);
  } cases[] = {
      {K().gelu_tanh_f32,
       [](double v) { return 0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v))); }},
      {K().quick_gelu_f32, [](double v) { return v / (1 + std::exp(-1.702 * v)); }},
      {K().silu_f32, [](double v) { return v / (1 + std::exp(-v)); }},
      {K().sigmoid_f32, [](double v) { return 1 / (1 + std::exp(-v)); }},
  };
  std::vector<float> x;
  for (float v = -12.f; v <= 12.f; v += 0.125f) x.push_back(v);
  for (const auto& c : cases) {
    std::vector<float> y = x;
    c.kernel(y.data(), y.size());
    for (size_t i = 0; i < x.size(); ++i) {
      const double want = c.formula(x[i]);
      ASSERT_NEAR(y[i], want, 4e-7 * std::max(1.0, std::fabs(want))) << "x " << x[i];
    }
  }
  std::vector<float> extreme{-200.f, 200.f};  // exp overflows to inf: 0 and 1, never NaN
  K().sigmoid_f32(extreme.data(), extreme.size());
  EXPECT_EQ(extreme, (std::vector<float>{0.f, 1.f}));
}

TEST(KernelsRefTest, SoftmaxIsStableForLargeLogits) {
  std::vector<float> x{1000, 1001, 1002, 0, 0, 0};
  K().softmax_f32(x.data(), 2, 3);
  EXPECT_NEAR(x[0], 0.0900306, 1e-6);
  EXPECT_NEAR(x[2], 0.6652410, 1e-6);
  EXPECT_NEAR(x[4], 1.0 / 3, 1e-6);
}

TEST(KernelsRefTest, AttentionMatchesDirectComputation) {
  const int seq = 5, heads = 2, head_dim = 3, stride = heads * head_dim;
  std::mt19937 rng(1);
  std::normal_distribution<float> dist;
  std::vector<float> q(seq * stride), k(seq * stride), v(seq * stride), out(seq * stride),
      scratch(AttentionScratchFloats(seq, head_dim));
  for (auto* t : {&q, &k, &v})
    for (float& f : *t) f = dist(rng);
  K().attention_f32(q.data(), k.data(), v.data(), stride, out.data(), seq, seq, heads, head_dim, scratch.data());
  for (int h = 0; h < heads; ++h)
    for (int i = 0; i < seq; ++i) {
      std::vector<double> p(seq);
      double sum = 0;
      for (int j = 0; j < seq; ++j) {
        double dot = 0;
        for (int d = 0; d < head_dim; ++d) dot += q[i * stride + h * head_dim + d] * k[j * stride + h * head_dim + d];
        sum += (p[j] = std::exp(dot / std::sqrt(3.0)));
      }
      for (int d = 0; d < head_dim; ++d) {
        double o = 0;
        for (int j = 0; j < seq; ++j) o += p[j] / sum * v[j * stride + h * head_dim + d];
        EXPECT_NEAR(out[i * stride + h * head_dim + d], o, 1e-5);
      }
    }
}

TEST(KernelsRefTest, Int4GroupsRoundTripWithinHalfAStep) {
  std::mt19937 rng(3);
  std::normal_distribution<float> dist(0.f, 1.f);
  std::vector<float> x(128);
  for (float& v : x) v = dist(rng);
  x[5] = 0.f;
  std::vector<uint8_t> packed(x.size() / 2);
  std::vector<float> scales(x.size() / 32), back(x.size());
  QuantizeGroupsInt4(x.data(), x.size(), 32, packed.data(), scales.data());
  DequantizeI4(packed.data(), scales.data(), 32, back.data(), back.size());
  for (size_t g = 0; g < scales.size(); ++g) {
    float amax = 0.f;
    for (size_t i = g * 32; i < (g + 1) * 32; ++i) amax = std::max(amax, std::fabs(x[i]));
    EXPECT_FLOAT_EQ(scales[g], amax / 7.f);
  }
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_LE(std::fabs(back[i] - x[i]), scales[i / 32] / 2 * 1.0001f) << i;
    const int nibble = i % 2 ? packed[i / 2] >> 4 : packed[i / 2] & 0x0f;
    EXPECT_GE(nibble, 1) << i;  // q + 8 with q in [-7, 7]
    EXPECT_LE(nibble, 15) << i;
  }
  EXPECT_EQ(back[5], 0.f);
}

TEST(KernelsRefTest, LinearI8StaticScaleClampsAndScales) {
  const std::vector<float> x{0.5f, -1.f, 4.f};  // [1, 3]; with scale 1/127 the 4 clamps to 127
  const std::vector<int8_t> w{1, 2, 3};         // [1, 3]
  std::vector<int8_t> packed(K4N16Size(1, 3));
  PackK4N16(w.data(), 1, 3, packed.data());
  const std::vector<float> w_scales{0.5f};
  const std::vector<int32_t> sums{6};
  float y = 0.f;
  LinearI8(K(), x.data(), 1.f / 127.f, packed.data(), w_scales.data(), sums.data(), nullptr, &y, 1, 1, 3);
  // q = [64 (63.5 rounds to even: 64), -127, 127]; acc = 64 - 254 + 381 = 191
  EXPECT_FLOAT_EQ(y, 191.f * (1.f / 127.f) * 0.5f);
}

}  // namespace
}  // namespace flatbert
