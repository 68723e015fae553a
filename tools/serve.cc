#include "serve.h"

#include <httplib.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <semaphore>
#include <thread>

#include "classify.h"
#include "exit_codes.h"
#include "flatbert/classifier.hpp"
#include "flatbert/json.hpp"
#include "flatbert/limits.hpp"
#include "flatbert/model_info.hpp"
#include "flatbert/thread_pool.hpp"
#include "model_path.h"

namespace flatbert::tools {
namespace {

using json = nlohmann::ordered_json;

void Reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

// {"texts": [string, ...], "ids"?: [any, ... as many]}; throws Error saying what is wrong with the shape.
json Classify(const Classifier& model, const std::string& body) {
  const json request = ParseJson(body, "the request body", kMaxRequestValues);
  if (!request.is_object() || !request.contains("texts") || !request["texts"].is_array())
    throw Error("the body must be a JSON object with \"texts\": an array of strings");
  const json& texts = request["texts"];
  if (texts.size() > kMaxRequestTexts)
    throw Error(std::to_string(texts.size()) + " texts: at most " + std::to_string(kMaxRequestTexts) + " per request");
  const json* ids = request.contains("ids") ? &request["ids"] : nullptr;
  if (ids && (!ids->is_array() || ids->size() != texts.size()))
    throw Error("\"ids\" must be an array as long as \"texts\"");
  std::vector<std::string_view> views;
  for (const json& text : texts) {
    if (!text.is_string()) throw Error("\"texts\" must hold strings only");
    views.push_back(text.get_ref<const std::string&>());
  }
  const std::vector<Outcome> outcomes = model.ClassifyBatch(views);  // on this HTTP worker, in batches
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

// Held while a request is parsed and classified: `threads` of them use the cores and hold a parsed body at once.
using Slots = std::counting_semaphore<kMaxThreads>;
struct ClassifyingSlot {
  explicit ClassifyingSlot(Slots& slots) : slots(slots) { slots.acquire(); }
  ~ClassifyingSlot() { slots.release(); }
  Slots& slots;
};

}  // namespace

int RunServe(const ServeOptions& opt) {
  const std::string path = ResolveModel(opt.model);
  const Classifier model = Classifier::Load(path);
  const int threads = ThreadPool::ThreadsFor(opt.threads);
  // SIGTERM and SIGINT are taken by one thread that stops the server; every other thread, httplib's included
  // (they start after this), has them blocked.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  httplib::Server server;
  server.new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<size_t>(threads + kSpareConnections));
  };
  Slots classifying(threads);
  server.set_payload_max_length(kMaxRequestBytes);
  server.Get("/health", [&](const httplib::Request&, httplib::Response& res) {
    Reply(res, 200, {{"status", "ok"}, {"model", path}, {"labels", model.labels()}, {"kernels", KernelPath()}});
  });
  // The body is read by the handler, not by httplib, which would cap a body sent as a form (curl -d's and
  // urllib's default content type) at 8 KiB; kMaxRequestBytes still applies.
  server.Post("/v1/classify", [&](const httplib::Request& req, httplib::Response& res,
                                  const httplib::ContentReader& read_body) {
    if (req.is_multipart_form_data()) return Reply(res, 400, {{"error", "send the texts as a JSON body"}});
    std::string body;
    const bool whole = read_body([&](const char* data, size_t size) {
      body.append(data, size);
      return true;
    });
    if (!whole) {  // over kMaxRequestBytes, or the connection broke
      const int status = res.status == 413 ? 413 : 400;
      return Reply(res, status,
                   {{"error", status == 413 ? "the body is over " + std::to_string(kMaxRequestBytes) + " bytes"
                                            : "the body could not be read"}});
    }
    const ClassifyingSlot slot(classifying);
    try {
      Reply(res, 200, Classify(model, body));
    } catch (const Error& e) {
      Reply(res, 400, {{"error", e.what()}});
    }
  });
  server.set_error_handler([](const httplib::Request&, httplib::Response& res) {  // 404, 413, ...
    if (res.body.empty()) Reply(res, res.status, {{"error", "HTTP " + std::to_string(res.status)}});
  });

  const int port = opt.port == 0 ? server.bind_to_any_port(opt.host) : opt.port;
  if (port < 0 || (opt.port != 0 && !server.bind_to_port(opt.host, opt.port)))
    throw Error("cannot listen on " + opt.host + ":" + std::to_string(opt.port));
  std::atomic<bool> listening_ended{false};
  std::thread stopper([&] {
    int signal = 0;
    sigwait(&stop_signals, &signal);
    // A signal that comes before the server runs waits for it: stop() acts only on a running server.
    while (!server.is_running() && !listening_ended) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    server.stop();
  });
  std::cerr << "flatbert: serving " << path << " on http://" << opt.host << ":" << port << " with " << threads
            << " threads" << std::endl;
  const bool ok = server.listen_after_bind();
  listening_ended = true;
  pthread_kill(stopper.native_handle(), SIGTERM);  // wakes it if no signal came (the server failed); else a no-op
  stopper.join();
  std::cerr << "flatbert: stopped" << std::endl;
  return ok ? kExitOk : kExitFailure;
}

}  // namespace flatbert::tools
