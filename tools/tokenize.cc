#include "tokenize.h"

#include <iostream>
#include <nlohmann/json.hpp>

#include "exit_codes.h"
#include "flatbert/convert.hpp"
#include "flatbert/tokenizer.hpp"
#include "model_path.h"
#include "rows.h"

namespace flatbert::tools {

int RunTokenize(const TokenizeOptions& opt) {
  using json = nlohmann::ordered_json;
  if (opt.normalize && opt.no_normalize) throw Error("--normalize and --no-normalize: choose one");
  EncodeOptions options;
  if (opt.normalize) options.normalize = true;
  if (opt.no_normalize) options.normalize = false;
  options.max_length = opt.max_length;
  const Tokenizer tokenizer = !opt.vocab.empty()    ? Tokenizer::FromVocabFile(opt.vocab, options)
                              : !opt.hf_dir.empty() ? HuggingFaceTokenizer(opt.hf_dir, options)  // as convert reads it
                                                    : Tokenizer::FromModel(ResolveModel(opt.model), options);
  RowReader reader(std::cin, RowFormat::kText, "text");
  size_t rows = 0, errors = 0;
  for (Row row; reader.Next(row); ++rows) {
    json out;
    std::string error = row.error;
    if (error.empty()) {
      try {
        const std::vector<int32_t> ids = tokenizer.Encode(row.text);
        out["ids"] = ids;
        for (int32_t id : ids) out["tokens"].push_back(tokenizer.token(id));
      } catch (const Error& e) {
        error = e.what();
      }
    }
    if (!error.empty()) {
      out = {{"row", row.number}, {"error", error}};  // as classify's error rows
      ++errors;
    }
    std::cout << out.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
  }
  if (errors) std::cerr << "flatbert: " << errors << " of " << rows << " rows could not be tokenized\n";
  return errors ? kExitRowErrors : kExitOk;
}

}  // namespace flatbert::tools
