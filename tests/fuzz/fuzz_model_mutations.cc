// libFuzzer: valid models (the tiny ones of corpus/model_bytes: each architecture and weight type) with their
// header mutated field by field, and bytes flipped. The input is a program: which model, then a list of
// (operation, target, value). Coverage goes much deeper than random bytes, which rarely pass the flatbuffer check.
#include <string>
#include <vector>

#include "fuzz_inputs.h"
#include "fuzz_model.h"

namespace {

using flatbert::fuzz::Pick;
using flatbert::fuzz::PickFloat;
using flatbert::fuzz::PickInt;

void Mutate(FuzzedDataProvider& in, flatbert::fb::ModelT& m) {
  using namespace flatbert::fb;
  if (m.tensors.empty()) return;
  TensorT& t = *Pick(in, m.tensors);
  switch (in.ConsumeIntegralInRange(0, 17)) {
    case 0:
      if (!t.shape.empty()) {
        int64_t& d = Pick(in, t.shape);
        d = PickInt(in, d);
      }
      break;
    case 1: t.shape.resize(in.ConsumeIntegralInRange<size_t>(0, 4), in.ConsumeIntegralInRange<int64_t>(1, 64)); break;
    case 2: t.dtype = static_cast<DType>(in.ConsumeIntegralInRange(0, 5)); break;
    case 3: t.layout = static_cast<Layout>(in.ConsumeIntegralInRange(0, 3)); break;
    case 4: t.offset = static_cast<uint64_t>(PickInt(in, static_cast<int64_t>(t.offset))); break;
    case 5: t.size = static_cast<uint64_t>(PickInt(in, static_cast<int64_t>(t.size))); break;
    case 6:
      if (t.quant) {
        t.quant->scales.resize(static_cast<size_t>(PickInt(in, static_cast<int64_t>(t.quant->scales.size())) & 0xffff));
      } else {
        t.quant = std::make_unique<QuantParamsT>();
        t.quant->scales.assign(in.ConsumeIntegralInRange<size_t>(1, 64), 0.5f);
      }
      break;
    case 7:
      if (t.quant && !t.quant->scales.empty()) {
        float& s = Pick(in, t.quant->scales);
        s = PickFloat(in, s);
      }
      break;
    case 8:
      if (t.quant)
        t.quant->row_sums.resize(
            static_cast<size_t>(PickInt(in, static_cast<int64_t>(t.quant->row_sums.size())) & 0xffff), 7);
      break;
    case 9:
      if (t.quant && !t.quant->row_sums.empty()) {
        int32_t& r = Pick(in, t.quant->row_sums);
        r = static_cast<int32_t>(PickInt(in, r));
      }
      break;
    case 10:
      if (t.quant) {
        t.quant->group_size = static_cast<int32_t>(PickInt(in, t.quant->group_size));
        t.quant->axis = in.ConsumeIntegralInRange(-1, 2);
      }
      break;
    case 11:
      if (t.quant) t.quant->input_scale = PickFloat(in, t.quant->input_scale);
      break;
    case 12: t.quant.reset(); break;
    case 13: {  // the vocabulary index
      auto& slots = m.tokenizer->vocab_slots;
      if (!slots.empty()) {
        uint16_t& slot = Pick(in, slots);
        slot = in.ConsumeIntegral<uint16_t>();
      } else {
        slots.resize(in.ConsumeIntegralInRange<size_t>(0, 1 << 14), 0);
      }
      break;
    }
    case 14: {  // the vocabulary itself
      auto& vocab = m.tokenizer->vocab;
      if (!vocab.empty()) {
        if (in.ConsumeBool())
          vocab.erase(vocab.begin() + in.ConsumeIntegralInRange<long>(0, static_cast<long>(vocab.size()) - 1));
        else
          Pick(in, vocab) = in.ConsumeRandomLengthString(16);
      }
      break;
    }
    case 15: {  // one config size
      ArchConfigT& c = *m.config;
      int32_t* fields[] = {&c.vocab_size,
                           &c.hidden_size,
                           &c.intermediate_size,
                           &c.num_layers,
                           &c.num_heads,
                           &c.max_positions,
                           &c.type_vocab_size,
                           &c.embedding_size,
                           &c.intra_bottleneck_size,
                           &c.num_feedforward_networks};
      int32_t* field = fields[in.ConsumeIntegralInRange<size_t>(0, std::size(fields) - 1)];
      *field = static_cast<int32_t>(PickInt(in, *field));
      break;
    }
    case 16: {  // config switches, the normalizer, max_length, labels
      ArchConfigT& c = *m.config;
      switch (in.ConsumeIntegralInRange(0, 6)) {
        case 0: c.arch = static_cast<Arch>(in.ConsumeIntegralInRange(0, 2)); break;
        case 1: c.trigram_input = !c.trigram_input; break;
        case 2: c.use_bottleneck = !c.use_bottleneck; break;
        case 3: c.key_query_shared_bottleneck = !c.key_query_shared_bottleneck; break;
        case 4: c.has_pooler = !c.has_pooler; break;
        case 5: m.tokenizer->max_length = static_cast<int32_t>(PickInt(in, m.tokenizer->max_length)); break;
        default: m.labels.resize(in.ConsumeIntegralInRange<size_t>(0, 5), "x"); break;
      }
      break;
    }
    default:  // names: renamed, duplicated or dropped
      if (in.ConsumeBool())
        t.name = in.ConsumeRandomLengthString(64);
      else
        m.tensors.erase(m.tensors.begin() +
                        in.ConsumeIntegralInRange<long>(0, static_cast<long>(m.tensors.size()) - 1));
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const std::vector<uint8_t>& base = Pick(in, flatbert::fuzz::SeedModels());
  const int edits = in.ConsumeIntegralInRange(0, 4);
  std::vector<uint8_t> file = flatbert::testing::EditHeader(base, [&](flatbert::fb::ModelT& m) {
    for (int i = 0; i < edits; ++i) Mutate(in, m);
  });
  for (int flips = in.ConsumeIntegralInRange(0, 3); flips > 0 && !file.empty(); --flips)
    file[in.ConsumeIntegralInRange<size_t>(0, file.size() - 1)] ^= in.ConsumeIntegral<uint8_t>();
  flatbert::fuzz::RunModel(file.data(), file.size());
  return 0;
}
