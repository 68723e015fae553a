// Every SIMD kernel path this machine runs against the scalar reference, on shapes with every kind of tail.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "kernels/half.h"
#include "kernels/kernels.h"
#include "kernels/pack.h"
#include "kernels/row_quantizers.h"

namespace flatbert {
namespace {

std::vector<std::string> RunnablePaths() {
  std::vector<std::string> paths;
  for (const char* const* name = KernelPathNames(); *name; ++name)
    if (std::string(*name) != "ref" && KernelsFor(*name)) paths.push_back(*name);
  return paths;
}

struct Shape {
  int m, n, k;
};

std::vector<Shape> Shapes() {
  std::vector<Shape> shapes;
  for (int m : {1, 2, 3, 4, 5, 6, 7, 13, 17, 25, 32, 49})  // 13 and 25: a tweet on 2 threads and on 1
    for (int n : {1, 2, 3, 5, 33})
      for (int k : {1, 7, 8, 9, 31, 32, 63, 64, 65, 130, 512}) shapes.push_back({m, n, k});
  return shapes;
}

std::vector<float> Random(size_t n, std::mt19937& rng, float scale = 1.f) {
  std::normal_distribution<float> dist(0.f, scale);
  std::vector<float> v(n);
  for (float& f : v) f = dist(rng);
  return v;
}

class SimdKernelTest : public ::testing::TestWithParam<std::string> {
 protected:
  const Kernels& simd() const { return *KernelsFor(GetParam().c_str()); }
  const Kernels& ref() const { return ReferenceKernels(); }
};

TEST_P(SimdKernelTest, LinearF32MatchesReference) {
  std::mt19937 rng(7);
  for (const Shape& s : Shapes()) {
    const auto x = Random(static_cast<size_t>(s.m) * s.k, rng), rows = Random(static_cast<size_t>(s.n) * s.k, rng),
               b = Random(static_cast<size_t>(s.n), rng);
    std::vector<float> w(K1N16Count(s.n, s.k));
    PackK1N16(rows.data(), s.n, s.k, w.data());
    std::vector<float> want(static_cast<size_t>(s.m) * s.n), got(want.size());
    ref().linear_f32(x.data(), w.data(), b.data(), want.data(), s.m, s.n, s.k);
    simd().linear_f32(x.data(), w.data(), b.data(), got.data(), s.m, s.n, s.k);
    for (size_t i = 0; i < want.size(); ++i)
      ASSERT_NEAR(got[i], want[i], 1e-5f * (1.f + std::sqrt(static_cast<float>(s.k))))
          << "m=" << s.m << " n=" << s.n << " k=" << s.k << " at " << i;
    simd().linear_f32(x.data(), w.data(), nullptr, got.data(), s.m, s.n, s.k);  // no bias
    ASSERT_NEAR(got[0], want[0] - b[0], 1e-4f * (1.f + s.k));
  }
}

TEST_P(SimdKernelTest, LinearF16MatchesReference) {
  std::mt19937 rng(5);
  for (const Shape& s : Shapes()) {
    const auto x = Random(static_cast<size_t>(s.m) * s.k, rng), wf = Random(static_cast<size_t>(s.n) * s.k, rng),
               b = Random(static_cast<size_t>(s.n), rng);
    std::vector<uint16_t> halves(wf.size()), w(K1N16Count(s.n, s.k));
    for (size_t i = 0; i < halves.size(); ++i) halves[i] = FloatToHalf(wf[i]);
    PackK1N16(halves.data(), s.n, s.k, w.data());
    std::vector<float> want(static_cast<size_t>(s.m) * s.n), got(want.size());
    ref().linear_f16(x.data(), w.data(), b.data(), want.data(), s.m, s.n, s.k);
    simd().linear_f16(x.data(), w.data(), b.data(), got.data(), s.m, s.n, s.k);
    for (size_t i = 0; i < want.size(); ++i)
      ASSERT_NEAR(got[i], want[i], 1e-5f * (1.f + std::sqrt(static_cast<float>(s.k))))
          << "m=" << s.m << " n=" << s.n << " k=" << s.k << " at " << i;
  }
}

TEST_P(SimdKernelTest, LinearI8IsBitIdenticalToReference) {
  std::mt19937 rng(11);
  for (const Shape& s : Shapes()) {
    const auto x = Random(static_cast<size_t>(s.m) * s.k, rng, 3.f);
    const auto wf = Random(static_cast<size_t>(s.n) * s.k, rng, 0.05f);
    std::vector<int8_t> w(wf.size());
    std::vector<float> scales(static_cast<size_t>(s.n));
    QuantizeRowsInt8(wf.data(), s.n, s.k, w.data(), scales.data());
    w[0] = -127;  // the extremes must not saturate
    if (s.k > 1) w[1] = 127;
    const std::vector<int32_t> sums = RowSumsInt8(w.data(), s.n, s.k);
    std::vector<int8_t> packed(K4N16Size(s.n, s.k));
    PackK4N16(w.data(), s.n, s.k, packed.data());
    const auto b = Random(static_cast<size_t>(s.n), rng);
    std::vector<float> want(static_cast<size_t>(s.m) * s.n), got(want.size());
    for (const float x_scale : {0.f, 0.02f}) {  // dynamic, and static with a scale that clamps large values
      LinearI8(ref(), x.data(), x_scale, packed.data(), scales.data(), sums.data(), b.data(), want.data(), s.m, s.n, s.k);
      LinearI8(simd(), x.data(), x_scale, packed.data(), scales.data(), sums.data(), b.data(), got.data(), s.m, s.n, s.k);
      ASSERT_EQ(got, want) << "m=" << s.m << " n=" << s.n << " k=" << s.k << " x_scale=" << x_scale;
      // Naming the next GEMM's weights (prefetched as this one finishes) changes nothing.
      LinearI8(simd(), x.data(), x_scale, packed.data(), scales.data(), sums.data(), b.data(), got.data(), s.m, s.n,
               s.k, Activation::kNone, {packed.data(), s.n, s.k});
      ASSERT_EQ(got, want) << "with next, m=" << s.m << " n=" << s.n << " k=" << s.k << " x_scale=" << x_scale;
    }
  }
}

// The quantizer alone: the reference's scales bit for bit (an all-zero row gets 1) and its q, in the form the
// path's GEMM takes (signed, or offset by 128), for row counts around the 16 rows an AVX-512 group takes.
TEST_P(SimdKernelTest, QuantizeRowsMatchesReference) {
  std::mt19937 rng(11);
  for (int rows : {1, 15, 16, 17, 40})
    for (int cols : {1, 13, 128, 200}) {
      auto x = Random(static_cast<size_t>(rows) * cols, rng, 3.f);
      for (int r = 0; r < rows; r += 7) std::fill_n(x.begin() + static_cast<long>(r) * cols, cols, 0.f);
      for (const float fixed_scale : {0.f, 0.02f}) {
        std::vector<int8_t> want(x.size()), got(x.size());
        std::vector<float> want_scales(rows), got_scales(rows);
        ref().quantize_i8(x.data(), rows, cols, fixed_scale, want.data(), want_scales.data());
        simd().quantize_i8(x.data(), rows, cols, fixed_scale, got.data(), got_scales.data());
        for (int r = 0; r < rows; ++r)
          ASSERT_EQ(got_scales[r], want_scales[r]) << "rows=" << rows << " cols=" << cols << " row " << r;
        const int offset = static_cast<uint8_t>(got[0] - want[0]);  // 0 or 128, the path's form
        ASSERT_TRUE(offset == 0 || offset == 128);
        for (size_t i = 0; i < x.size(); ++i)
          ASSERT_EQ(static_cast<uint8_t>(got[i] - want[i]), offset)
              << "rows=" << rows << " cols=" << cols << " at " << i;
      }
    }
}

// ReLU bit-identical; GELU within 2e-6 of the reference relative to its input (erf's error scales with x/2).
TEST_P(SimdKernelTest, LinearI8ActivationEpilogueMatchesReference) {
  std::mt19937 rng(12);
  for (const Shape& s : Shapes()) {
    const auto x = Random(static_cast<size_t>(s.m) * s.k, rng, 3.f), wf = Random(static_cast<size_t>(s.n) * s.k, rng);
    std::vector<int8_t> w(wf.size());
    std::vector<float> scales(static_cast<size_t>(s.n));
    QuantizeRowsInt8(wf.data(), s.n, s.k, w.data(), scales.data());
    const std::vector<int32_t> sums = RowSumsInt8(w.data(), s.n, s.k);
    std::vector<int8_t> packed(K4N16Size(s.n, s.k));
    PackK4N16(w.data(), s.n, s.k, packed.data());
    const auto b = Random(static_cast<size_t>(s.n), rng);
    std::vector<float> input(static_cast<size_t>(s.m) * s.n), want(input.size()), got(input.size());
    auto linear = [&](const Kernels& k, Activation act, std::vector<float>& y) {
      LinearI8(k, x.data(), 0.f, packed.data(), scales.data(), sums.data(), b.data(), y.data(), s.m, s.n, s.k, act);
    };
    linear(ref(), Activation::kNone, input);
    for (const Activation act : {Activation::kRelu, Activation::kGelu}) {
      linear(ref(), act, want);
      linear(simd(), act, got);
      for (size_t i = 0; i < want.size(); ++i)
        ASSERT_NEAR(got[i], want[i], act == Activation::kRelu ? 0.f : 2e-6f * (1.f + std::fabs(input[i])))
            << "m=" << s.m << " n=" << s.n << " k=" << s.k << " act=" << static_cast<int>(act) << " at " << i;
    }
  }
}

TEST_P(SimdKernelTest, LinearI4MatchesReference) {
  std::mt19937 rng(13);
  for (const Shape& s : Shapes()) {
    for (const int group : {32, 64}) {
      if (s.k % group != 0) continue;  // int4 rows are whole groups
      const auto x = Random(static_cast<size_t>(s.m) * s.k, rng), wf = Random(static_cast<size_t>(s.n) * s.k, rng),
                 b = Random(static_cast<size_t>(s.n), rng);
      std::vector<uint8_t> w(wf.size() / 2);
      std::vector<float> scales(wf.size() / static_cast<size_t>(group));
      QuantizeGroupsInt4(wf.data(), wf.size(), group, w.data(), scales.data());
      std::vector<float> want(static_cast<size_t>(s.m) * s.n), got(want.size());
      ref().linear_i4(x.data(), w.data(), scales.data(), group, b.data(), want.data(), s.m, s.n, s.k);
      simd().linear_i4(x.data(), w.data(), scales.data(), group, b.data(), got.data(), s.m, s.n, s.k);
      for (size_t i = 0; i < want.size(); ++i)
        ASSERT_NEAR(got[i], want[i], 1e-5f * (1.f + std::sqrt(static_cast<float>(s.k))))
            << "m=" << s.m << " n=" << s.n << " k=" << s.k << " group=" << group << " at " << i;
    }
  }
}

TEST_P(SimdKernelTest, LayerNormMatchesReference) {
  std::mt19937 rng(17);
  for (const int n : {1, 7, 8, 15, 16, 17, 24, 128, 130, 512}) {
    for (const float offset : {0.f, 50.f}) {  // a large common offset tests the two-pass variance
      const int m = 3;
      std::vector<float> want = Random(static_cast<size_t>(m) * n, rng, 2.f);
      for (float& v : want) v += offset;
      const auto gamma = Random(static_cast<size_t>(n), rng), beta = Random(static_cast<size_t>(n), rng);
      std::vector<float> got = want;
      ref().layernorm_f32(want.data(), gamma.data(), beta.data(), m, n, 1e-12f);
      simd().layernorm_f32(got.data(), gamma.data(), beta.data(), m, n, 1e-12f);
      for (size_t i = 0; i < want.size(); ++i)
        ASSERT_NEAR(got[i], want[i], 1e-5f * (1.f + std::fabs(want[i])) + 1e-4f * (offset > 0.f))
            << "n=" << n << " offset=" << offset << " at " << i;
    }
  }
}

TEST_P(SimdKernelTest, GeluMatchesReference) {
  for (size_t n : {size_t{1}, size_t{7}, size_t{8}, size_t{15}, size_t{16}, size_t{17}, size_t{1000}}) {
    std::vector<float> want(n);
    for (size_t i = 0; i < n; ++i) want[i] = -12.f + 24.f * static_cast<float>(i) / static_cast<float>(n);
    std::vector<float> got = want;
    ref().gelu_f32(want.data(), n);
    simd().gelu_f32(got.data(), n);
    for (size_t i = 0; i < n; ++i) ASSERT_NEAR(got[i], want[i], 2e-6f) << "n=" << n << " at " << i;
  }
}

TEST_P(SimdKernelTest, ElementwiseOpsMatchReference) {
  std::mt19937 rng(5);
  for (const int n : {1, 3, 4, 15, 16, 17, 130, 512}) {
    const int m = 3;
    const size_t size = static_cast<size_t>(m) * n;
    const auto x = Random(size, rng, 2.f), y = Random(size, rng, 2.f);
    const auto gamma = Random(static_cast<size_t>(n), rng), beta = Random(static_cast<size_t>(n), rng);
    std::vector<float> want = x, got = x;
    ref().add_f32(want.data(), y.data(), size);
    simd().add_f32(got.data(), y.data(), size);
    ASSERT_EQ(got, want) << "add, n=" << n;
    want = x, got = x;
    ref().relu_f32(want.data(), size);
    simd().relu_f32(got.data(), size);
    ASSERT_EQ(got, want) << "relu, n=" << n;
    for (const float* residual : {static_cast<const float*>(nullptr), y.data()}) {
      want = x, got = x;
      ref().nonorm_f32(want.data(), residual, gamma.data(), beta.data(), m, n);
      simd().nonorm_f32(got.data(), residual, gamma.data(), beta.data(), m, n);
      ASSERT_EQ(got, want) << "nonorm, n=" << n << (residual ? " with a residual" : "");  // one fma on every path
    }
  }
}

TEST_P(SimdKernelTest, AttentionMatchesReference) {
  std::mt19937 rng(3);
  for (int seq : {1, 2, 7, 16, 17, 33, 64})
    for (int head_dim : {4, 8, 12, 16, 24, 40, 64}) {
      const int heads = 2, stride = heads * head_dim;
      const auto q = Random(static_cast<size_t>(seq) * stride, rng), k = Random(q.size(), rng),
                 v = Random(q.size(), rng);
      std::vector<float> want(q.size()), got(q.size()), scratch(AttentionScratchFloats(seq, head_dim));
      ref().attention_f32(q.data(), k.data(), v.data(), stride, want.data(), seq, seq, heads, head_dim, scratch.data());
      simd().attention_f32(q.data(), k.data(), v.data(), stride, got.data(), seq, seq, heads, head_dim, scratch.data());
      for (size_t i = 0; i < want.size(); ++i)
        ASSERT_NEAR(got[i], want[i], 1e-5f) << "seq=" << seq << " head_dim=" << head_dim << " at " << i;
    }
}

// A thread may take a subset of the heads: head 1 alone, from the same rows, gives head 1's columns exactly.
TEST_P(SimdKernelTest, AttentionOfOneHeadIsItsColumnsOfAll) {
  std::mt19937 rng(4);
  const int seq = 9, heads = 3, head_dim = 16, stride = heads * head_dim;
  const auto q = Random(static_cast<size_t>(seq) * stride, rng), k = Random(q.size(), rng), v = Random(q.size(), rng);
  std::vector<float> all(q.size()), one(q.size(), -1.f), scratch(AttentionScratchFloats(seq, head_dim));
  simd().attention_f32(q.data(), k.data(), v.data(), stride, all.data(), seq, seq, heads, head_dim, scratch.data());
  simd().attention_f32(q.data() + head_dim, k.data() + head_dim, v.data() + head_dim, stride, one.data() + head_dim,
                       seq, seq, 1, head_dim, scratch.data());
  for (int i = 0; i < seq; ++i)
    for (int c = 0; c < stride; ++c) {
      const bool head1 = c >= head_dim && c < 2 * head_dim;
      ASSERT_EQ(one[i * stride + c], head1 ? all[i * stride + c] : -1.f) << "row " << i << " column " << c;
    }
}

// A thread may take a share of the queries: queries [first, end) alone, against every key, give those rows of
// the whole sequence's attention exactly, whatever groups of queries the kernel forms.
TEST_P(SimdKernelTest, AttentionOfSomeQueriesIsTheirRowsOfAll) {
  std::mt19937 rng(5);
  const int seq = 25, heads = 2, head_dim = 32, stride = heads * head_dim;
  const auto q = Random(static_cast<size_t>(seq) * stride, rng), k = Random(q.size(), rng), v = Random(q.size(), rng);
  std::vector<float> all(q.size()), scratch(AttentionScratchFloats(seq, head_dim));
  simd().attention_f32(q.data(), k.data(), v.data(), stride, all.data(), seq, seq, heads, head_dim, scratch.data());
  for (const auto& [first, end] : {std::pair{0, 13}, std::pair{13, 25}, std::pair{0, 1}, std::pair{5, 7}}) {
    std::vector<float> some(q.size(), -1.f);
    const size_t at = static_cast<size_t>(first) * stride;
    simd().attention_f32(q.data() + at, k.data(), v.data(), stride, some.data() + at, end - first, seq, heads, head_dim,
                         scratch.data());
    for (int i = 0; i < seq; ++i)
      for (int c = 0; c < stride; ++c)
        ASSERT_EQ(some[i * stride + c], i >= first && i < end ? all[i * stride + c] : -1.f)
            << "queries [" << first << ", " << end << ") row " << i << " column " << c;
  }
}

TEST(KernelDispatchTest, BestPathIsRunnableAndReferenceAlwaysIs) {
  EXPECT_NE(KernelsFor("ref"), nullptr);
  EXPECT_EQ(KernelsFor("no-such-path"), nullptr);
  EXPECT_NE(KernelsFor(BestKernels().name), nullptr);
}

INSTANTIATE_TEST_SUITE_P(Paths, SimdKernelTest, ::testing::ValuesIn(RunnablePaths()),
                         [](const auto& info) { return info.param; });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SimdKernelTest);

}  // namespace
}  // namespace flatbert
