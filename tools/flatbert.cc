// flatbert CLI: convert, export, classify, tokenize, inspect, eval, bench, serve. A thin user of the library; each
// subcommand is in its own file, and exit codes are those of exit_codes.h.
#include <CLI/CLI.hpp>
#include <iostream>
#include <limits>

#include "bench.h"
#include "classify.h"
#include "convert.h"
#include "eval.h"
#include "exit_codes.h"
#include "flatbert/convert.hpp"
#include "flatbert/limits.hpp"
#include "flatbert/model_info.hpp"
#include "inspect.h"
#include "serve.h"
#include "standard_output.h"
#include "tokenize.h"

namespace {

int RunCommand(int argc, char** argv) {
  namespace tools = flatbert::tools;
  CLI::App app{"flatbert: quantized BERT-family text classifiers on the CPU"};
  app.require_subcommand(1);
  app.set_version_flag("--version",
                       std::string("flatbert ") + flatbert::Version() + ", kernels " + flatbert::KernelPath());
  const auto threads_range = CLI::Range(0, flatbert::kMaxThreads);
  const auto counts_from = [](int least) { return CLI::Range(least, std::numeric_limits<int>::max()); };

  tools::ClassifyOptions classify_opt;
  CLI::App* classify = app.add_subcommand("classify", "classify texts (arguments, or lines of --input / stdin) to JSONL");
  classify->add_option("-m,--model", classify_opt.model,
                       "model file (.fbm); default $FLATBERT_MODEL or models/default.fbm");
  CLI::Option* classify_texts =
      classify->add_option("text", classify_opt.texts, "texts to classify; none: read --input");
  classify->add_option("-i,--input", classify_opt.input, "input file, - for stdin")
      ->capture_default_str()
      ->excludes(classify_texts);
  classify->add_option("-f,--format", classify_opt.format, "input format")
      ->check(CLI::IsMember({"auto", "text", "tsv", "jsonl"}))
      ->capture_default_str();
  classify->add_option("--column", classify_opt.column, "TSV column (JSONL field) holding the text")
      ->capture_default_str();
  classify->add_option("-t,--threads", classify_opt.threads,
                       "threads; 0: all cores. Many texts: one batch per thread; fewer texts than threads: all on one")
      ->check(threads_range)
      ->capture_default_str();

  tools::TokenizeOptions tokenize_opt;
  CLI::App* tokenize = app.add_subcommand("tokenize", "tokenize stdin lines to JSONL {ids, tokens} as HF encode does");
  CLI::Option* tokenize_model = tokenize->add_option(
      "-m,--model", tokenize_opt.model,
      "the model's tokenizer, tweet normalizer and max_length, as classify (default model as for classify)");
  CLI::Option* vocab_opt =
      tokenize->add_option("--vocab", tokenize_opt.vocab, "a vocab.txt instead (lowercasing, no normalizer)")
          ->excludes(tokenize_model);
  tokenize
      ->add_option("--hf", tokenize_opt.hf_dir,
                   "a Hugging Face checkpoint's tokenizer instead, as convert reads it (vocab.txt or tokenizer.json, "
                   "tokenizer_config.json, special_tokens_map.json, added_tokens.json)")
      ->excludes(vocab_opt)
      ->excludes(tokenize_model);
  tokenize->add_flag("--normalize", tokenize_opt.normalize,
                     "apply the tweet normalizer (with --vocab or --hf: the defaults training uses)");
  tokenize->add_flag("--no-normalize", tokenize_opt.no_normalize, "--model: skip the model's tweet normalizer");
  tokenize
      ->add_option("--max-length", tokenize_opt.max_length,
                   "truncate to this many ids including [CLS]/[SEP]; 0: none (default: the model's with --model, "
                   "else none)")
      ->check(counts_from(0));

  std::string inspect_path;
  bool as_json = false, verify = false;
  CLI::App* inspect = app.add_subcommand("inspect", "show a model's config, labels, tokenizer and tensors");
  inspect
      ->add_option(
          "model", inspect_path,
          "model file (.fbm), or a Hugging Face checkpoint directory: its config and tokenizer as convert "
          "reads them, checked as convert checks them, and which tensors model.safetensors lacks (its header only)")
      ->required();
  inspect->add_flag("--json", as_json, "print JSON");
  inspect->add_flag("--verify", verify, "also check every tensor's data against its checksum");

  tools::EvalOptions eval_opt;
  CLI::App* eval = app.add_subcommand("eval", "accuracy, macro-F1, per-class and per-entity results on a labelled TSV");
  eval->add_option("-m,--model", eval_opt.model, "model file (.fbm); default as for classify");
  eval->add_option("-d,--data", eval_opt.data, "TSV with text and polarity columns (e.g. RepLab 2013 test.tsv)")
      ->required();
  eval->add_option("--lang", eval_opt.lang, "rows of this lang column value; all: every row")->capture_default_str();
  eval->add_option("--json", eval_opt.json_out, "also write the results as JSON to this file");
  eval->add_option("--entities", eval_opt.entities,
                   "TSV of entity_id and query (e.g. ../shared/data/replab2013/entities.tsv): entity names");
  eval->add_option("--report", eval_opt.report, "also write DIR/report.html: the results with SVG charts");
  eval->add_option("-t,--threads", eval_opt.threads, "threads; 0: all cores (one batch of tweets per thread)")
      ->check(threads_range)
      ->capture_default_str();

  tools::BenchOptions bench_opt;
  CLI::App* bench = app.add_subcommand("bench", "load time, latency p50/p95, tweets/s per thread count, peak RSS");
  bench->add_option("-m,--model", bench_opt.model, "model file (.fbm); default as for classify");
  bench
      ->add_option("-d,--data", bench_opt.data,
                   "texts: TSV with a text column (e.g. RepLab 2013 test.tsv), JSONL or lines")
      ->required();
  bench->add_option("--lang", bench_opt.lang, "rows of this lang column value; all: every row")->capture_default_str();
  bench->add_option("-n,--count", bench_opt.count, "tweets to time")->check(counts_from(1))->capture_default_str();
  bench->add_option("--warmup", bench_opt.warmup, "tweets run before timing")
      ->check(counts_from(0))
      ->capture_default_str();
  bench->add_option("-t,--threads", bench_opt.threads,
                    "thread counts for the throughput runs and for one tweet on all threads")
      ->check(threads_range)
      ->capture_default_str();
  bench->add_option("--json", bench_opt.json_out, "also write the results as JSON to this file");

  tools::ServeOptions serve_opt;
  CLI::App* serve = app.add_subcommand("serve", "HTTP service: POST /v1/classify {\"texts\": [...]}, GET /health");
  serve->add_option("-m,--model", serve_opt.model, "model file (.fbm); default as for classify");
  serve->add_option("--host", serve_opt.host, "address to listen on (loopback: only this machine)")->capture_default_str();
  serve->add_option("--port", serve_opt.port, "TCP port; 0: any free one (printed)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  serve->add_option("-t,--threads", serve_opt.threads, "requests classified at once; 0: one per core")
      ->check(threads_range)
      ->capture_default_str();
  serve
      ->add_option("--connections-per-address", serve_opt.connections_per_address,
                   "connections one client address may hold open; 0: no limit but the " +
                       std::to_string(tools::kMaxConnections) + " of all clients (behind a proxy, all are the proxy's)")
      ->check(CLI::Range(0u, tools::kMaxConnections))
      ->capture_default_str();

  tools::ConvertOptions convert_opt;
  std::vector<std::string> quant_names = flatbert::QuantModeNames();
  quant_names.push_back(flatbert::kKeepWeights);
  CLI::App* convert = app.add_subcommand("convert", "convert a Hugging Face directory (or a .fbm) to .fbm");
  convert
      ->add_option("source", convert_opt.source,
                   "Hugging Face directory (config.json, vocab.txt or tokenizer.json, model.safetensors; the other "
                   "tokenizer files when there: docs/hf-keys.md), or a .fbm: fp32 to "
                   "quantize, any with --quant keep")
      ->required();
  convert->add_option("-o,--output", convert_opt.output, "output .fbm")->required();
  convert
      ->add_option("-q,--quant", convert_opt.quant,
                   "weight format; keep: a .fbm's weights as stored, rewritten with this build's vocabulary index "
                   "and checksums")
      ->check(CLI::IsMember(quant_names))
      ->capture_default_str();
  convert->add_option("--group-size", convert_opt.group_size, "int4 / mixed only: values per scale (a multiple of 32)")
      ->capture_default_str();
  convert->add_option("--calibrate", convert_opt.calibrate,
                      "int8-static: texts to calibrate activation scales on (lines, or a TSV/JSONL text column)");

  std::string export_model, export_dir;
  CLI::App* export_hf = app.add_subcommand("export",
                                           "write a model as a Hugging Face directory (fp32 weights, dequantized from "
                                           "int8/int4/fp16 as the engine sees them)");
  export_hf->add_option("-m,--model", export_model, "model file (.fbm); default as for classify");
  export_hf->add_option("-o,--output", export_dir, "output directory")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints the message or the help
    return code == 0 ? tools::kExitOk : tools::kExitUsage;
  }
  try {
    if (*classify) return tools::RunClassify(classify_opt);
    if (*tokenize) return tools::RunTokenize(tokenize_opt);
    if (*inspect) return tools::RunInspect(inspect_path, as_json, verify);
    if (*eval) return tools::RunEval(eval_opt);
    if (*bench) return tools::RunBench(bench_opt);
    if (*serve) return tools::RunServe(serve_opt);
    if (*convert) return tools::RunConvert(convert_opt);
    if (*export_hf) return tools::RunExport(export_model, export_dir);
  } catch (const std::exception& e) {
    std::cerr << "flatbert: error: " << e.what() << "\n";
    return tools::kExitFailure;
  }
  return tools::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  const int code = RunCommand(argc, argv);
  if (code == flatbert::tools::kExitFailure) return code;  // said why already
  try {
    flatbert::tools::WriteStandardOutput();
  } catch (const std::exception& e) {
    std::cerr << "flatbert: error: " << e.what() << "\n";
    return flatbert::tools::kExitFailure;
  }
  return code;
}
