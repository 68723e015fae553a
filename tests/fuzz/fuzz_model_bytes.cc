// libFuzzer: arbitrary bytes as a .fbm model file.
#include "fuzz_model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  flatbert::fuzz::RunModel(data, size);
  return 0;
}
