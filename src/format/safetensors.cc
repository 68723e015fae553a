#include "format/safetensors.h"

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "flatbert/error.hpp"
#include "quant/half.h"

namespace flatbert {

SafeTensors::SafeTensors(const std::string& path) : path_(path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error("cannot open '" + path + "'");
  uint64_t header_len = 0;
  f.read(reinterpret_cast<char*>(&header_len), 8);
  if (!f || header_len > (100u << 20)) throw Error("'" + path + "' is not a safetensors file (bad header length)");
  std::string header(header_len, '\0');
  f.read(header.data(), static_cast<std::streamsize>(header_len));
  if (!f) throw Error("'" + path + "' is truncated in its header");
  data_.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(header);
  } catch (const std::exception& e) {
    throw Error("'" + path + "' has an invalid JSON header: " + e.what());
  }
  for (auto& [name, info] : j.items()) {
    if (name == "__metadata__") continue;
    Entry e;
    e.dtype = info.at("dtype").get<std::string>();
    e.shape = info.at("shape").get<std::vector<int64_t>>();
    e.begin = info.at("data_offsets").at(0).get<uint64_t>();
    e.end = info.at("data_offsets").at(1).get<uint64_t>();
    if (e.begin > e.end || e.end > data_.size()) throw Error("'" + path + "': tensor '" + name + "' lies outside the file");
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
  for (const auto& kv : entries_) out.push_back(kv.first);
  return out;
}

std::vector<float> SafeTensors::ReadF32(const std::string& name) const {
  const Entry& e = at(name);
  size_t n = 1;
  for (int64_t d : e.shape) n *= static_cast<size_t>(d);
  const uint8_t* src = data_.data() + e.begin;
  const size_t bytes = e.end - e.begin;
  std::vector<float> out(n);
  auto need = [&](size_t width) {
    if (bytes != n * width) throw Error("'" + path_ + "': tensor '" + name + "' size does not match its shape");
  };
  if (e.dtype == "F32") {
    need(4);
    std::memcpy(out.data(), src, bytes);
  } else if (e.dtype == "F16" || e.dtype == "BF16") {
    need(2);
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
  std::ofstream f(path, std::ios::binary);
  const uint64_t header_len = text.size();
  f.write(reinterpret_cast<const char*>(&header_len), 8);
  f.write(text.data(), static_cast<std::streamsize>(text.size()));
  for (const TensorData& t : tensors) f.write(reinterpret_cast<const char*>(t.bytes.data()), static_cast<std::streamsize>(t.bytes.size()));
  if (!f) throw Error("cannot write '" + path + "'");
}

}  // namespace flatbert
