#include "format/model_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "flatbert/error.hpp"
#include "format/arch.h"
#include "quant/pack.h"
#include "tokenizer/vocab_index.h"

namespace flatbert {

size_t DTypeBits(fb::DType dtype) {
  switch (dtype) {
    case fb::DType::F32: return 32;
    case fb::DType::F16: return 16;
    case fb::DType::I8: return 8;
    case fb::DType::I4: return 4;
  }
  return 0;
}

const char* DTypeName(fb::DType dtype) {
  const char* name = fb::EnumNameDType(dtype);
  return *name ? name : "unknown";
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

std::string ShapeString(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

std::vector<int64_t> ShapeOf(const fb::Tensor& t) {
  if (!t.shape()) return {};
  return {t.shape()->begin(), t.shape()->end()};
}

}  // namespace

ModelFile ModelFile::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error("cannot open model '" + path + "': " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error("model '" + path + "' is not a regular file");
  }
  const size_t size = static_cast<size_t>(st.st_size);
  if (size < 16) {
    ::close(fd);
    throw Error("model '" + path + "' is truncated: " + std::to_string(size) + " bytes");
  }
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) throw Error("cannot mmap model '" + path + "': " + std::strerror(errno));
  ModelFile file;
  file.bytes_ = static_cast<const uint8_t*>(map);
  file.size_ = size;
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
  const size_t fb_size = flatbuffers::GetPrefixedSize(bytes_) + sizeof(flatbuffers::uoffset_t);
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
  if (!meta_->tokenizer() || !meta_->tokenizer()->vocab()) fail("no tokenizer vocabulary");
  CheckConfig(*meta_->config());
  if (static_cast<int>(meta_->tokenizer()->vocab()->size()) != meta_->config()->vocab_size())
    fail("tokenizer has " + std::to_string(meta_->tokenizer()->vocab()->size()) + " tokens, config vocab_size is " +
         std::to_string(meta_->config()->vocab_size()));
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
    uint64_t bits = DTypeBits(t->dtype());
    if (bits == 0) fail("tensor '" + t->name()->str() + "' has unknown dtype");
    uint64_t numel = 1;
    for (int64_t d : ShapeOf(*t)) {
      if (d <= 0 || d > (int64_t{1} << 32)) fail("tensor '" + t->name()->str() + "' has dimension " + std::to_string(d));
      numel *= static_cast<uint64_t>(d);
    }
    uint64_t needed = (numel * bits + 7) / 8;
    if (t->layout() != fb::Layout::RowMajor) {
      const bool matrix = t->shape() && t->shape()->size() == 2;
      const bool k4 = t->layout() == fb::Layout::K4N16 && t->dtype() == fb::DType::I8;
      const bool k1 = t->layout() == fb::Layout::K1N16 && (t->dtype() == fb::DType::F32 || t->dtype() == fb::DType::F16);
      if (!matrix || !(k4 || k1))
        fail("tensor '" + t->name()->str() + "' has layout " + fb::EnumNameLayout(t->layout()) + ", which does not fit a " +
             DTypeName(t->dtype()) + (matrix ? " matrix" : " tensor"));
      const int64_t n = t->shape()->Get(0), k = t->shape()->Get(1);
      needed = k4 ? K4N16Size(n, k) : K1N16Count(n, k) * bits / 8;
    }
    if (t->size() < needed)
      fail("tensor '" + t->name()->str() + "' holds " + std::to_string(t->size()) + " bytes, its shape needs " +
           std::to_string(needed));
    if (t->dtype() == fb::DType::I8) {  // int8 matrices carry one scale per row, and one row sum when packed
      const fb::QuantParams* q = t->quant();
      const bool gemm = t->layout() == fb::Layout::K4N16;
      if (!t->shape() || t->shape()->size() != 2 || !q || !q->scales() || q->axis() != 0 || q->group_size() != 0 ||
          static_cast<int64_t>(q->scales()->size()) != t->shape()->Get(0) ||
          (gemm && (!q->row_sums() || static_cast<int64_t>(q->row_sums()->size()) != t->shape()->Get(0))))
        fail("int8 tensor '" + t->name()->str() + "' needs one scale per row" + (gemm ? " and one row sum per row" : ""));
    }
    if (t->dtype() == fb::DType::I4) {  // int4 matrices carry one scale per group of each row
      const fb::QuantParams* q = t->quant();
      const bool matrix = t->shape() && t->shape()->size() == 2;
      const int64_t group = q ? q->group_size() : 0;
      if (!matrix || !q || !q->scales() || group <= 0 || group % kInt4GroupMultiple != 0 ||
          t->shape()->Get(1) % group != 0 || static_cast<int64_t>(q->scales()->size()) != static_cast<int64_t>(numel) / group)
        fail("int4 tensor '" + t->name()->str() + "' needs a group size (a multiple of " +
             std::to_string(kInt4GroupMultiple) + " dividing its rows) and one scale per group");
    }
    if (t->offset() % kTensorAlignment != 0) fail("tensor '" + t->name()->str() + "' is not 64-byte aligned");
    if (t->offset() > data_size || t->size() > data_size - t->offset())
      fail("tensor '" + t->name()->str() + "' lies outside the file (truncated?)");
  }
  for (const TensorSpec& spec : RequiredTensors(*meta_->config(), num_labels())) {
    const fb::Tensor* t = find(spec.name);
    if (!t) fail("missing tensor '" + spec.name + "'");
    if (ShapeOf(*t) != spec.shape)
      fail("tensor '" + spec.name + "' has shape " + ShapeString(ShapeOf(*t)) + ", the config needs " +
           ShapeString(spec.shape));
  }
}

const fb::Tensor* ModelFile::find(const std::string& name) const { return meta_->tensors()->LookupByKey(name.c_str()); }

TensorView ModelFile::tensor(const std::string& name) const {
  const fb::Tensor* t = find(name);
  if (!t) throw Error("model has no tensor '" + name + "'");
  return TensorView{t, data_ + t->offset(), ShapeOf(*t)};
}

}  // namespace flatbert
