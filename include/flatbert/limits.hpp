#pragma once
// What flatbert accepts from untrusted input. Each limit is enforced while reading, before the input is held whole,
// and the README lists them.
#include <cstddef>

namespace flatbert {

// One text, and one line of classify / eval / bench / calibration input (a longer line is skipped to its end and
// reported as that row's error). A model reads at most max_length tokens anyway.
inline constexpr size_t kMaxTextBytes = size_t{1} << 20;
// Arrays and objects inside one another in a JSONL row, config.json, tokenizer_config.json or a safetensors header.
inline constexpr int kMaxJsonDepth = 32;
// JSON values (each value, key, array and object) in one JSONL row: a tweet object from an API dump holds a few
// hundred, and 1 MiB of `[0,0,...` in an "id" that classify echoes back would hold 20 MB per row.
inline constexpr size_t kMaxJsonRowValues = 4096;
// Tokens of a vocabulary (a model's vocab_size, a vocab.txt's lines): a vocab.txt is refused by its line count
// before its tokens are built (256 MB of line breaks would be 8 GB of empty strings).
inline constexpr size_t kMaxVocabTokens = size_t{1} << 24;
// Labels of a model (a config.json's num_labels or id2label, a model file's labels), each 1 to kMaxLabelBytes bytes.
// A prediction holds a probability for each.
inline constexpr size_t kMaxLabels = 65536;
inline constexpr size_t kMaxLabelBytes = 256;
// Threads of one pool (--threads); 0 asks for one per hardware thread, capped the same.
inline constexpr int kMaxThreads = 256;

}  // namespace flatbert
