#include "format/model_file.h"

#include <sys/mman.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <map>
#include <set>
#include <utility>

#include "flatbert/error.hpp"
#include "flatbert/limits.hpp"
#include "format/arch.h"
#include "format/file_io.h"
#include "kernels/pack.h"
#include "tokenizer/unicode.h"
#include "tokenizer/vocab_index.h"

namespace flatbert {

void CheckLabelCount(size_t count) {
  if (count > kMaxLabels)
    throw Error(std::to_string(count) + " labels; a model has at most " + std::to_string(kMaxLabels));
}

void CheckLabels(const std::vector<std::string>& labels) {
  CheckLabelCount(labels.size());
  std::map<std::string_view, size_t> first_of;
  for (size_t i = 0; i < labels.size(); ++i) {
    const std::string& label = labels[i];
    const std::string name = "label " + std::to_string(i);
    if (label.empty()) throw Error(name + " is empty");
    if (label.size() > kMaxLabelBytes) throw Error(name + " is over " + std::to_string(kMaxLabelBytes) + " bytes");
    std::u32string code_points;
    if (!unicode::Decode(label, code_points)) throw Error(name + " is not valid UTF-8");
    for (char32_t cp : code_points)
      if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) throw Error(name + " has a control character");
    const auto [earlier, first] = first_of.emplace(label, i);
    if (!first)
      throw Error("labels " + std::to_string(earlier->second) + " and " + std::to_string(i) + " are both '" + label +
                  "'");
  }
}

uint32_t TensorChecksum(const uint8_t* bytes, size_t size, const float* scales, size_t num_scales,
                        const int32_t* row_sums, size_t num_row_sums) {
  uLong crc = crc32_z(0, nullptr, 0);
  // Empty parts are skipped: zlib takes a null buffer as a request for the initial value, and would start over.
  auto add = [&](const void* data, size_t n) {
    if (n > 0) crc = crc32_z(crc, static_cast<const Bytef*>(data), n);
  };
  add(bytes, size);
  add(scales, num_scales * sizeof(float));
  add(row_sums, num_row_sums * sizeof(int32_t));
  return static_cast<uint32_t>(crc);
}

int64_t TensorView::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

size_t DataSectionOffset(size_t flatbuffer_size) {
  return (flatbuffer_size + kTensorAlignment - 1) / kTensorAlignment * kTensorAlignment;
}

namespace {

std::vector<int64_t> ShapeOf(const fb::Tensor& t) {
  if (!t.shape()) return {};
  return {t.shape()->begin(), t.shape()->end()};
}

// Whether `role` may be stored as (dtype, layout); convert/quantize.cc writes exactly these.
bool StorageFits(TensorRole role, const DTypeTraits& type, fb::Layout layout) {
  if (IsLinearWeight(role)) return layout == type.linear_layout;
  if (role == TensorRole::kLookupTable) return layout == fb::Layout::RowMajor;
  return type.dtype == fb::DType::F32 && layout == fb::Layout::RowMajor;
}

// The bytes a tensor of `shape` (as checked against its spec, so every dimension is bounded by the config) needs
// in its type and layout.
uint64_t NeededBytes(const std::vector<int64_t>& shape, const DTypeTraits& type, fb::Layout layout) {
  const uint64_t bits = static_cast<uint64_t>(type.bits);
  if (layout == fb::Layout::K4N16) return K4N16Size(shape[0], shape[1]);
  if (layout == fb::Layout::K1N16) return K1N16Count(shape[0], shape[1]) * bits / 8;
  uint64_t numel = 1;
  for (int64_t d : shape)
    if (__builtin_mul_overflow(numel, static_cast<uint64_t>(d), &numel)) return UINT64_MAX;
  return numel > UINT64_MAX / bits ? UINT64_MAX : (numel * bits + 7) / 8;
}

// What the type's quantization parameters lack for a tensor of `shape` ("" when they fit): the scales its rule
// asks for, and for an int8 Linear one row sum per row, which its GEMM reads.
std::string ScaleError(const DTypeTraits& type, const fb::QuantParams* q, const std::vector<int64_t>& shape,
                       bool linear) {
  switch (type.scales) {
    case ScaleRule::kNone: return "";
    case ScaleRule::kPerRow: {
      const auto rows = static_cast<flatbuffers::uoffset_t>(shape[0]);
      const bool fits = q && q->scales() && q->axis() == 0 && q->group_size() == 0 && q->scales()->size() == rows &&
                        (!linear || (q->row_sums() && q->row_sums()->size() == rows));
      return fits ? "" : std::string("one scale per row") + (linear ? " and one row sum per row" : "");
    }
    case ScaleRule::kPerGroup: {
      const int64_t group = q ? q->group_size() : 0;
      const bool fits = q && q->scales() && group > 0 && group % kInt4GroupMultiple == 0 && shape[1] % group == 0 &&
                        static_cast<int64_t>(q->scales()->size()) == shape[0] * (shape[1] / group);
      return fits ? "" : "a group size (a multiple of " + std::to_string(kInt4GroupMultiple) +
                             " dividing its rows) and one scale per group";
    }
  }
  return "";
}

}  // namespace

ModelFile ModelFile::Open(const std::string& path) {
  const RegularFile fd(path, "model");
  if (fd.size() < 16) throw Error("model '" + path + "' is truncated: " + std::to_string(fd.size()) + " bytes");
  void* map = ::mmap(nullptr, fd.size(), PROT_READ, MAP_PRIVATE, fd.fd(), 0);
  if (map == MAP_FAILED) throw Error("cannot mmap model '" + path + "': " + std::strerror(errno));
  ModelFile file;
  file.bytes_ = static_cast<const uint8_t*>(map);
  file.size_ = fd.size();
  file.mapped_ = true;
  file.Verify(path);  // on throw, the destructor unmaps
  return file;
}

ModelFile ModelFile::FromBytes(const uint8_t* bytes, size_t size, const std::string& name) {
  ModelFile file;
  file.bytes_ = bytes;
  file.size_ = size;
  file.Verify(name);
  return file;
}

ModelFile::ModelFile(ModelFile&& other) noexcept { *this = std::move(other); }

ModelFile& ModelFile::operator=(ModelFile&& other) noexcept {
  std::swap(bytes_, other.bytes_);
  std::swap(size_, other.size_);
  std::swap(mapped_, other.mapped_);
  std::swap(meta_, other.meta_);
  std::swap(config_, other.config_);
  std::swap(labels_, other.labels_);
  std::swap(data_, other.data_);
  return *this;
}

ModelFile::~ModelFile() {
  if (mapped_) ::munmap(const_cast<uint8_t*>(bytes_), size_);
}

void ModelFile::Verify(const std::string& name) {
  auto fail = [&](const std::string& what) { throw Error("bad model file '" + name + "': " + what); };
  if (size_ < 16) fail("truncated: " + std::to_string(size_) + " bytes");
  if (!fb::ModelBufferHasIdentifier(bytes_ + sizeof(flatbuffers::uoffset_t)))
    fail("not a flatbert model (file identifier is not \"FBM1\")");
  const size_t fb_size = size_t{flatbuffers::GetPrefixedSize(bytes_)} + sizeof(flatbuffers::uoffset_t);
  if (fb_size > size_) fail("truncated: header says " + std::to_string(fb_size) + " bytes, file has " + std::to_string(size_));
  flatbuffers::Verifier verifier(bytes_, fb_size);
  if (!fb::VerifySizePrefixedModelBuffer(verifier)) fail("flatbuffer verification failed (corrupted header)");
  meta_ = fb::GetSizePrefixedModel(bytes_);
  if (meta_->format_version() != kFormatVersion)
    fail("format version " + std::to_string(meta_->format_version()) + ", this build reads version " +
         std::to_string(kFormatVersion) + " (re-convert the model with this build's `flatbert convert`)");
  if (!meta_->config()) fail("no architecture config");
  if (!meta_->tensors()) fail("no tensors");
  if (!meta_->labels() || meta_->labels()->size() == 0) fail("no labels");
  labels_.clear();
  try {
    CheckLabelCount(meta_->labels()->size());
    for (const flatbuffers::String* label : *meta_->labels()) labels_.push_back(label->str());
    CheckLabels(labels_);
  } catch (const Error& e) {
    fail(e.what());
  }
  if (!meta_->tokenizer() || !meta_->tokenizer()->vocab()) fail("no tokenizer vocabulary");
  meta_->config()->UnPackTo(&config_);
  try {
    CheckConfig(config_);
  } catch (const Error& e) {
    fail(e.what());
  }
  // A checkpoint may pad its embedding table past the tokenizer's ids; never the other way.
  if (static_cast<int64_t>(meta_->tokenizer()->vocab()->size()) > config_.vocab_size)
    fail("tokenizer has " + std::to_string(meta_->tokenizer()->vocab()->size()) +
         " tokens, more than config vocab_size " + std::to_string(config_.vocab_size));
  if (const auto* slots = meta_->tokenizer()->vocab_slots();
      slots && !VocabIndex::SlotsFit({slots->data(), slots->size()}, meta_->tokenizer()->vocab()->size()))
    fail("the tokenizer's vocabulary index does not fit its " + std::to_string(meta_->tokenizer()->vocab()->size()) +
         " tokens");

  const size_t data_offset = DataSectionOffset(fb_size);
  if (data_offset > size_) fail("truncated before the tensor data");
  data_ = bytes_ + data_offset;
  const uint64_t data_size = size_ - data_offset;
  const fb::Tensor* previous = nullptr;
  for (const fb::Tensor* t : *meta_->tensors()) {
    if (!t->name()) fail("a tensor has no name");
    if (previous && !(previous->name()->string_view() < t->name()->string_view()))
      fail("tensors are not sorted by name");
    previous = t;
  }
  // Every tensor the config names, in the role the engine reads it in; with names sorted and unique, finding each
  // of them among as many file tensors leaves none that the engine and tools would not check.
  const std::vector<TensorSpec> specs = RequiredTensors(config_, num_labels());
  for (const TensorSpec& spec : specs) {
    const fb::Tensor* t = find(spec.name);
    if (!t) fail("missing tensor '" + spec.name + "'");
    // The flatbuffer verifier checks a vector's length field for 4-byte alignment only.
    if (t->shape() && reinterpret_cast<uintptr_t>(t->shape()->data()) % alignof(int64_t) != 0)
      fail("tensor '" + spec.name + "' has a misaligned shape");
    const std::vector<int64_t> shape = ShapeOf(*t);
    if (!t->shape() || shape != spec.shape)
      fail("tensor '" + spec.name + "' has shape " + (t->shape() ? ShapeString(shape) : "none") +
           ", the config needs " + ShapeString(spec.shape));
    const DTypeTraits* type = FindDType(t->dtype());
    if (!type || !StorageFits(spec.role, *type, t->layout()))
      fail("tensor '" + spec.name + "' is stored as " + DTypeName(t->dtype()) + " " + fb::EnumNameLayout(t->layout()) +
           ", which the engine does not read for it");
    const uint64_t needed = NeededBytes(shape, *type, t->layout());
    if (t->size() < needed)
      fail("tensor '" + spec.name + "' holds " + std::to_string(t->size()) + " bytes, its shape needs " +
           std::to_string(needed));
    const fb::QuantParams* q = t->quant();
    if (const std::string wrong = ScaleError(*type, q, shape, IsLinearWeight(spec.role)); !wrong.empty())
      fail(std::string(type->name) + " tensor '" + spec.name + "' needs " + wrong);
    if (q && !(q->input_scale() >= 0.f && std::isfinite(q->input_scale())))
      fail("tensor '" + spec.name + "' has input scale " + std::to_string(q->input_scale()));
    if (t->offset() % kTensorAlignment != 0) fail("tensor '" + spec.name + "' is not 64-byte aligned");
    if (t->offset() > data_size || t->size() > data_size - t->offset())
      fail("tensor '" + spec.name + "' lies outside the file (truncated?)");
  }
  if (meta_->tensors()->size() != specs.size()) {
    std::set<std::string_view> expected;
    for (const TensorSpec& spec : specs) expected.insert(spec.name);
    for (const fb::Tensor* t : *meta_->tensors())
      if (!expected.count(t->name()->string_view()))
        fail("unexpected tensor '" + t->name()->str() + "' (not part of this config's model)");
  }
}

size_t ModelFile::VerifyChecksums() const {
  size_t checked = 0;
  for (const fb::Tensor* t : *meta_->tensors()) {
    if (!t->checksum()) continue;
    const fb::QuantParams* q = t->quant();
    const auto* scales = q ? q->scales() : nullptr;
    const auto* row_sums = q ? q->row_sums() : nullptr;
    const uint32_t actual =
        TensorChecksum(data_ + t->offset(), t->size(), scales ? scales->data() : nullptr, scales ? scales->size() : 0,
                       row_sums ? row_sums->data() : nullptr, row_sums ? row_sums->size() : 0);
    if (actual != *t->checksum())
      throw Error("tensor '" + t->name()->str() + "' does not match its checksum (the file is corrupted)");
    ++checked;
  }
  return checked;
}

const fb::Tensor* ModelFile::find(const std::string& name) const { return meta_->tensors()->LookupByKey(name.c_str()); }

TensorView ModelFile::tensor(const std::string& name) const {
  const fb::Tensor* t = find(name);
  if (!t) throw Error("model has no tensor '" + name + "'");
  return TensorView{t, data_ + t->offset(), ShapeOf(*t)};
}

}  // namespace flatbert
