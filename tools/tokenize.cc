#include "tokenize.h"

#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "engine/model_text.h"
#include "exit_codes.h"
#include "format/file_io.h"
#include "format/model_file.h"
#include "model_path.h"
#include "rows.h"

namespace flatbert::tools {

int RunTokenize(const TokenizeOptions& opt) {
  using json = nlohmann::ordered_json;
  std::optional<ModelFile> file;  // the model's vocabulary points into it
  std::optional<TextEncoder> encoder;
  if (!opt.vocab.empty()) {
    std::optional<NormalizerOptions> normalizer;
    if (opt.normalize) normalizer = NormalizerOptions{};  // the defaults training uses
    encoder.emplace(WordPieceTokenizer::FromTokens(ReadVocabFile(opt.vocab)), normalizer, opt.max_length);
  } else {
    file.emplace(ModelFile::Open(ResolveModel(opt.model)));
    std::optional<NormalizerOptions> normalizer = ModelNormalizer(*file);
    if (opt.normalize && !normalizer) throw Error("--normalize: the model has no tweet normalizer");
    if (!opt.normalize) normalizer.reset();
    encoder.emplace(ModelTokenizer(*file), normalizer, opt.max_length);
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
