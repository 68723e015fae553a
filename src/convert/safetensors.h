#pragma once
// Reader for Hugging Face model.safetensors: u64 header length, JSON header, raw little-endian data.
#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "format/model_contents.h"

namespace flatbert {

// The largest model.safetensors read (BERT-large in f32 is 1.3 GB): 8 GiB, or what a 32-bit size_t holds.
inline constexpr size_t kMaxSafeTensorsBytes = static_cast<size_t>(std::min<uint64_t>(uint64_t{8} << 30, SIZE_MAX));

class SafeTensors {
 public:
  // Reads the file and checks the header: each tensor's dtype, shape and offsets agree and lie in the file.
  explicit SafeTensors(const std::string& path);
  // The header alone, checked as above: names and shapes without reading the data (ReadF32 throws).
  static SafeTensors Header(const std::string& path);
  bool has(const std::string& name) const { return entries_.count(name) > 0; }
  std::vector<int64_t> shape(const std::string& name) const;
  std::vector<std::string> names() const;  // sorted
  // The tensor as float32, converted from F32, F16 or BF16. Throws Error for other dtypes.
  std::vector<float> ReadF32(const std::string& name) const;

 private:
  struct Entry {
    std::string dtype;
    std::vector<int64_t> shape;
    uint64_t begin = 0, end = 0;
  };
  SafeTensors(const std::string& path, bool with_data);
  const Entry& at(const std::string& name) const;
  std::string path_;
  bool has_data_;
  std::string file_;       // the whole file, or its header alone
  size_t data_begin_ = 0;  // in file_, after the header
  std::map<std::string, Entry> entries_;
};

// Writes F32 tensors (throws Error for any other dtype) as model.safetensors.
void WriteSafeTensorsF32(const std::vector<TensorData>& tensors, const std::string& path);

}  // namespace flatbert
