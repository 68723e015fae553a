#pragma once
#include <cstddef>
#include <string>

namespace flatbert::tools {

struct ServeOptions {
  std::string model, host = "127.0.0.1";  // loopback by default: the texts stay on this machine
  int port = 8080;                         // 0: any free port (printed on stderr)
  int threads = 0;                         // requests classified at once; 0: one per hardware thread
};

// The largest request body, a larger one gets 413; and the most texts in one request, more get 400 (so that one
// request cannot hold a worker for minutes), and the most JSON values, more get 400 before they are built (texts,
// ids and whatever an id holds: one 16 MiB body of `[0,0,...` would otherwise build 300 MB of values).
inline constexpr size_t kMaxRequestBytes = size_t{16} << 20;
inline constexpr size_t kMaxRequestTexts = 4096;
inline constexpr size_t kMaxRequestValues = 16 * kMaxRequestTexts;
// Connections read at once beyond the --threads requests being classified: an idle or slow client holds a
// connection, not a core, and httplib waits 5 s for each read.
inline constexpr int kSpareConnections = 16;

// An HTTP service over one loaded model, until SIGTERM or SIGINT:
//   GET  /health       {"status": "ok", "model", "labels", "kernels"}
//   POST /v1/classify  {"texts": [...], "ids"?: [...]} -> {"results": [{"id"?, "label", "probs", "tokens"} |
//                      {"id"?, "error"}]}, one result per text in order; 400 for a body that is not such JSON
//                      or holds more than kMaxRequestTexts texts or kMaxRequestValues values, 413 over
//                      kMaxRequestBytes.
int RunServe(const ServeOptions& options);

}  // namespace flatbert::tools
