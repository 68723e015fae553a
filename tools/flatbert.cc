// flatbert CLI: convert, export, classify, tokenize, inspect, eval, bench. A thin user of the library.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "flatbert/classifier.hpp"
#include "flatbert/thread_pool.hpp"
#include "format/arch.h"
#include "format/hf_convert.h"
#include "format/hf_export.h"
#include "format/model_file.h"
#include "format/model_writer.h"
#include "quant/calibrate.h"
#include "quant/quantize.h"
#include "tokenizer/model_text.h"
#include "bench.h"
#include "eval.h"
#include "model_path.h"
#include "tsv.h"

using json = nlohmann::ordered_json;

namespace {

constexpr int kExitRowErrors = 3;  // some input rows could not be classified (each has an error row)

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

struct Row {
  std::string text;
  json id;            // echoed back when the input has one
  std::string error;  // set when the row could not be read
};

// One input line -> Row. TSV columns come from the header; JSONL needs a "text" field.
class RowReader {
 public:
  RowReader(std::string format, std::string column) : format_(std::move(format)), column_(std::move(column)) {}

  // Returns false for the TSV header line (no row).
  bool Read(const std::string& line, Row& row) {
    if (format_ == "auto") format_ = line.starts_with("{") ? "jsonl" : (line.find('\t') != std::string::npos ? "tsv" : "text");
    if (format_ == "text") {
      row.text = line;
    } else if (format_ == "jsonl") {
      try {
        const json j = json::parse(line);
        if (!j.is_object() || !j.contains("text") || !j["text"].is_string()) {
          row.error = "JSONL row has no string \"text\" field";
          return true;
        }
        row.text = j["text"].get<std::string>();
        if (j.contains("id")) row.id = j["id"];
      } catch (const std::exception&) {
        row.error = line.empty() ? "empty line" : "invalid JSON";
      }
    } else {
      return ReadTsv(line, row);
    }
    return true;
  }

 private:
  bool ReadTsv(const std::string& line, Row& row) {
    const std::vector<std::string> fields = flatbert::tools::SplitTabs(line);
    if (header_.empty()) {
      header_ = fields;
      const long text = flatbert::tools::ColumnIndex(header_, column_);
      if (text < 0) throw flatbert::Error("TSV header has no column '" + column_ + "'");
      text_col_ = static_cast<size_t>(text);
      for (const char* name : {"id", "tweet_id"})
        if (const long id = flatbert::tools::ColumnIndex(header_, name); id >= 0) id_col_ = static_cast<size_t>(id);
      return false;
    }
    if (fields.size() != header_.size()) {
      row.error = "TSV row has " + std::to_string(fields.size()) + " fields, header has " + std::to_string(header_.size());
      return true;
    }
    row.text = fields[text_col_];
    if (id_col_ != std::string::npos) row.id = fields[id_col_];
    return true;
  }

  std::string format_, column_;
  std::vector<std::string> header_;
  size_t text_col_ = 0, id_col_ = std::string::npos;
};

int RunClassify(const std::string& model_path, const std::vector<std::string>& texts, const std::string& input,
                const std::string& format, const std::string& column, int threads) {
  const flatbert::Classifier model = flatbert::Classifier::Load(flatbert::tools::ResolveModel(model_path));
  flatbert::ThreadPool pool(threads);
  int row_errors = 0;
  size_t row_number = 0;
  // Classifies a block of rows on the pool, then prints them in input order.
  auto emit_block = [&](const std::vector<Row>& block) {
    std::vector<json> out(block.size());
    pool.ParallelFor(block.size(), [&](size_t i) {
      const Row& row = block[i];
      json& o = out[i];
      if (!row.id.is_null()) o["id"] = row.id;
      std::string error = row.error;
      if (error.empty()) {
        try {
          const flatbert::Prediction p = model.Classify(row.text);
          o["label"] = model.labels()[static_cast<size_t>(p.label)];
          json probs = json::object();
          for (size_t c = 0; c < p.probs.size(); ++c) probs[model.labels()[c]] = std::round(p.probs[c] * 1e6) / 1e6;
          o["probs"] = probs;
          o["tokens"] = p.num_tokens;
        } catch (const flatbert::Error& e) {
          error = e.what();
        }
      }
      if (!error.empty()) o["error"] = error;
    });
    for (json& o : out) {
      json line = {{"row", ++row_number}};
      line.update(o);
      row_errors += o.contains("error") ? 1 : 0;
      std::cout << Dump(line) << '\n';
    }
  };
  if (!texts.empty()) {
    std::vector<Row> block;
    for (const std::string& t : texts) block.push_back(Row{t, nullptr, ""});
    emit_block(block);
  } else {
    std::ifstream file;
    if (input != "-") {
      file.open(input);
      if (!file) throw flatbert::Error("cannot open input '" + input + "'");
    }
    std::istream& in = input == "-" ? std::cin : file;
    RowReader reader(format, column);
    constexpr size_t kBlockRows = 256;  // bounded memory for any input size; rows are printed block by block
    std::vector<Row> block;
    for (std::string line; std::getline(in, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      Row row;
      if (!reader.Read(line, row)) continue;
      block.push_back(std::move(row));
      if (block.size() == kBlockRows) {
        emit_block(block);
        block.clear();
      }
    }
    emit_block(block);
  }
  std::cout.flush();
  if (row_errors) std::cerr << "flatbert: " << row_errors << " of " << row_number << " rows could not be classified\n";
  return row_errors ? kExitRowErrors : 0;
}

int RunTokenize(const std::string& model_path, const std::string& vocab, bool normalize, size_t max_length) {
  std::optional<flatbert::ModelFile> file;
  std::optional<flatbert::WordPieceTokenizer> tok;
  std::optional<flatbert::NormalizerOptions> normalizer;
  if (!vocab.empty()) {
    tok.emplace(flatbert::WordPieceTokenizer::FromVocabFile(vocab));
  } else {
    file.emplace(flatbert::ModelFile::Open(flatbert::tools::ResolveModel(model_path)));
    tok.emplace(flatbert::ModelTokenizer(*file));
    normalizer = flatbert::ModelNormalizer(*file);
  }
  if (normalize && !normalizer) {
    if (!vocab.empty()) normalizer = flatbert::NormalizerOptions{};  // the defaults training uses
    else throw flatbert::Error("--normalize: the model has no tweet normalizer");
  }
  int errors = 0;
  for (std::string line; std::getline(std::cin, line);) {
    try {
      const std::string text = normalize ? flatbert::NormalizeTweet(line, *normalizer) : line;
      const flatbert::Encoding e = tok->Encode(text, max_length);
      std::cout << Dump(json{{"ids", e.ids}, {"tokens", e.tokens}}) << '\n';
    } catch (const flatbert::Error& e) {
      std::cout << Dump(json{{"error", e.what()}}) << '\n';
      ++errors;
    }
  }
  return errors ? kExitRowErrors : 0;
}

std::string ShapeText(const flatbuffers::Vector<int64_t>* shape) {
  std::string s;
  for (size_t i = 0; shape && i < shape->size(); ++i) s += (i ? "x" : "") + std::to_string(shape->Get(i));
  return s;
}

// How a tensor's scales apply: "per row", "groups of 32", plus a calibrated input scale (int8-static).
std::string QuantText(const flatbert::fb::QuantParams* q) {
  if (!q) return "";
  std::string text = q->group_size() > 0 ? "groups of " + std::to_string(q->group_size()) : "per row";
  if (q->input_scale() > 0.f) text += ", static input scale " + std::to_string(q->input_scale());
  return text;
}

int RunInspect(const std::string& path, bool as_json) {
  const flatbert::ModelFile file = flatbert::ModelFile::Open(path);
  const flatbert::fb::Model& m = file.meta();
  const flatbert::fb::ArchConfig& c = *m.config();
  json j;
  j["file"] = path;
  j["file_bytes"] = file.file_size();
  j["format_version"] = m.format_version();
  j["description"] = m.description() ? m.description()->str() : "";
  j["config"] = {{"arch", flatbert::fb::EnumNameArch(c.arch())}, {"vocab_size", c.vocab_size()},
                 {"hidden_size", c.hidden_size()}, {"intermediate_size", c.intermediate_size()},
                 {"num_layers", c.num_layers()}, {"num_heads", c.num_heads()}, {"max_positions", c.max_positions()},
                 {"norm", flatbert::fb::EnumNameNormType(c.norm())},
                 {"activation", flatbert::fb::EnumNameActivation(c.activation())}};
  if (c.arch() == flatbert::fb::Arch::MobileBert)
    j["config"].update({{"embedding_size", c.embedding_size()}, {"trigram_input", c.trigram_input()},
                        {"use_bottleneck", c.use_bottleneck()}, {"intra_bottleneck_size", c.intra_bottleneck_size()},
                        {"key_query_shared_bottleneck", c.key_query_shared_bottleneck()},
                        {"num_feedforward_networks", c.num_feedforward_networks()},
                        {"pooler_activation", c.pooler_activation()}});
  for (const auto* l : *m.labels()) j["labels"].push_back(l->str());
  j["tokenizer"] = {{"vocab_size", m.tokenizer()->vocab()->size()}, {"lowercase", m.tokenizer()->lowercase()},
                    {"strip_accents", m.tokenizer()->strip_accents()}, {"max_length", m.tokenizer()->max_length()}};
  j["normalizer"] = nullptr;
  if (const auto* n = m.normalizer())
    j["normalizer"] = {{"replace_mentions", n->replace_mentions()}, {"replace_urls", n->replace_urls()},
                       {"unescape_html", n->unescape_html()}, {"collapse_whitespace", n->collapse_whitespace()}};
  uint64_t params = 0, bytes = 0;
  std::map<std::string, uint64_t> bytes_by_dtype;
  for (const auto* t : *m.tensors()) {
    uint64_t n = 1;
    for (int64_t d : *t->shape()) n *= static_cast<uint64_t>(d);
    params += n;
    bytes += t->size();
    bytes_by_dtype[flatbert::DTypeName(t->dtype())] += t->size();
    j["tensors"].push_back({{"name", t->name()->str()}, {"dtype", flatbert::DTypeName(t->dtype())},
                            {"shape", ShapeText(t->shape())}, {"bytes", t->size()}, {"quant", QuantText(t->quant())}});
  }
  j["parameters"] = params;
  j["tensor_bytes"] = bytes;
  j["tensor_bytes_by_dtype"] = bytes_by_dtype;
  if (as_json) {
    std::cout << j.dump(2) << '\n';
    return 0;
  }
  std::printf("%s: flatbert model v%u, %.2f MB\n", path.c_str(), m.format_version(), file.file_size() / 1e6);
  std::printf("  %s\n", j["description"].get<std::string>().c_str());
  std::printf("config     %s\n", j["config"].dump().c_str());
  std::printf("labels     %s\n", j["labels"].dump().c_str());
  std::printf("tokenizer  %s\n", j["tokenizer"].dump().c_str());
  std::printf("normalizer %s\n", j["normalizer"].dump().c_str());
  std::printf("tensors    %zu, %.2fM parameters, %.2f MB %s\n", j["tensors"].size(), params / 1e6, bytes / 1e6,
              j["tensor_bytes_by_dtype"].dump().c_str());
  for (const auto& t : j["tensors"])
    std::printf("  %-62s %-4s %-12s %10llu  %s\n", t["name"].get<std::string>().c_str(),
                t["dtype"].get<std::string>().c_str(), t["shape"].get<std::string>().c_str(),
                static_cast<unsigned long long>(t["bytes"].get<uint64_t>()), t["quant"].get<std::string>().c_str());
  return 0;
}

// Texts for int8-static calibration: one per line, or the text column of a TSV / JSONL file.
std::vector<std::string> ReadCalibrationTexts(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw flatbert::Error("cannot open calibration file '" + path + "'");
  RowReader reader("auto", "text");
  std::vector<std::string> texts;
  for (std::string line; std::getline(in, line);) {
    Row row;
    if (reader.Read(line, row) && row.error.empty() && !row.text.empty()) texts.push_back(std::move(row.text));
  }
  if (texts.empty()) throw flatbert::Error("calibration file '" + path + "' has no texts");
  return texts;
}

int RunConvert(const std::string& source, const std::string& out, const std::string& quant, int group_size,
               const std::string& calibrate) {
  const flatbert::QuantMode mode = flatbert::ParseQuantMode(quant);
  if ((mode == flatbert::QuantMode::kInt8Static) != !calibrate.empty())
    throw flatbert::Error("--calibrate FILE goes with --quant int8-static, and only with it");
  std::cerr << "reading " << source << "\n";
  flatbert::ModelContents model;
  if (std::filesystem::is_directory(source)) {
    model = flatbert::ConvertHuggingFace(source);
  } else {
    model = flatbert::ReadContents(flatbert::ModelFile::Open(source));
  }
  flatbert::QuantOptions options;
  options.group_size = group_size;
  if (!calibrate.empty()) {
    const std::vector<std::string> texts = ReadCalibrationTexts(calibrate);
    std::cerr << "calibrating input scales on " << texts.size() << " texts from " << calibrate << "\n";
    options.input_scales = flatbert::CalibrateInputScales(model, texts);
  }
  std::cerr << "quantizing weights: " << quant << "\n";
  model = flatbert::Quantize(std::move(model), mode, options);
  flatbert::WriteModel(model, out);
  const flatbert::ModelFile check = flatbert::ModelFile::Open(out);  // verify what was written
  std::cerr << "wrote " << out << ": " << model.tensors.size() << " tensors, " << check.file_size() << " bytes\n";
  return 0;
}

int RunExport(const std::string& model_path, const std::string& out) {
  const flatbert::ModelFile file = flatbert::ModelFile::Open(flatbert::tools::ResolveModel(model_path));
  flatbert::ExportHuggingFace(flatbert::Dequantize(flatbert::ReadContents(file)), out);
  std::cerr << "wrote " << out << " (config.json, vocab.txt, tokenizer_config.json, model.safetensors; fp32 weights)\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"flatbert: quantized BERT-family text classifiers on the CPU"};
  app.require_subcommand(1);

  std::string model_path, input = "-", format = "auto", column = "text", vocab, hf_dir, out, quant = "fp32";
  std::vector<std::string> texts;
  bool normalize = false, as_json = false;
  size_t max_length = 0;

  CLI::App* classify = app.add_subcommand("classify", "classify texts (arguments, or lines of --input / stdin) to JSONL");
  classify->add_option("-m,--model", model_path, "model file (.fbm); default $FLATBERT_MODEL or models/default.fbm");
  classify->add_option("text", texts, "texts to classify; none: read --input");
  classify->add_option("-i,--input", input, "input file, - for stdin")->capture_default_str();
  classify->add_option("-f,--format", format, "input format")
      ->check(CLI::IsMember({"auto", "text", "tsv", "jsonl"}))->capture_default_str();
  classify->add_option("--column", column, "TSV column holding the text")->capture_default_str();
  int threads = 1;
  classify->add_option("-t,--threads", threads, "threads; 0: all cores")->capture_default_str();

  CLI::App* tokenize = app.add_subcommand("tokenize", "tokenize stdin lines to JSONL {ids, tokens} as HF encode does");
  tokenize->add_option("-m,--model", model_path, "take the vocabulary from this model");
  tokenize->add_option("--vocab", vocab, "take the vocabulary from a vocab.txt (lowercasing)");
  tokenize->add_flag("--normalize", normalize, "apply the tweet normalizer first (the model's, or the defaults)");
  tokenize->add_option("--max-length", max_length, "truncate to this many ids including [CLS]/[SEP]; 0: none");

  CLI::App* inspect = app.add_subcommand("inspect", "show a model's config, labels, tokenizer and tensors");
  inspect->add_option("model", model_path, "model file (.fbm)")->required();
  inspect->add_flag("--json", as_json, "print JSON");

  flatbert::tools::EvalOptions eval_opt;
  CLI::App* eval = app.add_subcommand("eval", "accuracy, macro-F1, per-class and per-entity results on a labelled TSV");
  eval->add_option("-m,--model", eval_opt.model, "model file (.fbm); default as for classify");
  eval->add_option("-d,--data", eval_opt.data, "TSV with text and polarity columns (e.g. RepLab 2013 test.tsv)")
      ->required();
  eval->add_option("--lang", eval_opt.lang, "rows of this lang column value; all: every row")->capture_default_str();
  eval->add_option("--json", eval_opt.json_out, "also write the results as JSON to this file");
  eval->add_option("-t,--threads", eval_opt.threads, "threads; 0: all cores")->capture_default_str();

  flatbert::tools::BenchOptions bench_opt;
  CLI::App* bench = app.add_subcommand("bench", "load time, latency p50/p95, tweets/s per thread count, peak RSS");
  bench->add_option("-m,--model", bench_opt.model, "model file (.fbm); default as for classify");
  bench->add_option("-d,--data", bench_opt.data, "TSV with a text column (e.g. RepLab 2013 test.tsv)")->required();
  bench->add_option("--lang", bench_opt.lang, "rows of this lang column value; all: every row")->capture_default_str();
  bench->add_option("-n,--count", bench_opt.count, "tweets to time")->capture_default_str();
  bench->add_option("--warmup", bench_opt.warmup, "tweets run before timing")->capture_default_str();
  bench->add_option("-t,--threads", bench_opt.threads, "thread counts for the throughput runs")->capture_default_str();
  bench->add_option("--json", bench_opt.json_out, "also write the results as JSON to this file");

  CLI::App* convert = app.add_subcommand("convert", "convert a Hugging Face directory to .fbm");
  convert->add_option("source", hf_dir, "Hugging Face directory (config.json, vocab.txt, model.safetensors) or an fp32 .fbm")
      ->required();
  convert->add_option("-o,--output", out, "output .fbm")->required();
  convert->add_option("-q,--quant", quant, "weight format")
      ->check(CLI::IsMember(flatbert::QuantModeNames()))->capture_default_str();
  int group_size = flatbert::QuantOptions{}.group_size;
  convert->add_option("--group-size", group_size, "int4 / mixed: values per scale (a multiple of 32)")
      ->capture_default_str();
  std::string calibrate;
  convert->add_option("--calibrate", calibrate,
                      "int8-static: texts to calibrate activation scales on (lines, or a TSV/JSONL text column)");

  CLI::App* export_hf = app.add_subcommand(
      "export", "write a model as a Hugging Face directory (fp32 weights, dequantized from int8/fp16 as the engine sees them)");
  export_hf->add_option("-m,--model", model_path, "model file (.fbm); default as for classify");
  export_hf->add_option("-o,--output", out, "output directory")->required();

  CLI11_PARSE(app, argc, argv);
  try {
    if (*classify) return RunClassify(model_path, texts, input, format, column, threads);
    if (*tokenize) return RunTokenize(model_path, vocab, normalize, max_length);
    if (*inspect) return RunInspect(model_path, as_json);
    if (*eval) return flatbert::tools::RunEval(eval_opt);
    if (*bench) return flatbert::tools::RunBench(bench_opt);
    if (*convert) return RunConvert(hf_dir, out, quant, group_size, calibrate);
    if (*export_hf) return RunExport(model_path, out);
  } catch (const std::exception& e) {
    std::cerr << "flatbert: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
