#include "tokenize.h"

#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "engine/model_text.h"
#include "exit_codes.h"
#include "format/file_io.h"
#include "convert/hf_convert.h"
#include "format/model_file.h"
#include "model_path.h"
#include "rows.h"

namespace flatbert::tools {

int RunTokenize(const TokenizeOptions& opt) {
  using json = nlohmann::ordered_json;
  if (opt.normalize && opt.no_normalize) throw Error("--normalize and --no-normalize: choose one");
  std::optional<ModelFile> file;  // the model's vocabulary points into it
  std::optional<TextEncoder> encoder;
  const size_t max_length = opt.max_length < 0 ? 0 : static_cast<size_t>(opt.max_length);
  std::optional<NormalizerOptions> defaults;  // the normalizer training uses, for --normalize
  if (opt.normalize) defaults = NormalizerOptions{};
  if (!opt.vocab.empty()) {
    encoder.emplace(WordPieceTokenizer::FromTokens(ReadVocabFile(opt.vocab)), defaults, max_length);
  } else if (!opt.hf_dir.empty()) {  // as `convert` reads a checkpoint's tokenizer
    HfTokenizer hf = ReadHfTokenizer(opt.hf_dir);
    encoder.emplace(WordPieceTokenizer::FromTokens(std::move(hf.vocab), hf.lowercase, hf.strip_accents), defaults,
                    max_length);
  } else {
    file.emplace(ModelFile::Open(ResolveModel(opt.model)));
    std::optional<NormalizerOptions> normalizer = ModelNormalizer(*file);
    if (opt.normalize && !normalizer) throw Error("--normalize: the model has no tweet normalizer");
    if (opt.no_normalize) normalizer.reset();
    encoder.emplace(ModelTokenizer(*file), normalizer, opt.max_length < 0 ? ModelMaxLength(*file) : max_length);
  }
  RowReader reader(std::cin, RowFormat::kText, "text");
  int errors = 0;
  for (Row row; reader.Next(row);) {
    json out;
    std::string error = row.error;
    if (error.empty()) {
      try {
        const std::vector<int32_t> ids = encoder->Encode(row.text);
        out["ids"] = ids;
        for (int32_t id : ids) out["tokens"].push_back(encoder->tokenizer().token(id));
      } catch (const Error& e) {
        error = e.what();
      }
    }
    if (!error.empty()) {
      out = {{"error", error}};
      ++errors;
    }
    std::cout << out.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
  }
  return errors ? kExitRowErrors : kExitOk;
}

}  // namespace flatbert::tools
