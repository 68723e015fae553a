#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "flatbert_generated.h"

namespace flatbert::testing {

std::string GoldenDir(const std::string& model);

// A temporary file path unique to this test process; removed by the caller.
std::string TempPath(const std::string& name);
std::vector<uint8_t> ReadBytes(const std::string& path);
void WriteBytes(const std::string& path, const std::vector<uint8_t>& bytes);
// model.safetensors bytes: the u64 header length, the header, then the tensor data.
std::string SafeTensorsFile(const std::string& header, const std::string& data);

// The error verifying `bytes` as a model file gives, or "" when it loads.
std::string LoadError(const std::vector<uint8_t>& bytes);
// A .fbm file with its flatbuffer header edited through the object API and the tensor data kept, so tensor
// offsets still point where they did: how tests and the structured fuzzer make one field of a valid file wrong.
std::vector<uint8_t> EditHeader(const std::vector<uint8_t>& file, const std::function<void(fb::ModelT&)>& edit);
// The file with its flatbuffer header replaced by `header` (finished, size-prefixed), the tensor data kept.
std::vector<uint8_t> WithHeader(const std::vector<uint8_t>& file, const flatbuffers::FlatBufferBuilder& header);
// The tensor of that name in an unpacked header (it must be there).
fb::TensorT& TensorNamed(fb::ModelT& model, const std::string& name);

}  // namespace flatbert::testing
