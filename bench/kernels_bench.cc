// GEMM microkernel throughput per kernel path, for the linear shapes of bert-tiny and MobileBERT at 32 tokens.
//   build/bench/flatbert_kernels_bench [--benchmark_filter=...]
// Counters: GFLOPS (f32) or GOPS (int8, multiply and add counted as 2), from 2*m*n*k per call. linear_i8 is the
// whole int8 linear (activation quantization included), gemm_i8 the microkernel on pre-quantized activations.
#include <benchmark/benchmark.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <cstdint>
#include <iterator>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/pack.h"
#include "kernels/row_quantizers.h"

namespace flatbert {
namespace {

constexpr int kTokens = 32;
// (n, k): bert-tiny 128x128, 512x128, 128x512; MobileBERT 128x512, 512x128, 128x128; BERT-base 768x768.
const std::vector<std::pair<int, int>> kShapes = {{128, 128}, {512, 128}, {128, 512}, {768, 768}, {3072, 768}};

AlignedVector<float> Random(size_t n) {
  std::mt19937 rng(1);
  std::normal_distribution<float> dist;
  AlignedVector<float> v(n);
  for (float& f : v) f = dist(rng);
  return v;
}

void LinearF32(benchmark::State& state, const Kernels* k) {
  const int m = kTokens, n = static_cast<int>(state.range(0)), kk = static_cast<int>(state.range(1));
  const auto x = Random(static_cast<size_t>(m) * kk), w = Random(static_cast<size_t>(n) * kk), b = Random(n);
  AlignedVector<float> y(static_cast<size_t>(m) * n);
  for (auto _ : state) {
    k->linear_f32(x.data(), w.data(), b.data(), y.data(), m, n, kk);
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["GFLOPS"] = benchmark::Counter(2.0 * m * n * kk * state.iterations() / 1e9, benchmark::Counter::kIsRate);
}

// int8 weights for the shape of `state`: quantized per row, packed K4N16, with their row sums.
struct PackedI8 {
  AlignedVector<int8_t> packed;
  AlignedVector<float> scales;
  AlignedVector<int32_t> sums;
};

PackedI8 RandomPackedI8(int n, int kk) {
  const auto wf = Random(static_cast<size_t>(n) * kk);
  AlignedVector<int8_t> w(wf.size());
  PackedI8 p{AlignedVector<int8_t>(K4N16Size(n, kk)), AlignedVector<float>(n), {}};
  QuantizeRowsInt8(wf.data(), n, kk, w.data(), p.scales.data());
  const std::vector<int32_t> sums = RowSumsInt8(w.data(), n, kk);
  p.sums.assign(sums.begin(), sums.end());
  PackK4N16(w.data(), n, kk, p.packed.data());
  return p;
}

// The whole int8 linear: activation quantization, GEMM, epilogue.
void LinearI8(benchmark::State& state, const Kernels* k) {
  const int m = kTokens, n = static_cast<int>(state.range(0)), kk = static_cast<int>(state.range(1));
  const auto x = Random(static_cast<size_t>(m) * kk), b = Random(n);
  const PackedI8 w = RandomPackedI8(n, kk);
  AlignedVector<float> y(static_cast<size_t>(m) * n);
  for (auto _ : state) {
    LinearI8(*k, x.data(), 0.f, w.packed.data(), w.scales.data(), w.sums.data(), b.data(), y.data(), m, n, kk);
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["GOPS"] = benchmark::Counter(2.0 * m * n * kk * state.iterations() / 1e9, benchmark::Counter::kIsRate);
}

// The GEMM microkernel alone (with its fused epilogue), on activations quantized once.
void GemmI8(benchmark::State& state, const Kernels* k) {
  const int m = kTokens, n = static_cast<int>(state.range(0)), kk = static_cast<int>(state.range(1));
  const auto x = Random(static_cast<size_t>(m) * kk), b = Random(n);
  const PackedI8 w = RandomPackedI8(n, kk);
  AlignedVector<int8_t> xq;
  AlignedVector<float> x_scales, y(static_cast<size_t>(m) * n);
  QuantizeActivationsI8(*k, x.data(), 0.f, m, kk, xq, x_scales);
  for (auto _ : state) {
    k->gemm_i8(xq.data(), x_scales.data(), w.packed.data(), w.scales.data(), w.sums.data(), b.data(), y.data(), m, n,
               kk, Activation::kNone, {});
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["GOPS"] = benchmark::Counter(2.0 * m * n * kk * state.iterations() / 1e9, benchmark::Counter::kIsRate);
}

// The int8 GEMMs of MobileBERT layers at one tweet's rows: args rows, layers. Each layer holds its own weights for
// its 15 Linears (n x k, bias, ReLU after the FFN intermediates), run in a layer's order on inputs quantized once,
// each naming the next one's weights as the engine does: 1 layer keeps its 0.8 MB of weights in cache, 24 stream
// 20 MB per pass from L3 or memory, as one tweet does.
void GemmI8MobileBert(benchmark::State& state, const Kernels* k) {
  struct Shape {
    int n, k;
    Activation act;
  };
  // Bottleneck input and attention, value; query, key, attention output; 4 FFNs; output bottleneck.
  constexpr Shape kLayer[] = {
      {128, 512, Activation::kNone}, {128, 512, Activation::kNone}, {128, 512, Activation::kNone},
      {128, 128, Activation::kNone}, {128, 128, Activation::kNone}, {128, 128, Activation::kNone},
      {512, 128, Activation::kRelu}, {128, 512, Activation::kNone}, {512, 128, Activation::kRelu},
      {128, 512, Activation::kNone}, {512, 128, Activation::kRelu}, {128, 512, Activation::kNone},
      {512, 128, Activation::kRelu}, {128, 512, Activation::kNone}, {512, 128, Activation::kNone}};
  const int m = static_cast<int>(state.range(0)), layers = static_cast<int>(state.range(1));
  std::vector<PackedI8> weights;
  for (int l = 0; l < layers; ++l)
    for (const Shape& s : kLayer) weights.push_back(RandomPackedI8(s.n, s.k));
  const auto x128 = Random(static_cast<size_t>(m) * 128), x512 = Random(static_cast<size_t>(m) * 512), b = Random(512);
  AlignedVector<int8_t> xq128, xq512;
  AlignedVector<float> scales128, scales512, y(static_cast<size_t>(m) * 512);
  QuantizeActivationsI8(*k, x128.data(), 0.f, m, 128, xq128, scales128);
  QuantizeActivationsI8(*k, x512.data(), 0.f, m, 512, xq512, scales512);
  double ops = 0;
  for (const Shape& s : kLayer) ops += 2.0 * m * s.n * s.k * layers;
  for (auto _ : state) {
    for (size_t i = 0; i < weights.size(); ++i) {
      const Shape& s = kLayer[i % std::size(kLayer)];
      const PackedI8& w = weights[i];
      const bool wide = s.k == 512;
      const size_t after = (i + 1) % weights.size();
      const Shape& next = kLayer[after % std::size(kLayer)];
      k->gemm_i8(wide ? xq512.data() : xq128.data(), wide ? scales512.data() : scales128.data(), w.packed.data(),
                 w.scales.data(), w.sums.data(), b.data(), y.data(), m, s.n, s.k, s.act,
                 {weights[after].packed.data(), next.n, next.k});
    }
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["GOPS"] = benchmark::Counter(ops * state.iterations() / 1e9, benchmark::Counter::kIsRate);
}

void LinearI4(benchmark::State& state, const Kernels* k) {
  const int m = kTokens, n = static_cast<int>(state.range(0)), kk = static_cast<int>(state.range(1)), group = 32;
  const auto x = Random(static_cast<size_t>(m) * kk), wf = Random(static_cast<size_t>(n) * kk), b = Random(n);
  AlignedVector<uint8_t> w(wf.size() / 2);
  AlignedVector<float> scales(wf.size() / group);
  QuantizeGroupsInt4(wf.data(), wf.size(), group, w.data(), scales.data());
  AlignedVector<float> y(static_cast<size_t>(m) * n);
  for (auto _ : state) {
    k->linear_i4(x.data(), w.data(), scales.data(), group, b.data(), y.data(), m, n, kk);
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["GFLOPS"] = benchmark::Counter(2.0 * m * n * kk * state.iterations() / 1e9, benchmark::Counter::kIsRate);
}

// Self-attention of one sequence, all heads: args seq, heads, head_dim (MobileBERT 4 x 32, BERT-base 12 x 64).
void Attention(benchmark::State& state, const Kernels* k) {
  const int seq = static_cast<int>(state.range(0)), heads = static_cast<int>(state.range(1)),
            head_dim = static_cast<int>(state.range(2)), stride = heads * head_dim;
  const auto q = Random(static_cast<size_t>(seq) * stride), kv = Random(q.size());
  AlignedVector<float> out(q.size()), scratch(AttentionScratchFloats(seq, head_dim));
  for (auto _ : state) {
    k->attention_f32(q.data(), kv.data(), kv.data(), stride, out.data(), seq, seq, heads, head_dim, scratch.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["GFLOPS"] =
      benchmark::Counter(4.0 * seq * seq * stride * state.iterations() / 1e9, benchmark::Counter::kIsRate);
}

// One core reading a buffer of range(0) MiB from end to end: the bandwidth a forward pass streams its weights at
// when they do not stay in the caches above (bench/arch_bench.py's roofline). The buffer is read as 8 slices side
// by side, each prefetched 16 lines ahead, as a GEMM reads its panel's blocks and prefetches the next panel: one
// plain sequential read had fewer misses in flight, and BERT-base's int8 weights streamed faster than it.
void Stream(benchmark::State& state) {
  constexpr size_t kSlices = 8, kLine = 8, kAhead = 16 * kLine;  // in uint64 words
  std::vector<uint64_t> buffer(static_cast<size_t>(state.range(0)) << 17);
  std::iota(buffer.begin(), buffer.end(), uint64_t{0});
  const size_t slice = buffer.size() / kSlices;
  for (auto _ : state) {
    uint64_t sums[kSlices] = {};
    for (size_t i = 0; i < slice; i += kLine)
      for (size_t s = 0; s < kSlices; ++s) {
        const uint64_t* line = buffer.data() + s * slice + i;
        __builtin_prefetch(line + kAhead, 0, 2);
        for (size_t j = 0; j < kLine; ++j) sums[s] += line[j];
      }
    benchmark::DoNotOptimize(sums);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * buffer.size() * sizeof(uint64_t)));
}

#if defined(__x86_64__)
// The core's measured peak, the yardstick for the kernels' fraction of peak: 16 independent accumulators (more
// than FMA latency x issue width) of vfmadd231ps / vpdpbusd on zmm registers, nothing else in the loop.
constexpr int kPeakChains = 16, kPeakSteps = 4096;

__attribute__((target("avx512f"))) void PeakF32Avx512(benchmark::State& state) {
  __m512 acc[kPeakChains];
  for (int c = 0; c < kPeakChains; ++c) acc[c] = _mm512_set1_ps(static_cast<float>(c));
  const __m512 a = _mm512_set1_ps(0.999f), b = _mm512_set1_ps(1e-4f);
  for (auto _ : state) {
    for (int s = 0; s < kPeakSteps; ++s)
      for (int c = 0; c < kPeakChains; ++c) acc[c] = _mm512_fmadd_ps(acc[c], a, b);
    benchmark::DoNotOptimize(acc);
  }
  state.counters["GFLOPS"] = benchmark::Counter(2.0 * 16 * kPeakChains * kPeakSteps * state.iterations() / 1e9,
                                                benchmark::Counter::kIsRate);
}

__attribute__((target("avx512f,avx512bw,avx512vnni"))) void PeakI8Vnni(benchmark::State& state) {
  __m512i acc[kPeakChains];
  for (int c = 0; c < kPeakChains; ++c) acc[c] = _mm512_set1_epi32(c);
  const __m512i a = _mm512_set1_epi8(3), b = _mm512_set1_epi8(-2);
  for (auto _ : state) {
    for (int s = 0; s < kPeakSteps; ++s)
      for (int c = 0; c < kPeakChains; ++c) acc[c] = _mm512_dpbusd_epi32(acc[c], a, b);
    benchmark::DoNotOptimize(acc);
  }
  state.counters["GOPS"] = benchmark::Counter(2.0 * 64 * kPeakChains * kPeakSteps * state.iterations() / 1e9,
                                              benchmark::Counter::kIsRate);
}

// The AMX path's int8 ceiling: tdpbusd into 4 accumulator tiles from 4 tiles already loaded, nothing else.
__attribute__((target("amx-tile,amx-int8"))) void PeakI8Amx(benchmark::State& state) {
  struct {
    uint8_t palette = 1, start_row = 0, reserved[14] = {};
    uint16_t bytes_per_row[16] = {64, 64, 64, 64, 64, 64, 64, 64};
    uint8_t rows[16] = {16, 16, 16, 16, 16, 16, 16, 16};
  } config;
  _tile_loadconfig(&config);
  alignas(64) int8_t operand[16 * 64] = {};
  _tile_loadd(4, operand, 64);
  _tile_loadd(5, operand, 64);
  _tile_loadd(6, operand, 64);
  _tile_loadd(7, operand, 64);
  _tile_zero(0);
  _tile_zero(1);
  _tile_zero(2);
  _tile_zero(3);
  for (auto _ : state) {
    for (int s = 0; s < kPeakSteps; ++s) {
      _tile_dpbusd(0, 4, 6);
      _tile_dpbusd(1, 4, 7);
      _tile_dpbusd(2, 5, 6);
      _tile_dpbusd(3, 5, 7);
    }
  }
  alignas(64) int32_t sums[16 * 16];
  _tile_stored(0, sums, 64);
  benchmark::DoNotOptimize(sums);
  _tile_release();
  state.counters["GOPS"] = benchmark::Counter(2.0 * 16 * 16 * 64 * 4 * kPeakSteps * state.iterations() / 1e9,
                                              benchmark::Counter::kIsRate);
}

// The AVX2 path's f32 ceiling: 12 independent vfmadd231ps chains (AVX2 has 16 ymm registers).
constexpr int kPeakChainsAvx2 = 12;

__attribute__((target("avx2,fma"))) void PeakF32Avx2(benchmark::State& state) {
  __m256 acc[kPeakChainsAvx2];
  for (int c = 0; c < kPeakChainsAvx2; ++c) acc[c] = _mm256_set1_ps(static_cast<float>(c));
  const __m256 a = _mm256_set1_ps(0.999f), b = _mm256_set1_ps(1e-4f);
  for (auto _ : state) {
    for (int s = 0; s < kPeakSteps; ++s)
      for (int c = 0; c < kPeakChainsAvx2; ++c) acc[c] = _mm256_fmadd_ps(acc[c], a, b);
    benchmark::DoNotOptimize(acc);
  }
  state.counters["GFLOPS"] = benchmark::Counter(2.0 * 8 * kPeakChainsAvx2 * kPeakSteps * state.iterations() / 1e9,
                                                benchmark::Counter::kIsRate);
}

// The AVX2 path's int8 ceiling. AVX2 has no int8 dot product into int32 lanes: vpmaddubsw (32 multiply-adds into
// int16 pairs), vpmaddwd by ones (the pairs into int32) and vpaddd is the shortest sequence, the one every AVX2 int8
// GEMM runs. flatbert's also makes the sign trick's operands (vpsignb), which its fraction of this peak shows.
__attribute__((target("avx2"))) void PeakI8Avx2(benchmark::State& state) {
  __m256i acc[kPeakChainsAvx2];
  for (int c = 0; c < kPeakChainsAvx2; ++c) acc[c] = _mm256_set1_epi32(c);
  const __m256i b = _mm256_set1_epi8(-2), ones = _mm256_set1_epi16(1);
  for (auto _ : state) {
    for (int s = 0; s < kPeakSteps; ++s)
      for (int c = 0; c < kPeakChainsAvx2; ++c)  // acc[c] as the bytes too, so nothing is loop-invariant
        acc[c] = _mm256_add_epi32(acc[c], _mm256_madd_epi16(_mm256_maddubs_epi16(acc[c], b), ones));
    benchmark::DoNotOptimize(acc);
  }
  state.counters["GOPS"] = benchmark::Counter(2.0 * 32 * kPeakChainsAvx2 * kPeakSteps * state.iterations() / 1e9,
                                              benchmark::Counter::kIsRate);
}

#endif

int Register() {
  for (int mib : {8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512})  // steps of 1.5x or less
    benchmark::RegisterBenchmark("stream", Stream)->Arg(mib);
#if defined(__x86_64__)
  if (KernelsFor("avx512")) {
    benchmark::RegisterBenchmark("peak_f32/avx512", PeakF32Avx512);
    benchmark::RegisterBenchmark("peak_i8/avx512", PeakI8Vnni);
  }
  if (KernelsFor("amx")) benchmark::RegisterBenchmark("peak_i8/amx", PeakI8Amx);  // KernelsFor asked Linux for AMX
  if (KernelsFor("avx2")) {
    benchmark::RegisterBenchmark("peak_f32/avx2", PeakF32Avx2);
    benchmark::RegisterBenchmark("peak_i8/avx2", PeakI8Avx2);
  }
#endif
  for (const char* const* name = KernelPathNames(); *name; ++name) {
    const Kernels* k = KernelsFor(*name);
    if (!k) continue;
    for (const auto& [n, kk] : kShapes) {
      benchmark::RegisterBenchmark((std::string("linear_f32/") + *name).c_str(), LinearF32, k)->Args({n, kk});
      benchmark::RegisterBenchmark((std::string("linear_i8/") + *name).c_str(), LinearI8, k)->Args({n, kk});
      benchmark::RegisterBenchmark((std::string("gemm_i8/") + *name).c_str(), GemmI8, k)->Args({n, kk});
      benchmark::RegisterBenchmark((std::string("linear_i4/") + *name).c_str(), LinearI4, k)->Args({n, kk});
    }
    for (int layers : {1, 24})
      benchmark::RegisterBenchmark((std::string("gemm_i8_mobilebert/") + *name).c_str(), GemmI8MobileBert, k)
          ->Args({25, layers})
          ->Args({13, layers});
    for (const auto& [heads, head_dim] : {std::pair{4, 32}, std::pair{12, 64}})
      benchmark::RegisterBenchmark((std::string("attention/") + *name).c_str(), Attention, k)
          ->Args({kTokens, heads, head_dim});
  }
  return 0;
}

const int registered = Register();

}  // namespace
}  // namespace flatbert

BENCHMARK_MAIN();
