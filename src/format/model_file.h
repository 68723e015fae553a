#pragma once
// A verified, memory-mapped .fbm file. Nothing is copied: tensors point into the mapping.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "flatbert_generated.h"
#include "format/dtype.h"

namespace flatbert {

// 2: int8 Linear weights are stored packed (Layout K4N16); version 1 files stored them row-major.
inline constexpr uint32_t kFormatVersion = 2;
inline constexpr size_t kTensorAlignment = 64;
// What Tensor.checksum holds: CRC-32 of the tensor's bytes, then of its scales and row sums.
uint32_t TensorChecksum(const uint8_t* bytes, size_t size, const float* scales, size_t num_scales,
                        const int32_t* row_sums, size_t num_row_sums);

// Labels become JSON keys and C strings, and are matched against TSV gold columns: CheckLabels throws Error for more
// than kMaxLabels, or naming the first that is empty, over kMaxLabelBytes, not valid UTF-8 or holding a control
// character (C0, DEL, C1: a NUL, a tab, a line break), or that repeats an earlier one (two probabilities under one
// key). CheckLabelCount is its first check, which a reader makes before it builds the labels.
void CheckLabelCount(size_t count);
void CheckLabels(const std::vector<std::string>& labels);

struct TensorView {
  const fb::Tensor* meta = nullptr;
  const void* data = nullptr;
  std::vector<int64_t> shape;
  int64_t numel() const;
  const float* f32() const { return static_cast<const float*>(data); }
};

class ModelFile {
 public:
  // Maps and verifies `path`; throws Error naming what is wrong (not a regular file, truncated, bad identifier,
  // wrong version, a config out of bounds, a tensor missing, unexpected, of the wrong shape or type, short of
  // bytes or outside the file). Checksums are not read here (VerifyChecksums).
  static ModelFile Open(const std::string& path);
  // Verifies bytes already in memory, 8-byte aligned (kept by the caller for the ModelFile's lifetime).
  static ModelFile FromBytes(const uint8_t* bytes, size_t size, const std::string& name);

  ModelFile(ModelFile&& other) noexcept;
  ModelFile& operator=(ModelFile&& other) noexcept;
  ModelFile(const ModelFile&) = delete;
  ModelFile& operator=(const ModelFile&) = delete;
  ~ModelFile();

  const fb::Model& meta() const { return *meta_; }
  // The architecture config, unpacked once at load (format/arch.h reads this form).
  const fb::ArchConfigT& config() const { return config_; }
  // The labels as CheckLabels passed them at load.
  const std::vector<std::string>& labels() const { return labels_; }
  int num_labels() const { return static_cast<int>(labels_.size()); }
  size_t file_size() const { return size_; }
  // Throws Error when the tensor is absent.
  TensorView tensor(const std::string& name) const;
  const fb::Tensor* find(const std::string& name) const;
  // Recomputes every tensor's checksum. Returns the number of tensors checked: 0 when the file stores none
  // (written before checksums); throws Error naming the first tensor whose data does not match.
  size_t VerifyChecksums() const;

 private:
  ModelFile() = default;
  void Verify(const std::string& name);

  const uint8_t* bytes_ = nullptr;
  size_t size_ = 0;
  bool mapped_ = false;
  const fb::Model* meta_ = nullptr;
  fb::ArchConfigT config_;
  std::vector<std::string> labels_;
  const uint8_t* data_ = nullptr;  // start of the tensor data section
};

// Where the tensor data section starts for a flatbuffer of `flatbuffer_size` bytes (size prefix included).
size_t DataSectionOffset(size_t flatbuffer_size);

}  // namespace flatbert
