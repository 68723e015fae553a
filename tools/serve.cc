#include "serve.h"

#include <microhttpd.h>
#include <netdb.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "classify.h"
#include "exit_codes.h"
#include "flatbert/classifier.hpp"
#include "flatbert/json.hpp"
#include "flatbert/model_info.hpp"
#include "flatbert/thread_pool.hpp"
#include "model_path.h"

namespace flatbert::tools {
namespace {

using json = nlohmann::ordered_json;

// {"texts": [string, ...], "ids"?: [any, ... as many]}; throws Error saying what is wrong with the shape.
json Classify(const Classifier& model, const std::string& body) {
  const json request = ParseJson(body, "the request body", kMaxRequestValues);
  if (!request.is_object() || !request.contains("texts") || !request["texts"].is_array())
    throw Error("the body must be a JSON object with \"texts\": an array of strings");
  const json& texts = request["texts"];
  if (texts.size() > kMaxRequestTexts)
    throw Error(std::to_string(texts.size()) + " texts: at most " + std::to_string(kMaxRequestTexts) + " per request");
  if (const size_t labels = model.labels().size(); texts.size() * labels > kMaxResponseProbs)
    throw Error(std::to_string(texts.size()) + " texts: at most " + std::to_string(kMaxResponseProbs / labels) +
                " per request for a model of " + std::to_string(labels) + " labels (" +
                std::to_string(kMaxResponseProbs) + " probabilities)");
  const json* ids = request.contains("ids") ? &request["ids"] : nullptr;
  if (ids && (!ids->is_array() || ids->size() != texts.size()))
    throw Error("\"ids\" must be an array as long as \"texts\"");
  std::vector<std::string_view> views;
  for (const json& text : texts) {
    if (!text.is_string()) throw Error("\"texts\" must hold strings only");
    views.push_back(text.get_ref<const std::string&>());
  }
  const std::vector<Outcome> outcomes = model.ClassifyBatch(views);  // on this HTTP thread, in batches
  json results = json::array();
  for (size_t i = 0; i < texts.size(); ++i) {
    json result = json::object();
    if (ids) result["id"] = (*ids)[i];
    if (outcomes[i].error.empty()) {
      result.update(PredictionJson(model, outcomes[i].prediction));
    } else {
      result["error"] = outcomes[i].error;
    }
    results.push_back(std::move(result));
  }
  return {{"results", std::move(results)}};
}

MHD_Result Reply(MHD_Connection* connection, unsigned status, const json& body) {
  const std::string text = body.dump(-1, ' ', false, json::error_handler_t::replace);
  MHD_Response* response =
      MHD_create_response_from_buffer(text.size(), const_cast<char*>(text.data()), MHD_RESPMEM_MUST_COPY);
  if (!response) return MHD_NO;  // out of memory: the connection is closed
  MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
  const MHD_Result queued = MHD_queue_response(connection, status, response);
  MHD_destroy_response(response);
  return queued;
}

MHD_Result ReplyError(MHD_Connection* connection, unsigned status, const std::string& error) {
  return Reply(connection, status, {{"error", error}});
}

// One POST /v1/classify from its headers to its completion.
struct Upload {
  std::string body;
  size_t received = 0;   // bytes of body, kept or dropped
  size_t held = 0;       // bytes of Service::held_ this body has taken
  unsigned refusal = 0;  // 413 or 503 once decided: the rest of the body is dropped, then this is the answer
};

// The HTTP handler of one loaded model. libmicrohttpd calls OnRequest once when a request's headers are in, once per
// piece of its body, and once more at its end; then OnCompleted. A response can be queued at the first call or the
// last, not in between: a body that is refused is read to its end (up to kMaxDroppedBytes), so that a client that
// sends it before it reads the answer gets the answer and not a reset connection.
class Service {
 public:
  Service(const Classifier& model, std::string path) : model_(model), path_(std::move(path)) {}

  static MHD_Result OnRequest(void* self, MHD_Connection* connection, const char* url, const char* method,
                              const char* /*version*/, const char* data, size_t* size, void** request) {
    auto& service = *static_cast<Service*>(self);
    try {  // nothing may unwind into libmicrohttpd's C
      if (!*request) return service.Start(connection, url, method, request);
      return service.Receive(connection, *static_cast<Upload*>(*request), data, size);
    } catch (...) {  // out of memory and the like (an Error is answered where it is thrown): the connection ends
      return MHD_NO;
    }
  }
  static void OnCompleted(void* self, MHD_Connection*, void** request, MHD_RequestTerminationCode) {
    auto* upload = static_cast<Upload*>(*request);
    if (!upload) return;
    static_cast<Service*>(self)->held_ -= upload->held;
    delete upload;
  }

 private:
  // The first call of a request, with its headers: answers it, or returns MHD_YES with *request set to take a body.
  MHD_Result Start(MHD_Connection* connection, const std::string& url, const std::string& method, void** request);
  // A piece of the body (*size > 0), or its end.
  MHD_Result Receive(MHD_Connection* connection, Upload& upload, const char* data, size_t* size);
  // Takes `bytes` more of held_ for the upload; false if that would pass kMaxHeldBodyBytes.
  bool Hold(Upload& upload, size_t bytes);
  static MHD_Result Refuse(MHD_Connection* connection, unsigned status);

  const Classifier& model_;
  const std::string path_;
  std::atomic<size_t> held_{0};  // bytes of request bodies held, over every connection
};

MHD_Result Service::Start(MHD_Connection* connection, const std::string& url, const std::string& method,
                          void** request) {
  const bool health = url == "/health", classify = url == "/v1/classify";
  if (!health && !classify) return ReplyError(connection, MHD_HTTP_NOT_FOUND, "HTTP 404: no such path");
  if (method != (health ? MHD_HTTP_METHOD_GET : MHD_HTTP_METHOD_POST))
    return ReplyError(connection, MHD_HTTP_METHOD_NOT_ALLOWED,
                      "HTTP 405: " + url + " takes " + (health ? "GET" : "POST"));
  if (health)
    return Reply(connection, MHD_HTTP_OK,
                 {{"status", "ok"},
                  {"model", path_},
                  {"labels", model_.labels()},
                  {"kernels", KernelPath()},
                  {"version", Version()}});
  const char* type = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
  if (type && std::string_view(type).starts_with("multipart/form-data"))
    return ReplyError(connection, MHD_HTTP_BAD_REQUEST, "send the texts as a JSON body");
  auto upload = std::make_unique<Upload>();
  // A declared length takes its share of held_ now; a chunked body takes it as it comes.
  if (const char* length = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH)) {
    const unsigned long long declared = std::strtoull(length, nullptr, 10);
    if (declared > kMaxRequestBytes)
      upload->refusal = MHD_HTTP_CONTENT_TOO_LARGE;
    else if (!Hold(*upload, declared))
      upload->refusal = MHD_HTTP_SERVICE_UNAVAILABLE;
    else
      upload->body.reserve(declared);  // what held_ counts: appending by doubling would take up to twice that
  }
  // A client that waits for "100 Continue" is answered before it sends the body.
  if (upload->refusal && MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT))
    return Refuse(connection, upload->refusal);
  *request = upload.release();  // OnCompleted deletes it
  return MHD_YES;
}

MHD_Result Service::Receive(MHD_Connection* connection, Upload& upload, const char* data, size_t* size) {
  if (*size == 0) {
    if (upload.refusal) return Refuse(connection, upload.refusal);
    try {
      return Reply(connection, MHD_HTTP_OK, Classify(model_, upload.body));
    } catch (const Error& e) {
      return ReplyError(connection, MHD_HTTP_BAD_REQUEST, e.what());
    }
  }
  upload.received += *size;
  if (upload.received > kMaxRequestBytes + kMaxDroppedBytes) return MHD_NO;  // too much to drop: the connection ends
  if (!upload.refusal && upload.received > kMaxRequestBytes) upload.refusal = MHD_HTTP_CONTENT_TOO_LARGE;
  if (!upload.refusal && upload.received > upload.held && !Hold(upload, upload.received - upload.held))
    upload.refusal = MHD_HTTP_SERVICE_UNAVAILABLE;
  if (upload.refusal)
    std::string().swap(upload.body);
  else
    upload.body.append(data, *size);
  *size = 0;
  return MHD_YES;
}

bool Service::Hold(Upload& upload, size_t bytes) {
  if (held_.fetch_add(bytes) + bytes > kMaxHeldBodyBytes) {
    held_ -= bytes;
    return false;
  }
  upload.held += bytes;
  return true;
}

MHD_Result Service::Refuse(MHD_Connection* connection, unsigned status) {
  if (status == MHD_HTTP_CONTENT_TOO_LARGE)
    return ReplyError(connection, status, "the body is over " + std::to_string(kMaxRequestBytes) + " bytes");
  return ReplyError(
      connection, status,
      "the server holds " + std::to_string(kMaxHeldBodyBytes >> 20) + " MiB of request bodies already: try again");
}

// A socket bound to host:port and listening (port 0: any free one); throws Error saying why not.
int Listen(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (const int e = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found))
    throw Error("cannot listen on " + host + ":" + std::to_string(port) + ": " + gai_strerror(e));
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, freeaddrinfo);
  std::string why = "no address";
  for (const addrinfo* a = found; a; a = a->ai_next) {
    const int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      why = std::strerror(errno);
      continue;
    }
    const int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0) return fd;
    why = std::strerror(errno);
    close(fd);
  }
  throw Error("cannot listen on " + host + ":" + std::to_string(port) + ": " + why);
}

}  // namespace

int RunServe(const ServeOptions& opt) {
  const std::string path = ResolveModel(opt.model);
  const Classifier model = Classifier::Load(path);
  const int threads = ThreadPool::ThreadsFor(opt.threads);
  // SIGTERM and SIGINT are for this thread's sigwait: every other thread, libmicrohttpd's included (they start
  // after this), has them blocked.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const int listening = Listen(opt.host, opt.port);
  Service service(model, path);
  // Every connection waits in one of `threads` epoll loops, each of which classifies one request at a time: an idle
  // or slow client costs a socket and kConnectionBytes, not a thread.
  MHD_Daemon* daemon =
      MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD, 0, nullptr, nullptr, &Service::OnRequest, &service,  //
                       MHD_OPTION_LISTEN_SOCKET, listening,                                               //
                       MHD_OPTION_THREAD_POOL_SIZE, static_cast<unsigned>(threads),                       //
                       MHD_OPTION_CONNECTION_MEMORY_LIMIT, kConnectionBytes,                              //
                       MHD_OPTION_CONNECTION_LIMIT, kMaxConnections,                                      //
                       MHD_OPTION_PER_IP_CONNECTION_LIMIT, opt.connections_per_address,                   //
                       MHD_OPTION_CONNECTION_TIMEOUT, kIdleSeconds,                                       //
                       MHD_OPTION_NOTIFY_COMPLETED, &Service::OnCompleted, &service,                      //
                       MHD_OPTION_END);
  if (!daemon) {
    close(listening);
    throw Error("cannot start the HTTP server on " + opt.host + ":" + std::to_string(opt.port));
  }
  sockaddr_storage bound{};
  socklen_t bound_size = sizeof bound;
  getsockname(listening, reinterpret_cast<sockaddr*>(&bound), &bound_size);
  char port[NI_MAXSERV] = "?";
  getnameinfo(reinterpret_cast<sockaddr*>(&bound), bound_size, nullptr, 0, port, sizeof port, NI_NUMERICSERV);
  std::cerr << "flatbert: serving " << path << " on http://" << opt.host << ":" << port << " with " << threads
            << " threads" << std::endl;
  int signal = 0;
  sigwait(&stop_signals, &signal);
  MHD_stop_daemon(daemon);  // requests being classified finish first
  std::cerr << "flatbert: stopped" << std::endl;
  return kExitOk;
}

}  // namespace flatbert::tools
