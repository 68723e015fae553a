#include "convert/hf_keys.h"

#include <algorithm>

#include "flatbert/error.hpp"

namespace flatbert {
namespace {

using json = nlohmann::ordered_json;

constexpr const char* kConfig = "config.json";
constexpr const char* kTokenizerConfig = "tokenizer_config.json";
constexpr const char* kTokenizerJson = "tokenizer.json";
constexpr const char* kSpecialTokensMap = "special_tokens_map.json";
constexpr const char* kAddedToken =
    "a string, or an AddedToken with that content, matched as written (normalized and single_word false)";
// special_tokens_map.json (save_pretrained writes it) holds special tokens, which from_pretrained takes from it over or
// under tokenizer_config.json's as the transformers version has it: they are read by tokenizer_config.json's rows.
constexpr const char* kMapKeys[] = {"unk_token",  "sep_token", "pad_token", "cls_token",
                                    "mask_token", "bos_token", "eos_token", "additional_special_tokens"};
constexpr const char* kBertTokenizerClasses =
    "\"BertTokenizer\" | \"BertTokenizerFast\" | \"MobileBertTokenizer\" | \"MobileBertTokenizerFast\"";
constexpr const char* kBertSpecialTokens = "\"[PAD]\" | \"[UNK]\" | \"[CLS]\" | \"[SEP]\" | \"[MASK]\"";
constexpr const char* kTokenBertHasNot =
    "BERT's tokenizers have none; one of their special tokens changes nothing, another would be matched whole";

constexpr KeyUse F = KeyUse::kFollowed, N = KeyUse::kNoEffect, O = KeyUse::kOnly;

// Sources: transformers' configuration_bert.py, configuration_mobilebert.py and configuration_utils.py
// (PretrainedConfig), modeling_bert.py, modeling_mobilebert.py, tokenization_bert.py, tokenization_bert_fast.py;
// tokenizers' BertNormalizer, BertPreTokenizer, WordPiece and BertProcessing / TemplateProcessing.
constexpr HfKey kKeys[] = {
    // config.json: the architecture.
    {kConfig, "model_type", F, "",
     "bert or mobilebert (absent: mobilebert when intra_bottleneck_size is there); any other is refused"},
    {kConfig, "architectures", F, "",
     "must end in ForSequenceClassification; a pre-training, masked-LM or bare encoder checkpoint is refused with the "
     "command that fine-tunes it, any other head is refused"},
    {kConfig, "vocab_size", F, "",
     "rows of the word embedding table; vocab.txt may have fewer tokens (a padded table)"},
    {kConfig, "hidden_size", F, "", "the hidden width"},
    {kConfig, "num_hidden_layers", F, "", "layers"},
    {kConfig, "num_attention_heads", F, "", "heads (they must divide the attention width)"},
    {kConfig, "intermediate_size", F, "", "the FFN width"},
    {kConfig, "hidden_act", F, "",
     "gelu (erf), relu, gelu_new / gelu_fast / gelu_pytorch_tanh (tanh approximation), quick_gelu, silu / swish; "
     "any other is refused"},
    {kConfig, "max_position_embeddings", F, "", "rows of the position table; the longest sequence"},
    {kConfig, "type_vocab_size", F, "", "rows of the token-type table; one segment is classified, so row 0 is used"},
    {kConfig, "layer_norm_eps", F, "",
     "every LayerNorm's epsilon, except MobileBERT's embeddings and layer-output LayerNorms, which HF builds "
     "without it (1e-5)"},
    {kConfig, "position_embedding_type", O, "\"absolute\"", "relative_key and relative_key_query are refused"},
    {kConfig, "is_decoder", O, "false", "a decoder (causal mask) is refused"},
    {kConfig, "add_cross_attention", O, "false", "cross-attention layers are refused"},
    {kConfig, "pruned_heads", O, "{}", "pruned heads (narrower attention) are refused"},
    {kConfig, "problem_type", O, "\"single_label_classification\" | \"multi_label_classification\"",
     "softmax over the labels, or a sigmoid per label (also for a single label, as the text-classification "
     "pipeline scores it); regression is refused"},
    {kConfig, "num_labels", F, "", "labels LABEL_0.. when there is no id2label"},
    {kConfig, "id2label", F, "",
     "the label names, ids 0..n-1: each 1-256 bytes of UTF-8, no control character, no two alike"},
    {kConfig, "label2id", N, "", "the inverse of id2label"},
    // config.json: MobileBERT only.
    {kConfig, "embedding_size", F, "", "MobileBERT: the word embedding width"},
    {kConfig, "trigram_input", F, "", "MobileBERT: [next, this, previous] embeddings as the projection's input"},
    {kConfig, "use_bottleneck", F, "", "MobileBERT: the intra-block bottleneck"},
    {kConfig, "intra_bottleneck_size", F, "", "MobileBERT: the bottleneck width"},
    {kConfig, "use_bottleneck_attention", O, "false", "MobileBERT: attention over the bottleneck output is refused"},
    {kConfig, "key_query_shared_bottleneck", F, "", "MobileBERT: query and key read a second bottleneck"},
    {kConfig, "num_feedforward_networks", F, "", "MobileBERT: FFNs per layer"},
    {kConfig, "normalization_type", F, "", "MobileBERT: no_norm or layer_norm (BERT: always layer_norm)"},
    {kConfig, "classifier_activation", F, "", "MobileBERT: the pooler (dense + tanh); absent: true, as in HF"},
    {kConfig, "true_hidden_size", N, "",
     "MobileBERT: HF computes it from use_bottleneck and intra_bottleneck_size, whatever the file says"},
    {kConfig, "tokenizer_class", O, kBertTokenizerClasses,
     "AutoTokenizer's class when tokenizer_config.json names none; any other tokenizer is refused"},
    // config.json: training, saving and outputs.
    {kConfig, "hidden_dropout_prob", N, "", "dropout: training only"},
    {kConfig, "attention_probs_dropout_prob", N, "", "dropout: training only"},
    {kConfig, "classifier_dropout", N, "", "dropout: training only"},
    {kConfig, "initializer_range", N, "", "initialisation"},
    {kConfig, "pad_token_id", N, "", "the padding embedding's row; nothing is padded"},
    {kConfig, "bos_token_id", N, "", "generation"},
    {kConfig, "eos_token_id", N, "", "generation"},
    {kConfig, "use_cache", N, "", "decoder caches"},
    {kConfig, "tie_word_embeddings", N, "", "ties the masked-LM head, which a classifier has not"},
    {kConfig, "chunk_size_feed_forward", N, "", "computes the FFN in chunks: the same values"},
    {kConfig, "gradient_checkpointing", N, "", "training memory"},
    {kConfig, "output_attentions", N, "", "extra outputs"},
    {kConfig, "output_hidden_states", N, "", "extra outputs"},
    {kConfig, "return_dict", N, "", "the Python return type"},
    {kConfig, "torch_dtype", N, "", "the stored dtype; the weights are read as they are stored (F32, F16, BF16)"},
    {kConfig, "dtype", N, "", "torch_dtype's name since transformers 4.56"},
    {kConfig, "quantization_config", O, "null",
     "weights saved quantized (bitsandbytes, GPTQ, AWQ, ...) are refused: convert the unquantized checkpoint, which "
     "flatbert quantizes itself"},
    {kConfig, "transformers_version", N, "", "provenance"},
    {kConfig, "_name_or_path", N, "", "provenance"},
    {kConfig, "finetuning_task", N, "", "provenance"},
    {kConfig, "directionality", N, "", "provenance (original Google configs)"},
    {kConfig, "flatbert_normalizer", F, "", "flatbert's own: the tweet normalizer the model was trained with"},
    {kConfig, "flatbert_max_length", F, "", "flatbert's own: tokens per text, [CLS] and [SEP] included (absent: 128)"},
    {kConfig, "flatbert_training", N, "", "flatbert's own: how python/finetune.py trained it"},
    // tokenizer_config.json (BertTokenizer / BertTokenizerFast arguments).
    {kTokenizerConfig, "do_lower_case", F, "", "lowercase (absent: true, BertTokenizerFast's default)"},
    {kTokenizerConfig, "strip_accents", F, "", "strip accents (absent or null: as do_lower_case)"},
    {kTokenizerConfig, "tokenize_chinese_chars", O, "true", "CJK characters are always split off"},
    {kTokenizerConfig, "do_basic_tokenize", O, "true", "whitespace and punctuation are always split"},
    {kTokenizerConfig, "never_split", O, "[]", "words kept whole are refused"},
    {kTokenizerConfig, "unk_token", O, "\"[UNK]\"", kAddedToken},
    {kTokenizerConfig, "sep_token", O, "\"[SEP]\"", kAddedToken},
    {kTokenizerConfig, "pad_token", O, "\"[PAD]\"", kAddedToken},
    {kTokenizerConfig, "cls_token", O, "\"[CLS]\"", kAddedToken},
    {kTokenizerConfig, "mask_token", O, "\"[MASK]\"", kAddedToken},
    {kTokenizerConfig, "bos_token", O, kBertSpecialTokens, kTokenBertHasNot},
    {kTokenizerConfig, "eos_token", O, kBertSpecialTokens, kTokenBertHasNot},
    {kTokenizerConfig, "added_tokens_decoder", F, "",
     "may name only the five special tokens, at their vocabulary ids, matched as written (normalized and single_word "
     "false)"},
    {kTokenizerConfig, "split_special_tokens", O, "false",
     "special tokens in the text are matched whole (true splits them into word pieces)"},
    {kTokenizerConfig, "additional_special_tokens", O, "[]", "more special tokens are refused"},
    {kTokenizerConfig, "truncation_side", O, "\"right\"", "the first max_length tokens are kept"},
    {kTokenizerConfig, "model_max_length", F, "", "an upper bound on max_length"},
    {kTokenizerConfig, "tokenizer_class", O, kBertTokenizerClasses, "any other tokenizer is refused"},
    {kTokenizerConfig, "padding_side", N, "", "nothing is padded"},
    {kTokenizerConfig, "clean_up_tokenization_spaces", N, "", "decoding"},
    {kTokenizerConfig, "model_input_names", N, "", "the Python call"},
    {kTokenizerConfig, "special_tokens_map_file", N, "", "provenance"},
    {kTokenizerConfig, "name_or_path", N, "", "provenance"},
    {kTokenizerConfig, "extra_special_tokens", O, "{}", "more special tokens are refused"},
    // tokenizer.json (the fast tokenizer; BertTokenizerFast rebuilds its normalizer from tokenizer_config.json).
    {kTokenizerJson, "version", N, "", "the file format"},
    {kTokenizerJson, "truncation", N, "", "flatbert truncates to max_length"},
    {kTokenizerJson, "padding", N, "", "nothing is padded"},
    {kTokenizerJson, "added_tokens", F, "",
     "may hold only the five special tokens, at their vocabulary ids, matched as written (normalized and single_word "
     "false)"},
    {kTokenizerJson, "normalizer.type", O, "\"BertNormalizer\"", "another normalizer, or none, is refused"},
    {kTokenizerJson, "normalizer.clean_text", O, "true", "control characters are always removed"},
    {kTokenizerJson, "normalizer.handle_chinese_chars", N, "",
     "BertTokenizerFast replaces it by tokenize_chinese_chars"},
    {kTokenizerJson, "normalizer.strip_accents", N, "", "BertTokenizerFast replaces it by tokenizer_config.json's"},
    {kTokenizerJson, "normalizer.lowercase", N, "", "BertTokenizerFast replaces it by do_lower_case"},
    {kTokenizerJson, "pre_tokenizer.type", O, "\"BertPreTokenizer\"", "another pre-tokenizer, or none, is refused"},
    {kTokenizerJson, "model.type", O, "\"WordPiece\"", "another model, or none, is refused"},
    {kTokenizerJson, "model.unk_token", O, "\"[UNK]\"", "another unknown token is refused"},
    {kTokenizerJson, "model.continuing_subword_prefix", O, "\"##\"", "another prefix is refused"},
    {kTokenizerJson, "model.max_input_chars_per_word", O, "100", "longer words are [UNK]"},
    {kTokenizerJson, "model.vocab", F, "", "must be vocab.txt's tokens with their ids"},
    {kTokenizerJson, "post_processor.type", O, "\"BertProcessing\" | \"TemplateProcessing\"",
     "must add [CLS] before and [SEP] after the text; none is refused"},
    {kTokenizerJson, "post_processor.cls", O, "[\"[CLS]\", 101] | null",
     "BertProcessing's [CLS] (checked by name), with its id in vocab.txt"},
    {kTokenizerJson, "post_processor.sep", O, "[\"[SEP]\", 102] | null",
     "BertProcessing's [SEP] (checked by name), with its id in vocab.txt"},
    {kTokenizerJson, "post_processor.single", F, "", "TemplateProcessing: must be [CLS] $A [SEP]"},
    {kTokenizerJson, "post_processor.pair", N, "", "text pairs are not classified"},
    {kTokenizerJson, "post_processor.special_tokens", F, "",
     "TemplateProcessing's ids of [CLS] and [SEP], which it adds: must be theirs in vocab.txt"},
    {kTokenizerJson, "post_processor.trim_offsets", N, "", "offsets"},
    {kTokenizerJson, "post_processor.add_prefix_space", N, "", "offsets"},
    {kTokenizerJson, "decoder", N, "", "decoding"},
};

// JSON values separated by " | ", parsed.
std::vector<json> ParseAlternatives(const std::string& text) {
  std::vector<json> values;
  for (size_t start = 0;;) {
    const size_t bar = text.find(" | ", start);
    values.push_back(json::parse(text.substr(start, bar == std::string::npos ? std::string::npos : bar - start)));
    if (bar == std::string::npos) return values;
    start = bar + 3;
  }
}

// A special token may be written as a string or as an AddedToken object {"content": ...}.
const json& Comparable(const json& value) {
  if (value.is_object() && value.contains("content")) return value["content"];
  return value;
}

void CheckKey(const std::string& file, const std::string& key, const json& value, std::vector<std::string>& unknown) {
  const HfKey* row = FindHfKey(file, key);
  if (!row) {
    unknown.push_back(key);
    return;
  }
  if (row->use != KeyUse::kOnly || value.is_null()) return;
  CheckAddedTokenMatching(file, value);
  const std::vector<json> accepted = AcceptedValues(*row);
  // BertProcessing names its tokens with their ids: [CLS] and [SEP] are checked by name.
  const json& given = Comparable(value);
  const bool pair = given.is_array() && given.size() == 2 && given[0].is_string();
  for (const json& a : accepted)
    if (a == given || (pair && a.is_array() && a[0] == given[0])) return;
  throw Error(file + ": " + key + " " + value.dump(-1, ' ', false, json::error_handler_t::replace) +
              " is not supported (flatbert follows " + row->accepted + "; " + row->what + ")");
}

}  // namespace

std::span<const HfKey> HfKeys() { return kKeys; }

void CheckAddedTokenMatching(const std::string& file, const json& token) {
  if (!token.is_object() || !token.contains("content")) return;
  for (const char* flag : {"normalized", "single_word"}) {
    const auto it = token.find(flag);
    if (it != token.end() && *it != false)
      throw Error(file + ": token " + token.dump(-1, ' ', false, json::error_handler_t::replace) + " has " + flag +
                  " " + it->dump() + ", not supported (flatbert matches special tokens as written, inside words too)");
  }
}

std::vector<json> AcceptedValues(const HfKey& row) { return ParseAlternatives(row.accepted); }

bool IsBertSpecialToken(const json& content) {
  static const std::vector<json> tokens = ParseAlternatives(kBertSpecialTokens);
  return std::find(tokens.begin(), tokens.end(), content) != tokens.end();
}

const HfKey* FindHfKey(const std::string& file, const std::string& key) {
  if (file == kSpecialTokensMap)
    return std::find(std::begin(kMapKeys), std::end(kMapKeys), key) != std::end(kMapKeys)
               ? FindHfKey(kTokenizerConfig, key)
               : nullptr;
  for (const HfKey& row : kKeys)
    if (file == row.file && key == row.key) return &row;
  return nullptr;
}

std::vector<std::string> CheckHfKeys(const std::string& file, const json& contents) {
  std::vector<std::string> unknown;
  if (!contents.is_object()) return unknown;
  for (const auto& item : contents.items()) {
    const std::string& key = item.key();
    const bool nested = std::any_of(std::begin(kKeys), std::end(kKeys), [&](const HfKey& row) {
      return file == row.file && std::string(row.key).starts_with(key + ".");
    });
    if (nested && item.value().is_object()) {
      for (const auto& sub : item.value().items()) CheckKey(file, key + "." + sub.key(), sub.value(), unknown);
    } else if (!nested) {
      CheckKey(file, key, item.value(), unknown);
    }
  }
  return unknown;
}

std::string HfKeysMarkdown() {
  std::string md =
      "# Hugging Face keys\n\n"
      "Every key of `config.json`, `tokenizer_config.json`, `special_tokens_map.json` and `tokenizer.json` that "
      "Hugging\n"
      "Face's BERT and MobileBERT sequence classifiers and `BertTokenizer(Fast)` read, and what `flatbert convert` "
      "does\n"
      "with it. **followed**: the math follows it; **no effect**: it changes training, saving or outputs flatbert does "
      "not\n"
      "produce, not the logits of one unpadded sequence; **only**: the values listed (or null) are followed and any "
      "other\n"
      "is refused with a message naming the key and value. A key the table does not name is listed by `convert` as "
      "not\n"
      "read (HF's BERT code does not read it either). This page is generated from `src/convert/hf_keys.cc`; the test\n"
      "`HfKeysTest.DocsMatchTheTable` fails when they differ (`FLATBERT_WRITE_DOCS=1` rewrites it).\n";
  std::string file;
  for (const HfKey& row : kKeys) {
    if (file != row.file) {
      file = row.file;
      md += "\n## `" + file + "`\n\n| key | flatbert | what |\n|---|---|---|\n";
    }
    const std::string use = row.use == KeyUse::kFollowed   ? "followed"
                            : row.use == KeyUse::kNoEffect ? "no effect"
                                                           : "only `" + std::string(row.accepted) + "`";
    std::string use_cell = use;
    for (size_t at = 0; (at = use_cell.find(" | ", at)) != std::string::npos; at += 6)
      use_cell.replace(at, 3, "` or `");
    md += "| `" + std::string(row.key) + "` | " + use_cell + " | " + row.what + " |\n";
  }
  md += "\n## `" + std::string(kSpecialTokensMap) + "`\n\nIts keys";
  for (const char* key : kMapKeys) md += std::string(key == kMapKeys[0] ? " `" : ", `") + key + "`";
  md +=
      "\nare read as `tokenizer_config.json`'s rows above say (from_pretrained takes special tokens from either "
      "file);\nany other key is listed as not read.\n";
  return md;
}

}  // namespace flatbert
