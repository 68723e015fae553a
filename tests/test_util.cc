#include "test_util.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "flatbert/error.hpp"
#include "format/model_file.h"

namespace flatbert::testing {

std::string GoldenDir(const std::string& model) { return std::string(FLATBERT_GOLDEN_DIR) + "/" + model; }

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("flatbert_test_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

std::vector<uint8_t> ReadBytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

void WriteBytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::string SafeTensorsFile(const std::string& header, const std::string& data) {
  const uint64_t length = header.size();
  return std::string(reinterpret_cast<const char*>(&length), 8) + header + data;
}

std::string LoadError(const std::vector<uint8_t>& bytes) {
  try {
    ModelFile::FromBytes(bytes.data(), bytes.size(), "test.fbm");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::vector<uint8_t> WithHeader(const std::vector<uint8_t>& file, const flatbuffers::FlatBufferBuilder& header) {
  const size_t old_header = sizeof(flatbuffers::uoffset_t) + flatbuffers::GetPrefixedSize(file.data());
  const size_t old_data = DataSectionOffset(old_header), new_data = DataSectionOffset(header.GetSize());
  std::vector<uint8_t> out(new_data, 0);
  std::memcpy(out.data(), header.GetBufferPointer(), header.GetSize());
  out.insert(out.end(), file.begin() + static_cast<std::ptrdiff_t>(std::min(old_data, file.size())), file.end());
  return out;
}

std::vector<uint8_t> EditHeader(const std::vector<uint8_t>& file, const std::function<void(fb::ModelT&)>& edit) {
  const std::unique_ptr<fb::ModelT> model(fb::GetSizePrefixedModel(file.data())->UnPack());
  edit(*model);
  flatbuffers::FlatBufferBuilder fbb;
  fbb.FinishSizePrefixed(fb::Model::Pack(fbb, model.get()), fb::ModelIdentifier());
  return WithHeader(file, fbb);
}

fb::TensorT& TensorNamed(fb::ModelT& model, const std::string& name) {
  for (auto& t : model.tensors)
    if (t->name == name) return *t;
  throw std::runtime_error("no tensor " + name);
}

}  // namespace flatbert::testing
