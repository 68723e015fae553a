#pragma once
// A WordPiece vocabulary: id -> token, and token -> id through one open-addressing table (FNV-1a hash, linear
// probing, a power-of-two size at least twice the vocabulary, so at most half full; a slot holds id + 1, 0 is
// empty). The converter stores the table in the model file (16-bit slots, for vocabularies under 65,535 tokens),
// so a model's index is two views into the mmapped file: building it at load meant fresh heap pages, and their
// first-touch page faults were most of a model's load time.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <flatbuffers/flatbuffers.h>

namespace flatbert {

class VocabIndex {
 public:
  using FileStrings = flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>;
  static constexpr int32_t kAbsent = -1;

  // Over strings that outlive the index (a vocab.txt read into memory). A token listed twice keeps its last id, as in
  // Hugging Face's load_vocab (a dict filled line by line) and the tokenizers library's WordPiece.
  explicit VocabIndex(std::vector<std::string_view> tokens) : tokens_(std::move(tokens)) { Build(); }
  // Over a model file's strings and its stored table (SlotsFit checked by the verifier); built here when the file
  // has none.
  VocabIndex(const FileStrings* tokens, std::span<const uint16_t> stored_slots) : file_tokens_(tokens) {
    if (stored_slots.empty()) {
      Build();
    } else {
      slots16_ = stored_slots;
    }
  }
  // Moving a vector keeps its buffer, so the spans stay valid; a copy would not.
  VocabIndex(VocabIndex&&) noexcept = default;
  VocabIndex& operator=(VocabIndex&&) noexcept = default;
  VocabIndex(const VocabIndex&) = delete;
  VocabIndex& operator=(const VocabIndex&) = delete;

  // The table a model file stores for `tokens`; empty when they are too many for 16-bit slots.
  static std::vector<uint16_t> FileSlots(const std::vector<std::string>& tokens) {
    VocabIndex index(std::vector<std::string_view>(tokens.begin(), tokens.end()));
    return std::move(index.owned16_);
  }
  // Whether `slots` can be probed for a vocabulary of `size` tokens: the size rule, ids in range, and at least
  // half the slots empty, so every probe ends. (A table that fits but was built for other strings finds wrong ids,
  // never reads out of bounds.)
  static bool SlotsFit(std::span<const uint16_t> slots, size_t size) {
    if (slots.size() < 2 * size || (slots.size() & (slots.size() - 1)) != 0) return false;
    size_t empty = 0;
    for (const uint16_t slot : slots) {
      if (slot > size) return false;
      empty += slot == 0;
    }
    return 2 * empty >= slots.size();
  }

  int32_t Find(std::string_view token) const {
    return slots16_.empty() ? slots32_[Probe(token, slots32_)] - 1 : slots16_[Probe(token, slots16_)] - 1;
  }
  std::string_view token(int32_t id) const {
    return file_tokens_ ? file_tokens_->Get(static_cast<flatbuffers::uoffset_t>(id))->string_view()
                        : tokens_[static_cast<size_t>(id)];
  }
  size_t size() const { return file_tokens_ ? file_tokens_->size() : tokens_.size(); }

 private:
  static uint64_t Hash(std::string_view s) {  // FNV-1a, 64 bits: fixed, since files store the table
    uint64_t h = 14695981039346656037ull;
    for (const char c : s) h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ull;
    return h;
  }
  // The slot holding `token`, or the empty slot where it would go.
  template <typename Slot>
  size_t Probe(std::string_view token, std::span<const Slot> slots) const {
    const size_t mask = slots.size() - 1;
    for (size_t slot = Hash(token) & mask;; slot = (slot + 1) & mask)
      if (slots[slot] == 0 || this->token(static_cast<int32_t>(slots[slot] - 1)) == token) return slot;
  }
  template <typename Slot>
  static void Fill(const VocabIndex& index, std::vector<Slot>& slots) {
    size_t capacity = 16;
    while (capacity < 2 * index.size()) capacity *= 2;
    slots.assign(capacity, 0);
    for (size_t id = 0; id < index.size(); ++id) {
      const size_t slot = index.Probe(index.token(static_cast<int32_t>(id)), std::span<const Slot>(slots));
      slots[slot] = static_cast<Slot>(id + 1);
    }
  }
  void Build() {
    if (size() < UINT16_MAX) {
      Fill(*this, owned16_);
      slots16_ = owned16_;
    } else {
      Fill(*this, owned32_);
      slots32_ = owned32_;
    }
  }

  std::vector<std::string_view> tokens_;
  const FileStrings* file_tokens_ = nullptr;
  std::vector<uint16_t> owned16_;
  std::vector<uint32_t> owned32_;
  std::span<const uint16_t> slots16_;  // one of the two is in use
  std::span<const uint32_t> slots32_;
};

}  // namespace flatbert
