#pragma once
// flatbert C++ API: what a .fbm holds, this library's version, and which kernels this CPU runs.
#include <string>

#include "flatbert/error.hpp"

namespace flatbert {

// The model at `path`, read through the verifier, as one JSON object (what `flatbert inspect --json` prints):
// file, file_bytes, format_version, description, config, labels, tokenizer, normalizer, tensors (each with name,
// dtype, shape, role, layer, bytes and quant), parameters, tensor_bytes, tensor_bytes_by_dtype. With
// verify_checksums, also checksums_verified (how many tensors' CRC-32 matched); throws Error naming the first that
// does not, or when the file stores none.
std::string DescribeModel(const std::string& path, bool verify_checksums = false);

// This library's version ("0.1.0"; the C API's ABI is flatbert_abi_version()).
const char* Version();

// The kernel path Classifier uses on this CPU ("avx512", "avx2", "neondot", "neon", "ref"; $FLATBERT_KERNELS
// chooses another).
const char* KernelPath();

}  // namespace flatbert
