#pragma once
// A WordPiece vocabulary: id -> token, and token -> id through one open-addressing table of ids, built with a
// single allocation (a node-based map costs one allocation per token, which was most of a model's load time).
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace flatbert {

class VocabIndex {
 public:
  static constexpr int32_t kAbsent = -1;

  // The strings `tokens` point to must outlive the index. A token listed twice keeps its first id.
  explicit VocabIndex(std::vector<std::string_view> tokens) : tokens_(std::move(tokens)) {
    size_t capacity = 16;
    while (capacity < 2 * tokens_.size()) capacity *= 2;
    slots_.assign(capacity, kAbsent);
    for (size_t id = 0; id < tokens_.size(); ++id) {
      const size_t slot = Probe(tokens_[id]);
      if (slots_[slot] == kAbsent) slots_[slot] = static_cast<int32_t>(id);
    }
  }

  int32_t Find(std::string_view token) const { return slots_[Probe(token)]; }
  std::string_view token(int32_t id) const { return tokens_[static_cast<size_t>(id)]; }
  size_t size() const { return tokens_.size(); }

 private:
  // The slot holding `token`, or the empty slot where it would go (linear probing; the table is at most half full).
  size_t Probe(std::string_view token) const {
    const size_t mask = slots_.size() - 1;
    for (size_t slot = std::hash<std::string_view>{}(token) & mask;; slot = (slot + 1) & mask)
      if (slots_[slot] == kAbsent || tokens_[static_cast<size_t>(slots_[slot])] == token) return slot;
  }

  std::vector<std::string_view> tokens_;
  std::vector<int32_t> slots_;
};

}  // namespace flatbert
