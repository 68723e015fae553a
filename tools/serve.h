#pragma once
#include <cstddef>
#include <string>

namespace flatbert::tools {

struct ServeOptions {
  std::string model, host = "127.0.0.1";  // loopback by default: the texts stay on this machine
  int port = 8080;                         // 0: any free port (printed on stderr)
  int threads = 0;                         // requests classified at once; 0: one per hardware thread
  unsigned connections_per_address = 64;   // open at once from one client address; 0: up to kMaxConnections
};

// The largest request body, a larger one gets 413; and the most texts in one request, more get 400 (so that one
// request cannot hold a thread for minutes), and the most JSON values, more get 400 before they are built (texts,
// ids and whatever an id holds: one 16 MiB body of `[0,0,...` would otherwise build 300 MB of values).
inline constexpr size_t kMaxRequestBytes = size_t{16} << 20;
inline constexpr size_t kMaxRequestTexts = 4096;
inline constexpr size_t kMaxRequestValues = 16 * kMaxRequestTexts;
// Probabilities in one response, a text's for each label: more get 400. A model of up to 256 labels takes
// kMaxRequestTexts texts; one of 65,536 (kMaxLabels) takes 16, as 4,096 would make a 5 GB response.
inline constexpr size_t kMaxResponseProbs = size_t{1} << 20;
// A refused body (413, 503) is read on and dropped for this many bytes more, so that a client that sends its body
// before it reads the answer gets the answer instead of a reset connection; past them the connection is closed.
inline constexpr size_t kMaxDroppedBytes = kMaxRequestBytes;
// Bodies held at once over every connection, by their declared length, else as they come; a request that would
// pass it gets 503.
inline constexpr size_t kMaxHeldBodyBytes = 4 * kMaxRequestBytes;
// Per connection, libmicrohttpd's: the request line and headers must fit in kConnectionBytes (431 past them), a
// connection that sends nothing for kIdleSeconds is closed, and at most kMaxConnections are open at once, of which
// ServeOptions::connections_per_address from one address (else one client that holds them all, sending a byte now
// and then, locks every other one out); a connection past either limit is closed at once.
inline constexpr size_t kConnectionBytes = size_t{32} << 10;
inline constexpr unsigned kIdleSeconds = 10;
inline constexpr unsigned kMaxConnections = 512;

// An HTTP service over one loaded model, until SIGTERM or SIGINT:
//   GET  /health       {"status": "ok", "model", "labels", "kernels"}
//   POST /v1/classify  {"texts": [...], "ids"?: [...]} -> {"results": [{"id"?, "label", "probs", "tokens"} |
//                      {"id"?, "error"}]}, one result per text in order; 400 for a body that is not such JSON
//                      or holds more than kMaxRequestTexts texts, kMaxRequestValues values, or texts x labels
//                      over kMaxResponseProbs; 413 over kMaxRequestBytes, 503 past kMaxHeldBodyBytes.
int RunServe(const ServeOptions& options);

}  // namespace flatbert::tools
