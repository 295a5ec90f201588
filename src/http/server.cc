// RESTinio wiring: I/O threads parse requests and write responses; anything that may block (the
// database) runs on a separate worker pool and answers asynchronously. SIGINT and SIGTERM stop
// accepting connections, let the requests in flight finish (up to a grace period), then return.
#include "http/server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <asio.hpp>
#include <atomic>
#include <chrono>
#include <csignal>
#include <memory>
#include <optional>
#include <restinio/all.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "http/client_address.h"
#include "http/dispatcher.h"
#include "http/errors.h"
#include "http/static_files.h"
#include "http/unparsable_request.h"

namespace crm::http {

namespace {

using namespace std::chrono_literals;

// RESTinio closes a connection whose bytes its HTTP parser rejects without an answer: it logs
// "parser error ..." and then shuts the socket down, both at once on the connection's I/O thread.
// This logger keeps only the answer owed for that line (http/unparsable_request.h), and the
// socket writes it just before the shutdown.
thread_local std::string t_pending_answer;

class ParserErrorLogger {
 public:
  template <typename Builder>
  void trace(Builder&&) const noexcept {}
  template <typename Builder>
  void info(Builder&&) const noexcept {}
  template <typename Builder>
  void warn(Builder&&) const noexcept {}
  template <typename Builder>
  void error(Builder&& builder) const noexcept {
    try {
      t_pending_answer = UnparsableRequestAnswer(builder());
    } catch (...) {
      t_pending_answer.clear();
    }
  }
};

class AnsweringSocket : public asio::ip::tcp::socket {
 public:
  using asio::ip::tcp::socket::basic_stream_socket;

  void shutdown(shutdown_type what, asio::error_code& error) {
    if (!t_pending_answer.empty()) {
      const std::string answer = std::exchange(t_pending_answer, std::string());
      asio::error_code ignored;
      asio::write(static_cast<asio::ip::tcp::socket&>(*this), asio::buffer(answer), ignored);
    }
    asio::ip::tcp::socket::shutdown(what, error);
  }
};

struct ServerTraits : restinio::traits_t<restinio::asio_timer_manager_t, ParserErrorLogger,
                                         restinio::details::autodetect_request_handler_type,
                                         restinio::default_strand_t, AnsweringSocket> {
  static constexpr bool use_connection_count_limiter = true;
};
using HttpServer = restinio::http_server_t<ServerTraits>;

// Request heads past these limits are answered 414 or 431 (in JSON) and the connection closed.
constexpr size_t kMaxUrlBytes = 8 * 1024;
constexpr size_t kMaxFieldNameBytes = 256;
constexpr size_t kMaxFieldValueBytes = 8 * 1024;
constexpr size_t kMaxFieldCount = 100;
// RESTinio drops the connection without an answer past its own limits, so those are set this many
// times higher: a head between the two limits still gets its JSON answer (up to the HTTP parser's
// own limit of 80 KiB for a whole head).
constexpr size_t kHardLimitFactor = 16;
// Requests a client may send ahead on one connection before the server stops reading from it;
// their answers go out in the order of the requests.
constexpr size_t kMaxPipelinedRequests = 16;
constexpr size_t kMaxConnections = 4096;
constexpr auto kReadTimeout = 30s;  // also how long an idle keep-alive connection stays open
constexpr auto kWriteTimeout = 30s;
constexpr auto kHandleTimeout = 30s;  // a request not answered by then loses its connection
constexpr auto kShutdownGrace = 10s;
// Requests waiting for a worker, per worker, beyond which new ones are answered 503 at once.
constexpr int kQueuedPerWorker = 64;

std::string_view View(restinio::string_view_t text) { return std::string_view(text.data(), text.size()); }

// A 414 or 431 for a request head past our limits; nothing when it is within them.
std::optional<Response> CheckHead(const restinio::http_request_header_t& header) {
  if (header.request_target().size() > kMaxUrlBytes) {
    return Response::Of(ErrorBody("uri_too_long", fmt::format("the URL is over {} bytes", kMaxUrlBytes), "url"), 414);
  }
  if (header.fields_count() > kMaxFieldCount) {
    return Response::Of(
        ErrorBody("header_fields_too_large", fmt::format("more than {} header fields", kMaxFieldCount), "headers"),
        431);
  }
  for (const auto& field : header) {
    if (field.name().size() > kMaxFieldNameBytes || field.value().size() > kMaxFieldValueBytes) {
      return Response::Of(ErrorBody("header_fields_too_large",
                                    fmt::format("a header field is over {} bytes", kMaxFieldValueBytes), "headers"),
                          431);
    }
  }
  return std::nullopt;
}

class Server {
 public:
  Server(const ServerSettings& settings, app::Services& services)
      : settings_(settings),
        dispatcher_(services, settings),
        workers_(static_cast<size_t>(std::max(1, settings.worker_threads))),
        max_queued_(std::max(1, settings.worker_threads) * kQueuedPerWorker) {}

  Status Run(const std::function<void(uint16_t)>& on_listening);

 private:
  restinio::server_settings_t<ServerTraits> MakeSettings();
  restinio::request_handling_status_t OnRequest(const restinio::request_handle_t& request);
  void Work(const restinio::request_handle_t& request, const RouteMatch& match,
            std::chrono::steady_clock::time_point start);
  void Send(const restinio::request_handle_t& request, Response response, std::string_view route,
            std::chrono::steady_clock::time_point start,
            restinio::response_connection_attr_t connection = restinio::response_connection_attr_t::connection_keepalive);
  // Answers a GET or HEAD outside /api from the web UI's files, on the I/O thread.
  void SendStatic(const restinio::request_handle_t& request);
  // A 500 after an exception; if even that fails, the request is counted as finished.
  void SendInternalError(const restinio::request_handle_t& request, std::string_view route,
                         std::chrono::steady_clock::time_point start);
  void BeginShutdown();
  void FinishedOne();

  // Declared first so they outlive everything that may still report a finished write.
  std::atomic<int64_t> in_flight_{0};
  std::atomic<int> queued_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> io_running_{false};
  std::atomic<uint16_t> bound_port_{0};

  const ServerSettings& settings_;
  Dispatcher dispatcher_;
  asio::io_context io_context_;
  asio::thread_pool workers_;
  const int max_queued_;
  std::unique_ptr<asio::steady_timer> grace_timer_;
  std::unique_ptr<HttpServer> server_;
  std::optional<StaticFiles> static_files_;  // the web UI, when settings_.web_root is set
};

restinio::server_settings_t<ServerTraits> Server::MakeSettings() {
  // RESTinio drops the connection of a request whose body passes its limit, without an answer.
  // It is set well above ours, so that a moderately oversized body still gets a 413 in JSON. It
  // applies before routing, so it is set from the largest limit of any route (file uploads).
  const uint64_t largest = dispatcher_.LargestBodyLimit();
  const uint64_t hard_body_limit = std::max<uint64_t>(
      {uint64_t{settings_.max_body_bytes} * 8, uint64_t{settings_.max_body_bytes} + (1 << 20), largest + (1 << 20)});
  restinio::server_settings_t<ServerTraits> settings;
  settings.address(settings_.host)
      .port(settings_.port)
      .request_handler([this](restinio::request_handle_t request) { return OnRequest(request); })
      .incoming_http_msg_limits(restinio::incoming_http_msg_limits_t{}
                                    .max_url_size(kMaxUrlBytes * kHardLimitFactor)
                                    .max_field_name_size(kMaxFieldNameBytes * kHardLimitFactor)
                                    .max_field_value_size(kMaxFieldValueBytes * kHardLimitFactor)
                                    .max_field_count(kMaxFieldCount * kHardLimitFactor)
                                    .max_body_size(hard_body_limit))
      // More than one, so that an answer given at once (on the I/O thread) never lets the connection
      // read past a request still in a worker: RESTinio keeps the answers in request order.
      .max_pipelined_requests(kMaxPipelinedRequests)
      .read_next_http_message_timelimit(kReadTimeout)
      .write_http_response_timelimit(kWriteTimeout)
      .handle_request_timeout(kHandleTimeout)
      .max_parallel_connections(kMaxConnections)
      .concurrent_accepts_count(static_cast<size_t>(std::max(1, settings_.io_threads)))
      .acceptor_post_bind_hook(
          [this](asio::ip::tcp::acceptor& acceptor) { bound_port_ = acceptor.local_endpoint().port(); });
  return settings;
}

restinio::request_handling_status_t Server::OnRequest(const restinio::request_handle_t& request) {
  const auto start = std::chrono::steady_clock::now();
  ++in_flight_;
  try {
    const auto& header = request->header();
    if (std::optional<Response> refusal = CheckHead(header)) {
      Send(request, *std::move(refusal), "(head)", start, restinio::response_connection_attr_t::connection_close);
      return restinio::request_accepted();
    }
    if (static_files_ && StaticFiles::Handles(header.method().c_str(), View(header.path()))) {
      SendStatic(request);
      return restinio::request_accepted();
    }
    RouteMatch match = dispatcher_.Match(header.method().c_str(), View(header.path()));
    if (std::optional<Response> early = dispatcher_.Precheck(match, request->body().size())) {
      const std::string_view route = match.route != nullptr ? std::string_view(match.route->info.pattern) : "(no route)";
      Send(request, *std::move(early), route, start);
      return restinio::request_accepted();
    }
    if (!match.route->info.blocking) {
      Work(request, match, start);
      return restinio::request_accepted();
    }
    if (stopping_ || queued_ >= max_queued_) {
      Send(request, Response::Error(Unavailable("the server is busy; try again")), match.route->info.pattern, start);
      return restinio::request_accepted();
    }
    ++queued_;
    asio::post(workers_, [this, request, match = std::move(match), start] {
      --queued_;
      Work(request, match, start);
    });
  } catch (const std::exception& error) {
    spdlog::error("accepting a request threw {}", typeid(error).name());
    SendInternalError(request, "(accept)", start);
  }
  return restinio::request_accepted();
}

void Server::Work(const restinio::request_handle_t& request, const RouteMatch& match,
                  std::chrono::steady_clock::time_point start) {
  const std::string& pattern = match.route->info.pattern;
  try {
    if (stopping_) {
      Send(request, Response::Error(Unavailable("the server is shutting down")), pattern, start);
      return;
    }
    const auto& header = request->header();
    IncomingRequest incoming;
    incoming.method = header.method().c_str();
    incoming.path = View(header.path());
    incoming.query = View(header.query());
    incoming.body = request->body();
    const std::string content_type = header.get_field_or(restinio::http_field::content_type, "");
    incoming.content_type = content_type;
    incoming.ip = ClientAddress(request->remote_endpoint().address().to_string(),
                                header.get_field_or("X-Forwarded-For", ""), settings_.trusted_proxies);
    incoming.credentials.authorization = header.get_field_or(restinio::http_field::authorization, "");
    incoming.credentials.cookie = header.get_field_or(restinio::http_field::cookie, "");
    incoming.credentials.csrf_token = header.get_field_or(kCsrfHeader, "");
    const std::string idempotency_key = header.get_field_or("Idempotency-Key", "");
    incoming.idempotency_key = idempotency_key;
    Send(request, dispatcher_.Handle(incoming, match), pattern, start);
  } catch (const std::exception& error) {
    spdlog::error("{} {} threw {} while answering", request->header().method().c_str(), pattern, typeid(error).name());
    SendInternalError(request, pattern, start);
  }
}

void Server::SendInternalError(const restinio::request_handle_t& request, std::string_view route,
                               std::chrono::steady_clock::time_point start) {
  try {
    Send(request, Response::Error(Internal("internal error")), route, start);
  } catch (const std::exception&) {
    // Nothing more can be said on this connection; RESTinio closes it at the handle timeout.
    FinishedOne();
  }
}

void Server::Send(const restinio::request_handle_t& request, Response response, std::string_view route,
                  std::chrono::steady_clock::time_point start, restinio::response_connection_attr_t connection) {
  const auto status = static_cast<uint16_t>(response.status);
  auto builder = request->create_response(
      restinio::http_status_line_t{restinio::http_status_code_t{status}, ReasonPhrase(response.status)});
  if (connection == restinio::response_connection_attr_t::connection_close) builder.connection_close();
  builder.append_header("Cache-Control", "no-store");
  builder.append_header("X-Content-Type-Options", "nosniff");
  for (const auto& [name, value] : response.headers) builder.append_header(name, value);
  if (response.raw_body) {
    builder.append_header(restinio::http_field::content_type, response.content_type);
    builder.set_body(std::move(*response.raw_body));
  } else if (response.body) {
    builder.append_header(restinio::http_field::content_type, "application/json; charset=utf-8");
    builder.set_body(response.body->dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
  }
  // Called once the response is written or the write is abandoned (connection closed).
  builder.done([this](const asio::error_code&) { FinishedOne(); });

  const auto millis = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  const char* method = request->header().method().c_str();
  if (status >= 500) {
    spdlog::warn("{} {} {} {:.1f}ms", method, route, status, millis);
  } else {
    spdlog::debug("{} {} {} {:.1f}ms", method, route, status, millis);
  }
}

void Server::SendStatic(const restinio::request_handle_t& request) {
  const StaticResponse answer = static_files_->Serve(View(request->header().path()));
  auto builder = request->create_response(restinio::http_status_line_t{
      restinio::http_status_code_t{static_cast<uint16_t>(answer.status)}, answer.status == 200 ? "OK" : "Not Found"});
  for (const auto& [name, value] : answer.headers) builder.append_header(name, value);
  if (answer.body != nullptr) {
    // HEAD gets the headers only. The files live as long as the server, which outlives every write.
    if (request->header().method() != restinio::http_method_head()) {
      builder.set_body(restinio::const_buffer(answer.body->data(), answer.body->size()));
    }
  }
  builder.done([this](const asio::error_code&) { FinishedOne(); });
}

void Server::FinishedOne() {
  if (--in_flight_ == 0 && stopping_ && io_running_) io_context_.stop();
}

void Server::BeginShutdown() {
  if (stopping_.exchange(true)) return;
  spdlog::info("stopping: finishing {} requests", in_flight_.load());
  server_->close_async([] {}, [](std::exception_ptr) {});
  if (in_flight_ == 0) {
    io_context_.stop();
    return;
  }
  grace_timer_ = std::make_unique<asio::steady_timer>(io_context_, kShutdownGrace);
  grace_timer_->async_wait([this](const asio::error_code& error) {
    if (error) return;
    spdlog::warn("stopping with {} requests unanswered after the grace period", in_flight_.load());
    io_context_.stop();
  });
}

Status Server::Run(const std::function<void(uint16_t)>& on_listening) {
  if (!settings_.web_root.empty()) {
    Result<StaticFiles> files = StaticFiles::Load(settings_.web_root);
    if (!files.ok()) return files.status();
    static_files_ = std::move(files).value();
    spdlog::info("serving the web UI: {} files", static_files_->file_count());
  }
  try {
    server_ = std::make_unique<HttpServer>(restinio::external_io_context(io_context_), MakeSettings());
  } catch (const std::exception& error) {
    return InvalidArgument(fmt::format("bad server settings: {}", error.what()));
  }
  asio::signal_set signals(io_context_, SIGINT, SIGTERM);
  signals.async_wait([this](const asio::error_code& error, int) {
    if (!error) BeginShutdown();
  });

  Status status;
  asio::post(io_context_, [&] {
    try {
      server_->open_sync();
    } catch (const std::exception& error) {
      status = Unavailable(fmt::format("cannot listen on {}:{}: {}", settings_.host, settings_.port, error.what()));
      signals.cancel();
      io_context_.stop();
      return;
    }
    spdlog::info("listening on {}:{} ({} I/O threads, {} workers)", settings_.host, bound_port_.load(),
                 settings_.io_threads, settings_.worker_threads);
    if (on_listening) on_listening(bound_port_);
  });

  io_running_ = true;
  std::vector<std::thread> threads;
  for (int i = 1; i < settings_.io_threads; ++i) threads.emplace_back([this] { io_context_.run(); });
  io_context_.run();
  for (std::thread& thread : threads) thread.join();
  io_running_ = false;

  // Requests still queued answer "shutting down" into the void; running ones finish their work,
  // so that nothing touches the services after we return.
  stopping_ = true;
  workers_.join();
  return status;
}

}  // namespace

Status RunServer(const ServerSettings& settings, app::Services& services,
                 const std::function<void(uint16_t port)>& on_listening) {
  Server server(settings, services);
  return server.Run(on_listening);
}

}  // namespace crm::http
