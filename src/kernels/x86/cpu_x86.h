#pragma once
// What this x86 CPU and its OS run, read from cpuid and XCR0. GCC's and clang's __builtin_cpu_supports know
// different sets of feature names (clang 14 has no "f16c"), so the bits are read here once, the same for both.
#include <asm/prctl.h>
#include <cpuid.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

namespace flatbert::x86 {

struct CpuFeatures {
  bool avx2 = false, fma = false, f16c = false;                // with the OS saving ymm state
  bool avx512f = false, avx512bw = false, avx512vnni = false;  // with the OS saving zmm and mask state
  bool amx_int8 = false;  // AMX-TILE and AMX-INT8, with the OS able to save tile state (Linux still has to allow it)
};

inline CpuFeatures DetectCpuFeatures() {
  CpuFeatures f;
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return f;
  const bool osxsave = ecx & (1u << 27), avx = ecx & (1u << 28);
  if (!osxsave || !avx) return f;
  uint32_t xcr0_lo, xcr0_hi;
  __asm__("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));  // XCR0: which register state the OS saves
  const bool ymm_state = (xcr0_lo & 0x6) == 0x6;              // SSE and AVX
  const bool zmm_state = (xcr0_lo & 0xe6) == 0xe6;            // and opmask, ZMM_Hi256, Hi16_ZMM
  if (!ymm_state) return f;
  f.fma = ecx & (1u << 12);
  f.f16c = ecx & (1u << 29);
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return f;
  f.avx2 = ebx & (1u << 5);
  if (zmm_state) {
    f.avx512f = ebx & (1u << 16);
    f.avx512bw = ebx & (1u << 30);
    f.avx512vnni = ecx & (1u << 11);
  }
  const bool tile_state = (xcr0_lo & 0x60000) == 0x60000;  // XTILECFG and XTILEDATA
  f.amx_int8 = tile_state && (edx & (1u << 24)) && (edx & (1u << 25));
  return f;
}

// Linux hands out AMX tile state only to processes that ask (arch_prctl, since 5.16); true when it is granted.
inline bool RequestAmx() {
  constexpr int kXfeatureTileData = 18;
  return syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, kXfeatureTileData) == 0;
}

}  // namespace flatbert::x86
