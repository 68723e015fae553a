#pragma once
// Spin-waiting, for hand-offs between threads that come microseconds apart: waking a blocked thread costs a system
// call on each side and a reschedule, several microseconds on a VM.
#include <thread>

namespace flatbert {

// One turn of a spin: a pause, and after a while also a yield, so that more spinning threads than free cores
// (another process, or more threads than cores) still move instead of spinning out their time slices.
inline void SpinTurn(int spins) {
  constexpr int kSpinsBeforeYield = 4096;
#if defined(__x86_64__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
  asm volatile("yield");
#endif
  if (spins > kSpinsBeforeYield) std::this_thread::yield();
}

}  // namespace flatbert
