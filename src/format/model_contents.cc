#include "format/model_contents.h"

#include <algorithm>
#include <cstring>

#include "flatbert/error.hpp"
#include "flatbert/output_file.hpp"
#include "format/model_file.h"
#include "tokenizer/vocab_index.h"

namespace flatbert {

std::vector<uint8_t> SerializeModel(ModelContents model) {
  std::sort(model.tensors.begin(), model.tensors.end(),
            [](const TensorData& a, const TensorData& b) { return a.name < b.name; });
  flatbuffers::FlatBufferBuilder fbb(1 << 20);
  std::vector<flatbuffers::Offset<fb::Tensor>> tensors;
  uint64_t offset = 0;
  for (const TensorData& t : model.tensors) {
    flatbuffers::Offset<fb::QuantParams> quant = 0;
    if (!t.scales.empty())
      quant = fb::CreateQuantParamsDirect(fbb, &t.scales, t.axis, t.group_size,
                                          t.row_sums.empty() ? nullptr : &t.row_sums, t.input_scale);
    const uint32_t checksum = TensorChecksum(t.bytes.data(), t.bytes.size(), t.scales.data(), t.scales.size(),
                                             t.row_sums.data(), t.row_sums.size());
    tensors.push_back(fb::CreateTensorDirect(fbb, t.name.c_str(), &t.shape, t.dtype, quant, offset, t.bytes.size(),
                                             t.layout, checksum));
    offset = (offset + t.bytes.size() + kTensorAlignment - 1) / kTensorAlignment * kTensorAlignment;
  }
  auto config = fb::ArchConfig::Pack(fbb, &model.config);
  auto labels = fbb.CreateVectorOfStrings(model.labels);
  model.tokenizer.vocab_slots = VocabIndex::FileSlots(model.tokenizer.vocab);
  auto tokenizer = fb::TokenizerConfig::Pack(fbb, &model.tokenizer);
  flatbuffers::Offset<fb::NormalizerConfig> normalizer = 0;
  if (model.has_normalizer) normalizer = fb::NormalizerConfig::Pack(fbb, &model.normalizer);
  auto tensor_vec = fbb.CreateVector(tensors);
  auto description = fbb.CreateString(model.description);
  fb::ModelBuilder mb(fbb);
  mb.add_format_version(kFormatVersion);
  mb.add_config(config);
  mb.add_labels(labels);
  mb.add_tokenizer(tokenizer);
  if (model.has_normalizer) mb.add_normalizer(normalizer);
  mb.add_tensors(tensor_vec);
  mb.add_description(description);
  fbb.FinishSizePrefixed(mb.Finish(), fb::ModelIdentifier());

  const size_t data_start = DataSectionOffset(fbb.GetSize());
  std::vector<uint8_t> out(data_start + offset, 0);
  std::memcpy(out.data(), fbb.GetBufferPointer(), fbb.GetSize());
  const flatbuffers::Vector<flatbuffers::Offset<fb::Tensor>>* written =
      fb::GetSizePrefixedModel(out.data())->tensors();
  for (size_t i = 0; i < model.tensors.size(); ++i)
    std::memcpy(out.data() + data_start + written->Get(i)->offset(), model.tensors[i].bytes.data(),
                model.tensors[i].bytes.size());
  return out;
}

void WriteModel(const ModelContents& model, const std::string& path) {
  const std::vector<uint8_t> bytes = SerializeModel(model);
  WriteOutputFile(path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

TensorData F32Tensor(std::string name, std::vector<int64_t> shape, const float* values) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  TensorData t;
  t.name = std::move(name);
  t.shape = std::move(shape);
  t.bytes.resize(static_cast<size_t>(n) * sizeof(float));
  std::memcpy(t.bytes.data(), values, t.bytes.size());
  return t;
}

ModelContents ReadSettings(const ModelFile& file) {
  ModelContents m;
  m.config = file.config();
  m.labels = file.labels();
  file.meta().tokenizer()->UnPackTo(&m.tokenizer);
  if (const fb::NormalizerConfig* n = file.meta().normalizer()) {
    m.has_normalizer = true;
    n->UnPackTo(&m.normalizer);
  }
  if (file.meta().description()) m.description = file.meta().description()->str();
  return m;
}

ModelContents ReadContents(const ModelFile& file) {
  ModelContents m = ReadSettings(file);
  for (const fb::Tensor* t : *file.meta().tensors()) {
    const TensorView view = file.tensor(t->name()->str());
    TensorData d;
    d.name = t->name()->str();
    d.shape = view.shape;
    d.dtype = t->dtype();
    d.layout = t->layout();
    const auto* bytes = static_cast<const uint8_t*>(view.data);
    d.bytes.assign(bytes, bytes + t->size());
    if (const fb::QuantParams* q = t->quant()) {
      if (q->scales()) d.scales.assign(q->scales()->begin(), q->scales()->end());
      if (q->row_sums()) d.row_sums.assign(q->row_sums()->begin(), q->row_sums()->end());
      d.axis = q->axis();
      d.group_size = q->group_size();
      d.input_scale = q->input_scale();
    }
    m.tensors.push_back(std::move(d));
  }
  return m;
}

}  // namespace flatbert
