#pragma once
// Every key of config.json, tokenizer_config.json, special_tokens_map.json and tokenizer.json that Hugging Face's
// BERT / MobileBERT sequence classifiers and BertTokenizer(Fast) read, and what flatbert does with it: follows it,
// knows it has no effect on the logits of one unpadded sequence, or follows only some values and refuses the others
// with a message naming the key and the value. docs/hf-keys.md is this table (HfKeysTest checks that it is); the
// converter reads keys only through it.
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

namespace flatbert {

enum class KeyUse {
  kFollowed,  // read, and the math follows it (the converter's code for it is named in `what`)
  kNoEffect,  // training, saving or outputs flatbert does not produce: not the logits of one unpadded sequence
  kOnly,      // `accepted` values (and null, the default) only; any other value is refused
};

struct HfKey {
  const char* file;  // "config.json", "tokenizer_config.json" or "tokenizer.json" (FindHfKey maps
                     // special_tokens_map.json's keys to tokenizer_config.json's rows)
  const char* key;   // tokenizer.json: "normalizer.lowercase" is the lowercase key of the normalizer object
  KeyUse use;
  const char* accepted;  // kOnly: the accepted JSON values, separated by " | "
  const char* what;      // what flatbert does with it
};

std::span<const HfKey> HfKeys();
// The row of (file, key), or nullptr.
const HfKey* FindHfKey(const std::string& file, const std::string& key);
// The accepted values of a kOnly row, parsed.
std::vector<nlohmann::ordered_json> AcceptedValues(const HfKey& row);
// docs/hf-keys.md.
std::string HfKeysMarkdown();

// Whether `content` is one of BERT's five special tokens ([PAD] [UNK] [CLS] [SEP] [MASK], the values bos_token and
// eos_token accept): the only tokens a checkpoint may add.
bool IsBertSpecialToken(const nlohmann::ordered_json& content);

// A special token written as an AddedToken object ({"content": ..., "normalized": ..., "single_word": ...}): flatbert
// matches it in the text as written and also inside a word, as Hugging Face does with normalized and single_word
// false (absent: a special token's default). Throws Error naming the file, the token and the flag otherwise.
void CheckAddedTokenMatching(const std::string& file, const nlohmann::ordered_json& token);

// Checks the keys of one file: every kOnly key holds an accepted value (throws Error naming the file, key and value
// otherwise). Returns the keys the table does not name (Hugging Face's BERT code does not read them either).
std::vector<std::string> CheckHfKeys(const std::string& file, const nlohmann::ordered_json& contents);

}  // namespace flatbert
