#include "convert/safetensors.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "flatbert/error.hpp"
#include "flatbert/output_file.hpp"
#include "format/file_io.h"
#include "kernels/half.h"

namespace flatbert {

namespace {

// JSON values in a header (ParseJson): a tensor's entry holds about 10, so this is 100,000 tensors; a 100 MB
// header of `[0,0,...` would otherwise build 2.4 GB of values.
constexpr size_t kMaxHeaderValues = size_t{1} << 20;

// Bytes per value of the dtypes ReadF32 converts; 0 for any other.
size_t DTypeWidth(const std::string& dtype) {
  if (dtype == "F32") return 4;
  if (dtype == "F16" || dtype == "BF16") return 2;
  return 0;
}

}  // namespace

SafeTensors::SafeTensors(const std::string& path) : SafeTensors(path, true) {}

SafeTensors SafeTensors::Header(const std::string& path) { return SafeTensors(path, false); }

SafeTensors::SafeTensors(const std::string& path, bool with_data) : path_(path), has_data_(with_data) {
  constexpr const char* kWhat = "safetensors file";
  const RegularFile file(path, kWhat, kMaxSafeTensorsBytes);
  if (file.size() < 8) throw Error("'" + path + "' is not a safetensors file (shorter than its header length)");
  uint64_t header_len = 0;
  std::memcpy(&header_len, ReadBytes(file, path, kWhat, 0, 8).data(), 8);
  if (header_len > std::min<uint64_t>(100u << 20, file.size() - 8))
    throw Error("'" + path + "' is not a safetensors file (bad header length " + std::to_string(header_len) + ")");
  data_begin_ = 8 + header_len;
  file_ = ReadBytes(file, path, kWhat, 0, with_data ? file.size() : data_begin_);
  const nlohmann::ordered_json j =
      ParseJson(std::string_view(file_).substr(8, header_len), "the header of '" + path + "'", kMaxHeaderValues);
  const uint64_t data_size = file.size() - data_begin_;
  if (!j.is_object()) throw Error("'" + path + "': the header is not a JSON object");
  for (const auto& item : j.items()) {
    const std::string& name = item.key();  // not a structured binding: clang 14 cannot capture those
    const nlohmann::ordered_json& info = item.value();
    if (name == "__metadata__") continue;
    auto bad = [&](const std::string& what) { return Error("'" + path + "': tensor '" + name + "' " + what); };
    Entry e;
    try {
      e.dtype = info.at("dtype").get<std::string>();
      e.shape = info.at("shape").get<std::vector<int64_t>>();
      e.begin = info.at("data_offsets").at(0).get<uint64_t>();
      e.end = info.at("data_offsets").at(1).get<uint64_t>();
    } catch (const nlohmann::ordered_json::exception& ex) {
      throw bad(std::string("has a malformed header entry: ") + ex.what());
    }
    if (e.begin > e.end || e.end > data_size) throw bad("lies outside the file");
    const uint64_t width = DTypeWidth(e.dtype);
    uint64_t bytes = width;
    for (int64_t d : e.shape)
      if (d < 0 || __builtin_mul_overflow(bytes, static_cast<uint64_t>(d), &bytes)) throw bad("has a bad shape");
    if (width != 0 && bytes != e.end - e.begin) throw bad("size does not match its shape");
    entries_[name] = std::move(e);
  }
}

const SafeTensors::Entry& SafeTensors::at(const std::string& name) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) throw Error("'" + path_ + "' has no tensor '" + name + "'");
  return it->second;
}

std::vector<int64_t> SafeTensors::shape(const std::string& name) const { return at(name).shape; }

std::vector<std::string> SafeTensors::names() const {
  std::vector<std::string> out;
  for (const auto& entry : entries_) out.push_back(entry.first);
  return out;
}

std::vector<float> SafeTensors::ReadF32(const std::string& name) const {
  if (!has_data_) throw Error("'" + path_ + "' was read without its data");
  const Entry& e = at(name);
  size_t n = 1;
  for (int64_t d : e.shape) n *= static_cast<size_t>(d);
  // The constructor checked the tensor's bytes against its shape.
  const auto* src = reinterpret_cast<const uint8_t*>(file_.data()) + data_begin_ + e.begin;
  std::vector<float> out(n);
  if (e.dtype == "F32") {
    std::memcpy(out.data(), src, n * 4);
  } else if (e.dtype == "F16" || e.dtype == "BF16") {
    for (size_t i = 0; i < n; ++i) {
      uint16_t h;
      std::memcpy(&h, src + 2 * i, 2);
      if (e.dtype == "F16") {
        out[i] = HalfToFloat(h);
      } else {
        const uint32_t bits = static_cast<uint32_t>(h) << 16;
        std::memcpy(&out[i], &bits, 4);
      }
    }
  } else {
    throw Error("'" + path_ + "': tensor '" + name + "' has dtype " + e.dtype + ", expected F32, F16 or BF16");
  }
  return out;
}

void WriteSafeTensorsF32(const std::vector<TensorData>& tensors, const std::string& path) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  uint64_t offset = 0;
  for (const TensorData& t : tensors) {
    if (t.dtype != fb::DType::F32) throw Error("tensor '" + t.name + "' is not F32; dequantize it first");
    header[t.name] = {{"dtype", "F32"}, {"shape", t.shape}, {"data_offsets", {offset, offset + t.bytes.size()}}};
    offset += t.bytes.size();
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // keeps the data 8-byte aligned
  const uint64_t header_len = text.size();
  std::vector<std::string_view> pieces = {std::string_view(reinterpret_cast<const char*>(&header_len), 8), text};
  for (const TensorData& t : tensors)
    pieces.emplace_back(reinterpret_cast<const char*>(t.bytes.data()), t.bytes.size());
  WriteOutputFile(path, pieces);
}

}  // namespace flatbert
