// The HTTP/1.1 side of cccd-server, on Boost.Beast and Asio (docs/ARCHITECTURE.md, "cccd-server"): keep-
// alive connections, a bounded number of them, a timeout for every wait (a whole request, an idle
// connection, a response), a body limit answered with 413. The server's threads (config: workers) all run
// one io_context. Requests read in the same turn of the event loop, from any connections, are handed to
// the handler together (a batch) on the thread that drains them, with no hand-off between pools; each
// answer goes back to its connection's strand (docs/ARCHITECTURE.md, "cccd-server", says why).
#pragma once

#include "metrics.hpp"
#include "request_body.hpp"
#include "tls_credentials.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/http.hpp>

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace cccd::server {

using Request = boost::beast::http::request<RequestBody>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

// What a handler gives back: the response, the route name for metrics ("/v1/verifications", "other"),
// and the fields it adds to the request's log line (no personal data).
struct Answer {
  Response response;
  std::string route;
  nlohmann::json log = nlohmann::json::object();
};

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // One request. May block on the database; an exception becomes a 500.
  virtual Answer handle(Request& request) = 0;
  // The requests of one batch, from different connections, in the order they were read: their answers in
  // the same order. Runs on one worker, outside the connections' strands; may block on the database. This
  // one calls handle() for each (an exception becomes that request's 500); a handler overrides it to share
  // work between the requests of a batch.
  virtual std::vector<Answer> handle_batch(std::span<Request* const> requests);
};

// A request read and waiting for its batch, and how its answer gets back to its connection.
struct WaitingRequest {
  Request request;
  std::function<void(Request&& request, Answer&& answer)> deliver;
};

struct HttpSettings {
  std::size_t max_connections = 512;
  std::size_t max_body_bytes = std::size_t{4} << 20;
  std::chrono::milliseconds read_timeout{10000};
  std::chrono::milliseconds idle_timeout{30000};
  std::chrono::milliseconds write_timeout{10000};
};

// A JSON answer (Content-Type application/json, Cache-Control no-store: answers may carry personal data).
Response json_response(unsigned status, const nlohmann::json& body);
// A JSON error document: {"error": {"code": CODE, "message": MESSAGE}}.
Response error_response(unsigned status, const std::string& code, const std::string& message);
// The 500 of a request whose handler failed (an exception): it says nothing of the cause.
Answer internal_error();

// A connection, as the server's drain sees it (the connections are plain TCP or TLS: http.cpp).
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void close_if_idle() = 0;
};

// What the connections share with the server. Held by each connection too, so that a connection still
// queued in the io_context when the program ends finds it alive.
struct ServerShared {
  ServerShared(RequestHandler& request_handler, Metrics& server_metrics, HttpSettings http_settings)
      : handler(request_handler), metrics(server_metrics), settings(http_settings) {}
  RequestHandler& handler;
  Metrics& metrics;
  const HttpSettings settings;
  std::atomic<std::size_t> open{0};
  std::atomic<bool> draining{false};
  std::mutex sessions_mutex;
  std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions;
  TlsCredentials* tls = nullptr;          // TLS on every connection when set
  boost::asio::io_context* io = nullptr;  // where batches are posted
  // The requests read and not yet judged, and the drains posted for them (http.cpp, "Batches").
  std::mutex waiting_mutex;
  std::vector<WaitingRequest> waiting;
  std::size_t drains_posted = 0;
  // Connections whose request has begun to arrive and is not queued yet (http.cpp, "Batches").
  std::atomic<std::size_t> reading{0};
};

// Each connection's handlers run on a strand of their own, named by its concrete type: behind Asio's
// type-erased executor (any_io_executor), every asynchronous operation's work tracking allocated a copy of
// the strand, about 30 heap allocations a request.
using ConnectionExecutor = boost::asio::strand<boost::asio::io_context::executor_type>;
using ConnectionSocket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, ConnectionExecutor>;

class HttpServer {
 public:
  // `tls`: the server's certificate and key; every connection then starts with a TLS handshake.
  HttpServer(boost::asio::io_context& io, RequestHandler& handler, Metrics& metrics, HttpSettings settings,
             TlsCredentials* tls = nullptr);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting; returns the port (useful with port 0).
  std::uint16_t listen(const std::string& address, std::uint16_t port);
  // SIGTERM: stop accepting, close idle keep-alive connections now and busy ones after their response.
  void drain();
  std::size_t open_connections() const noexcept { return shared_->open.load(); }

 private:
  void accept();
  void refuse(ConnectionSocket socket);

  boost::asio::io_context& io_;
  std::shared_ptr<ServerShared> shared_;
  boost::asio::ip::tcp::acceptor acceptor_;
};

}  // namespace cccd::server
