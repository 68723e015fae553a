// Picks the kernel path once: the best the CPU runs, or the one $FLATBERT_KERNELS names.
// x86: amx (AMX int8 tiles, the rest as avx512) > avx512 (with VNNI) > avx2 > ref.
// ARM: neondot (ARMv8.2 sdot, aarch64) > neon > ref.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "flatbert/error.hpp"
#include "kernels/kernels.h"
#include "kernels/pack.h"
#include "kernels/row_quantizers.h"
#if defined(__x86_64__)
#include "kernels/x86/cpu_x86.h"
#include "kernels/x86/x86_kernels.h"
#elif defined(__ARM_NEON)
#include "kernels/arm/arm_kernels.h"
#endif
#if defined(__aarch64__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace flatbert {

void QuantizeRowsRef(const float* x, int rows, int cols, float fixed_scale, int8_t* q, float* scales) {
  if (fixed_scale > 0.f) {
    QuantizeInt8Static(x, static_cast<size_t>(rows) * cols, fixed_scale, q);
    for (int r = 0; r < rows; ++r) scales[r] = fixed_scale;
  } else {
    QuantizeRowsInt8(x, rows, cols, q, scales);
  }
}

void QuantizeActivationsI8(const Kernels& kernels, const float* x, float x_scale, int m, int k,
                           AlignedVector<int8_t>& xq, AlignedVector<float>& x_scales) {
  thread_local std::vector<int8_t> unpadded;
  const size_t depth = static_cast<size_t>(PackedDepth(k)), bytes = static_cast<size_t>(m) * depth;
  GrowTo(xq, bytes);  // one buffer serves MobileBERT's 128- and 512-wide inputs in turn
  GrowTo(x_scales, static_cast<size_t>(m));
  if (depth == static_cast<size_t>(k)) {
    kernels.quantize_i8(x, m, k, x_scale, xq.data(), x_scales.data());
    return;
  }
  unpadded.resize(static_cast<size_t>(m) * k);  // rows padded with zeros to the packed depth
  kernels.quantize_i8(x, m, k, x_scale, unpadded.data(), x_scales.data());
  std::fill_n(xq.data(), bytes, 0);
  for (int i = 0; i < m; ++i)
    std::copy_n(unpadded.data() + static_cast<size_t>(i) * k, k, xq.data() + static_cast<size_t>(i) * depth);
}

void LinearI8(const Kernels& kernels, const float* x, float x_scale, const int8_t* w, const float* w_scales,
              const int32_t* w_row_sums, const float* bias, float* y, int m, int n, int k, Activation act,
              NextWeights next) {
  thread_local AlignedVector<int8_t> xq;
  thread_local AlignedVector<float> x_scales;
  QuantizeActivationsI8(kernels, x, x_scale, m, k, xq, x_scales);
  kernels.gemm_i8(xq.data(), x_scales.data(), w, w_scales, w_row_sums, bias, y, m, n, k, act, next);
}

void LinearI4With(DequantizeI4Fn dequantize, decltype(Kernels::linear_f32) linear_f32, const float* x,
                  const uint8_t* w, const float* w_scales, int group, const float* bias, float* y, int m, int n, int k) {
  // One block of 16 rows at a time: widened into a buffer that stays in L1, then written out in K1N16 order.
  thread_local AlignedVector<float> rows, packed;
  rows.resize(static_cast<size_t>(kPackColumns) * k);
  packed.resize(K1N16Count(n, k));
  for (int first = 0; first < n; first += kPackColumns) {
    const int count = std::min(kPackColumns, n - first);
    const size_t offset = static_cast<size_t>(first) * k;  // rows are whole groups: a byte and a scale boundary
    dequantize(w + offset / 2, w_scales + offset / static_cast<size_t>(group), group, rows.data(),
               static_cast<size_t>(count) * k);
    float* block = packed.data() + offset;
    for (int d = 0; d < k; ++d)
      for (int lane = 0; lane < kPackColumns; ++lane)
        block[static_cast<size_t>(d) * kPackColumns + lane] = lane < count ? rows[static_cast<size_t>(lane) * k + d] : 0.f;
  }
  linear_f32(x, packed.data(), bias, y, m, n, k);
}

namespace {

// A path's int4 linear: LinearI4With over its unpacker and f32 microkernel.
template <DequantizeI4Fn Dequantize, decltype(Kernels::linear_f32) LinearF32>
void LinearI4Of(const float* x, const uint8_t* w, const float* s, int group, const float* b, float* y, int m, int n,
                int k) {
  LinearI4With(Dequantize, LinearF32, x, w, s, group, b, y, m, n, k);
}

// fp16 weights: widen the packed matrix once per call (the m rows of x reuse it), then the path's f32 microkernel.
template <void (*HalfToFloat)(const uint16_t*, float*, size_t), decltype(Kernels::linear_f32) LinearF32>
void LinearF16Of(const float* x, const uint16_t* w, const float* bias, float* y, int m, int n, int k) {
  thread_local AlignedVector<float> wide;
  wide.resize(K1N16Count(n, k));
  HalfToFloat(w, wide.data(), wide.size());
  LinearF32(x, wide.data(), bias, y, m, n, k);
}

// A path that is `base` but for its int8 GEMM (amx over avx512, neondot over neon).
[[maybe_unused]] Kernels WithGemmI8(Kernels base, const char* name, GemmI8Fn gemm_i8) {
  base.name = name;
  base.gemm_i8 = gemm_i8;
  return base;
}

#if defined(__x86_64__)
// Ops without a SIMD version on a path keep the reference.
Kernels Avx2Kernels() {
  Kernels k = ReferenceKernels();
  k.name = "avx2";
  k.linear_f32 = x86::LinearF32Avx2;
  k.linear_f16 = LinearF16Of<x86::HalfToFloatF16c, x86::LinearF32Avx2>;
  k.quantize_i8 = x86::QuantizeRowsAvx2;
  k.gemm_i8 = x86::GemmI8Avx2;
  k.linear_i4 = LinearI4Of<x86::DequantizeI4Avx2, x86::LinearF32Avx2>;
  k.gelu_f32 = x86::GeluAvx2;
  k.layernorm_f32 = x86::LayerNormAvx2;
  k.nonorm_f32 = x86::NoNormAvx2;
  k.add_f32 = x86::AddAvx2;
  k.relu_f32 = x86::ReluAvx2;
  k.attention_f32 = x86::AttentionAvx2;
  return k;
}

Kernels Avx512Kernels() {
  Kernels k = ReferenceKernels();
  k.name = "avx512";
  k.linear_f32 = x86::LinearF32Avx512;
  k.linear_f16 = LinearF16Of<x86::HalfToFloatF16c, x86::LinearF32Avx512>;
  k.quantize_i8 = x86::QuantizeRowsOffsetAvx512;
  k.gemm_i8 = x86::GemmI8Avx512Vnni;
  k.linear_i4 = LinearI4Of<x86::DequantizeI4Avx2, x86::LinearF32Avx512>;
  k.gelu_f32 = x86::GeluAvx512;
  k.layernorm_f32 = x86::LayerNormAvx512;
  k.nonorm_f32 = x86::NoNormAvx512;
  k.add_f32 = x86::AddAvx512;
  k.relu_f32 = x86::ReluAvx512;
  k.attention_f32 = x86::AttentionAvx512;
  return k;
}

const x86::CpuFeatures& Cpu() {
  static const x86::CpuFeatures features = x86::DetectCpuFeatures();
  return features;
}
bool HasAvx2() { return Cpu().avx2 && Cpu().fma && Cpu().f16c; }
bool HasAvx512() { return Cpu().avx512f && Cpu().avx512bw && Cpu().avx512vnni; }
bool HasAmx() {
  static const bool granted = HasAvx512() && Cpu().amx_int8 && x86::RequestAmx();
  return granted;
}
#endif

#if defined(__ARM_NEON)
Kernels NeonKernels() {
  Kernels k = ReferenceKernels();
  k.name = "neon";
  k.linear_f32 = arm::LinearF32Neon;
  k.linear_f16 = LinearF16Of<arm::HalfToFloatNeon, arm::LinearF32Neon>;
  k.quantize_i8 = arm::QuantizeRowsNeon;
  k.gemm_i8 = arm::GemmI8Neon;
  k.linear_i4 = LinearI4Of<DequantizeI4, arm::LinearF32Neon>;  // scalar unpack: no NEON version yet
  k.layernorm_f32 = arm::LayerNormNeon;
  k.nonorm_f32 = arm::NoNormNeon;
  k.add_f32 = arm::AddNeon;
  k.relu_f32 = arm::ReluNeon;
  k.gelu_f32 = arm::GeluNeon;
  k.attention_f32 = arm::AttentionNeon;
  return k;
}
#endif

#if defined(__aarch64__)
bool HasDotProd() { return (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0; }
#endif

constexpr const char* kPathNames[] = {
#if defined(__x86_64__)
    "amx", "avx512", "avx2",
#endif
#if defined(__aarch64__)
    "neondot",
#endif
#if defined(__ARM_NEON)
    "neon",
#endif
    "ref", nullptr};

}  // namespace

const char* const* KernelPathNames() { return kPathNames; }

const Kernels* KernelsFor(const char* name) {
  if (std::strcmp(name, "ref") == 0) return &ReferenceKernels();
#if defined(__x86_64__)
  if (std::strcmp(name, "avx2") == 0 && HasAvx2()) {
    static const Kernels avx2 = Avx2Kernels();
    return &avx2;
  }
  if (std::strcmp(name, "avx512") == 0 && HasAvx512()) {
    static const Kernels avx512 = Avx512Kernels();
    return &avx512;
  }
  if (std::strcmp(name, "amx") == 0 && HasAmx()) {
    static const Kernels amx = WithGemmI8(Avx512Kernels(), "amx", x86::GemmI8Amx);
    return &amx;
  }
#endif
#if defined(__ARM_NEON)
  if (std::strcmp(name, "neon") == 0) {
    static const Kernels neon = NeonKernels();
    return &neon;
  }
#endif
#if defined(__aarch64__)
  if (std::strcmp(name, "neondot") == 0 && HasDotProd()) {
    static const Kernels neondot = WithGemmI8(NeonKernels(), "neondot", arm::GemmI8NeonDot);
    return &neondot;
  }
#endif
  return nullptr;
}

const Kernels& BestKernels() {
  static const Kernels* best = [] {
    if (const char* forced = std::getenv("FLATBERT_KERNELS"); forced && *forced) {
      const Kernels* k = KernelsFor(forced);
      if (!k) throw Error(std::string("FLATBERT_KERNELS=") + forced + ": this build or CPU cannot run that path");
      return k;
    }
    for (const char* const* name = kPathNames; *name; ++name)
      if (const Kernels* k = KernelsFor(*name)) return k;
    return &ReferenceKernels();
  }();
  return *best;
}

}  // namespace flatbert
