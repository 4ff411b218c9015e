#include "http.hpp"

#include "log.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <optional>

namespace cccd::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

Response json_response(unsigned status, const nlohmann::json& body) {
  Response response{static_cast<http::status>(status), 11};
  response.set(http::field::content_type, "application/json");
  response.set(http::field::cache_control, "no-store");
  response.body() = body.dump() + '\n';
  return response;
}

Response error_response(unsigned status, const std::string& code, const std::string& message) {
  return json_response(status, {{"error", {{"code", code}, {"message", message}}}});
}

Answer internal_error() {
  Answer failed;
  failed.response = error_response(500, "internal", "the server failed on this request");
  failed.route = "other";
  return failed;
}

namespace {

// Headers beyond this are refused (431): the API needs a handful of short ones.
constexpr std::uint32_t kHeaderLimit = 16 * 1024;
// After a refused body (413) the rest the client still sends is read and dropped, for at most this long
// and this much, so that it sees the answer instead of a reset connection.
constexpr std::chrono::seconds kLingerTime{2};
constexpr std::size_t kLingerBytes = std::size_t{16} << 20;
// What a connection's read buffer may keep between requests.
constexpr std::size_t kIdleBufferBytes = 16 * 1024;
// The first read of a request over plain TCP, made once the socket is readable: room for a typical
// upload (tens of kilobytes) with its header, which then comes in one read.
constexpr std::size_t kFirstReadBytes = 64 * 1024;
// The most requests one worker judges in one batch: enough for the batch's verifications to run back to
// back and share one commit, few enough that with several workers a long queue is split between them.
constexpr std::size_t kMaxBatch = 8;
// How many turns of the event loop a drain may wait for requests still being read (below).
constexpr int kDrainWaits = 4;

// Batches. A request read is queued, and a drain is posted to the io_context for every kMaxBatch waiting.
// Asio runs the completions of the reads already done before a drain posted after them, so a drain finds
// every request read in the same turn of the event loop: under load the requests of many connections,
// judged back to back while the library's code and data are still in the caches, their audit rows in one
// commit (service.cpp); at low load a batch of one, judged as soon as it is read.
// A request takes a few turns to read (readiness, header, body), so requests that became readable a turn
// or two after the first would miss its drain and make batches of two or three under full load. A drain
// that finds fewer than kMaxBatch waiting while other requests are being read (ServerShared::reading)
// therefore posts itself again, at most kDrainWaits times: batches under load then fill up (an average of
// 3 became 8 in server_bench), and a lone request, or one beside a client that trickles its request, waits
// a few turns at most (microseconds), never for the slow client.
void drain(const std::shared_ptr<ServerShared>& shared, int waits_left);

void enqueue(const std::shared_ptr<ServerShared>& shared, WaitingRequest waiting) {
  bool post = false;
  {
    const std::lock_guard lock(shared->waiting_mutex);
    shared->waiting.push_back(std::move(waiting));
    // Every waiting request is covered by a posted drain (each takes up to kMaxBatch).
    if (shared->waiting.size() > shared->drains_posted * kMaxBatch) {
      ++shared->drains_posted;
      post = true;
    }
  }
  if (post) net::post(*shared->io, [shared] { drain(shared, kDrainWaits); });
}

void drain(const std::shared_ptr<ServerShared>& shared, int waits_left) {
  std::vector<WaitingRequest> batch;
  {
    const std::lock_guard lock(shared->waiting_mutex);
    if (waits_left > 0 && shared->waiting.size() < kMaxBatch && shared->reading.load() > 0) {
      net::post(*shared->io, [shared, waits_left] { drain(shared, waits_left - 1); });
      return;
    }
    --shared->drains_posted;
    const std::size_t count = std::min(kMaxBatch, shared->waiting.size());
    const auto end = shared->waiting.begin() + static_cast<std::ptrdiff_t>(count);
    batch.assign(std::make_move_iterator(shared->waiting.begin()), std::make_move_iterator(end));
    shared->waiting.erase(shared->waiting.begin(), end);
  }
  if (batch.empty()) return;
  std::vector<Request*> requests;
  requests.reserve(batch.size());
  for (WaitingRequest& waiting : batch) requests.push_back(&waiting.request);
  std::vector<Answer> answers;
  try {
    answers = shared->handler.handle_batch(requests);
  } catch (const std::exception&) {
    answers.clear();
  }
  // The answers' log lines in one write. With one worker each connection's strand is free here, so its
  // answer is sent, and logged, within this loop; an answer that waits for its strand is logged on its own.
  const LogBatch log_batch;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    Answer answer = i < answers.size() ? std::move(answers[i]) : internal_error();
    batch[i].deliver(std::move(batch[i].request), std::move(answer));
  }
}

}  // namespace

std::vector<Answer> RequestHandler::handle_batch(std::span<Request* const> requests) {
  std::vector<Answer> answers;
  answers.reserve(requests.size());
  for (Request* request : requests) {
    try {
      answers.push_back(handle(*request));
    } catch (const std::exception&) {
      answers.push_back(internal_error());
    }
  }
  return answers;
}

using PlainStream = beast::basic_stream<tcp, ConnectionExecutor>;
using TlsStream = beast::ssl_stream<PlainStream>;
using ConnectionTimer =
    net::basic_waitable_timer<std::chrono::steady_clock, net::wait_traits<std::chrono::steady_clock>,
                              ConnectionExecutor>;

// The stream over an accepted socket, returned as a prvalue (neither stream type needs to move); `tls` is
// the context a TLS connection keeps.
template <class Stream>
Stream make_stream(ConnectionSocket socket, net::ssl::context* tls) {
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    return Stream(std::move(socket), *tls);
  } else {
    return Stream(std::move(socket));
  }
}

// One client connection: read a request (header, then body), judge it, write the answer, and again while
// the client keeps the connection alive. Every wait has a deadline on the stream's timer,
// so a slow or silent client costs a socket until its timeout and never a thread. `Stream` is plain TCP or
// TLS over it; everything but the handshake and the close is the same.
template <class Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;
  using std::enable_shared_from_this<Session<Stream>>::shared_from_this;
  using std::enable_shared_from_this<Session<Stream>>::weak_from_this;

 public:
  Session(ConnectionSocket socket, std::shared_ptr<ServerShared> shared)
      : tls_context_(kTls ? shared->tls->current() : nullptr),
        stream_(make_stream<Stream>(std::move(socket), tls_context_.get())),
        shared_(std::move(shared)),
        request_timer_(stream_.get_executor()) {
    beast::error_code ec;
    const tcp::endpoint peer = lowest().socket().remote_endpoint(ec);
    if (!ec) remote_ = peer.address().to_string();
    ++shared_->open;
    shared_->metrics.connection_opened();
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session() override {
    end_reading();
    {
      const std::lock_guard lock(shared_->sessions_mutex);
      shared_->sessions.erase(this);
    }
    --shared_->open;
    shared_->metrics.connection_closed();
  }

  void start() {
    {
      const std::lock_guard lock(shared_->sessions_mutex);
      shared_->sessions.emplace(this, weak_from_this());
    }
    if constexpr (kTls) {
      // The handshake counts as reading the first request: the same deadline.
      lowest().expires_after(shared_->settings.read_timeout);
      stream_.async_handshake(net::ssl::stream_base::server,
                              [self = shared_from_this()](beast::error_code ec) {
                                if (ec) return self->close_socket();  // not TLS, or a bad handshake
                                self->wait_for_request();
                              });
    } else {
      wait_for_request();
    }
  }

  // Drain: a connection waiting between requests closes now; one busy with a request closes after it.
  void close_if_idle() override {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if (self->idle_) self->lowest().socket().close();
    });
  }

 private:
  PlainStream& lowest() { return beast::get_lowest_layer(stream_); }

  void wait_for_request() {
    if (buffer_.size() > 0) return read_header();  // a pipelined request is already here
    if (shared_->draining) return close();
    // An idle connection keeps no upload-sized buffers: memory then follows the requests in flight, not
    // the connections open (up to max_connections), at the cost of a reallocation per upload.
    response_ = {};
    if (buffer_.capacity() > kIdleBufferBytes) buffer_.shrink_to_fit();
    idle_ = true;
    if constexpr (kTls) {
      // The next request's records may already wait in the TLS layer's own buffer, where the socket's
      // readiness does not show them: read through the stream.
      lowest().expires_after(shared_->settings.idle_timeout);
      read_first_bytes(4096);
    } else {
      // Wait until the client sends, then read what came in one call: a read started on an idle socket
      // would first find nothing (one system call per request for nothing), and an upload read into a
      // small buffer comes in several reads.
      request_timer_.expires_after(shared_->settings.idle_timeout);
      request_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
        if (ec) return;  // cancelled: the client sent a request
        beast::error_code ignored;
        self->lowest().socket().cancel(ignored);
      });
      lowest().socket().async_wait(tcp::socket::wait_read, [self = shared_from_this()](beast::error_code ec) {
        self->request_timer_.cancel();
        if (ec) {
          self->idle_ = false;
          return self->close();  // idle timeout, client gone, drain
        }
        self->begin_reading();
        self->lowest().expires_after(self->shared_->settings.read_timeout);
        self->read_first_bytes(kFirstReadBytes);
      });
    }
  }

  void read_first_bytes(std::size_t size) {
    stream_.async_read_some(buffer_.prepare(size),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->idle_ = false;
                              if (ec) return self->close();  // idle timeout, client closed, drain
                              self->buffer_.commit(n);
                              self->read_header();
                            });
  }

  // Counted in ServerShared::reading from the moment the request's first bytes are there until it is
  // queued or refused (or the connection ends): a drain waits a little for it (see "Batches").
  void begin_reading() {
    if (!reading_) ++shared_->reading;
    reading_ = true;
  }
  void end_reading() {
    if (reading_) --shared_->reading;
    reading_ = false;
  }

  void read_header() {
    begin_reading();
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(shared_->settings.max_body_bytes);
    // One deadline for the whole request, header and body: a client trickling bytes cannot extend it.
    // Its own timer rather than the stream's, which would close the socket: the client is told (408).
    lowest().expires_never();
    request_timed_out_ = false;
    request_timer_.expires_after(shared_->settings.read_timeout);
    request_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;  // cancelled: the request arrived in time
      self->request_timed_out_ = true;
      beast::error_code ignored;
      self->lowest().socket().cancel(ignored);
    });
    started_ = std::chrono::steady_clock::now();
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->refuse_request(ec);
                              self->on_header();
                            });
  }

  void on_header() {
    // Room for the whole body: an upload of tens of kilobytes then comes in one or two reads instead of
    // one per few kilobytes the buffer had grown to. (A Content-Length over the limit was refused with
    // the header, so this is bounded by max_body_bytes.)
    if (const auto length = parser_->content_length()) {
      buffer_.reserve(buffer_.size() + static_cast<std::size_t>(*length));
    }
    const auto expect = parser_->get()[http::field::expect];
    if (beast::iequals(expect, "100-continue")) {
      // The client waits for this before sending a body; a body over the limit was refused already
      // (Beast checks Content-Length against the limit with the header).
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         if (ec) return self->close();
                         self->read_body();
                       });
      return;
    }
    read_body();
  }

  void read_body() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       self->request_timer_.cancel();
                       if (ec) return self->refuse_request(ec);
                       self->dispatch_request();
                     });
  }

  // The request could not be read: answer what went wrong when the client can still hear it, then close.
  void refuse_request(beast::error_code ec) {
    end_reading();
    request_timer_.cancel();
    if (request_timed_out_) {
      return respond(error_response(408, "request_timeout", "the request did not arrive in time"),
                     "(refused)", {}, true, false);
    }
    if (ec == http::error::end_of_stream || ec == net::error::eof || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset) {
      return close();
    }
    if (ec == http::error::body_limit) {
      return respond(error_response(413, "payload_too_large",
                                    "the body is larger than " +
                                        std::to_string(shared_->settings.max_body_bytes) + " bytes"),
                     "(refused)", {}, true, true);
    }
    if (ec == http::error::header_limit) {
      return respond(error_response(431, "header_too_large", "the request header is larger than 16 KiB"),
                     "(refused)", {}, true, false);
    }
    return respond(error_response(400, "bad_http", "the request is not valid HTTP/1.1: " + ec.message()),
                   "(refused)", {}, true, false);
  }

  void dispatch_request() {
    end_reading();
    // Queued for the next batch; the answer comes back on this connection's strand.
    enqueue(shared_, {parser_->release(), [self = shared_from_this()](Request&& request, Answer&& answer) {
                        net::dispatch(self->stream_.get_executor(), [self, request = std::move(request),
                                                                     answer = std::move(answer)]() mutable {
                          self->answered(request, std::move(answer));
                        });
                      }});
  }

  void answered(const Request& request, Answer answer) {
    method_ = std::string(request.method_string());
    respond(std::move(answer.response), answer.route, std::move(answer.log), !request.keep_alive(), false);
  }

  void respond(Response response, const std::string& route, nlohmann::json fields, bool close_after,
               bool linger) {
    const bool closing = close_after || shared_->draining;
    response.keep_alive(!closing);
    response.prepare_payload();
    response_ = std::move(response);
    const unsigned status = response_.result_int();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    shared_->metrics.request(route, status, seconds);

    fields["remote"] = remote_;
    if (!method_.empty()) fields["method"] = method_;
    fields["route"] = route;
    fields["status"] = status;
    fields["ms"] = std::round(seconds * 10000) / 10;
    log_line(std::move(fields));
    method_.clear();

    lowest().expires_after(shared_->settings.write_timeout);
    http::async_write(stream_, response_,
                      [self = shared_from_this(), closing, linger](beast::error_code ec, std::size_t) {
                        if (ec) return self->close();
                        if (linger) return self->linger_close();
                        if (closing) return self->close();
                        self->wait_for_request();
                      });
  }

  void linger_close() {
    if constexpr (kTls) return close();  // half-closing TCP under TLS would only break the TLS session
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    lowest().expires_after(kLingerTime);
    discard();
  }
  void discard() {
    stream_.async_read_some(net::buffer(scratch_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->discarded_ += n;
                              if (ec || self->discarded_ > kLingerBytes) return self->close();
                              self->discard();
                            });
  }

  void close() {
    end_reading();
    if constexpr (kTls) {
      // close_notify, then the socket; a peer that does not answer gets a second at most.
      lowest().expires_after(std::chrono::seconds(1));
      stream_.async_shutdown([self = shared_from_this()](beast::error_code) { self->close_socket(); });
    } else {
      close_socket();
    }
  }
  void close_socket() {
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    lowest().close();
  }

  // The certificate and key this connection started with, kept while it lives even when a reload
  // (SIGHUP) has swapped in new ones; empty over plain TCP. Declared before the stream, which uses it.
  std::shared_ptr<net::ssl::context> tls_context_;
  Stream stream_;
  std::shared_ptr<ServerShared> shared_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<RequestBody>> parser_;
  Response response_;
  std::string remote_;
  std::string method_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  ConnectionTimer request_timer_;
  bool request_timed_out_ = false;
  bool idle_ = false;
  bool reading_ = false;
  std::size_t discarded_ = 0;
  std::array<char, 16384> scratch_{};
};

HttpServer::HttpServer(net::io_context& io, RequestHandler& handler, Metrics& metrics, HttpSettings settings,
                       TlsCredentials* tls)
    : io_(io),
      shared_(std::make_shared<ServerShared>(handler, metrics, settings)),
      acceptor_(net::make_strand(io)) {
  shared_->tls = tls;
  shared_->io = &io;
}

std::uint16_t HttpServer::listen(const std::string& address, std::uint16_t port) {
  const tcp::endpoint endpoint(net::ip::make_address(address), port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(net::socket_base::max_listen_connections);
  const std::uint16_t bound = acceptor_.local_endpoint().port();
  accept();
  return bound;
}

void HttpServer::accept() {
  // Each connection gets its own strand: its handlers never run concurrently, whichever workers run them.
  acceptor_.async_accept(net::make_strand(io_), [this](beast::error_code ec, ConnectionSocket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;  // drain closed the acceptor
    if (ec) {
      // Out of file descriptors and the like: wait a little instead of spinning on the error.
      log_line({{"event", "accept_failed"}, {"error", ec.message()}});
      auto timer =
          std::make_shared<net::steady_timer>(acceptor_.get_executor(), std::chrono::milliseconds(100));
      timer->async_wait([this, timer](beast::error_code) { accept(); });
      return;
    }
    if (shared_->open.load() >= shared_->settings.max_connections) {
      refuse(std::move(socket));
    } else if (shared_->tls != nullptr) {
      std::make_shared<Session<TlsStream>>(std::move(socket), shared_)->start();
    } else {
      std::make_shared<Session<PlainStream>>(std::move(socket), shared_)->start();
    }
    accept();
  });
}

void HttpServer::refuse(ConnectionSocket socket) {
  // Over the limit: a short 503 written straight to the socket, then closed. It holds no slot and no
  // parser; a client that does not read it is dropped when the write fails or the kernel buffers it.
  shared_->metrics.connection_refused();
  if (shared_->tls != nullptr) {
    // A TLS client would take plain text for a broken handshake: it only sees the connection close.
    beast::error_code ignored;
    socket.close(ignored);
    return;
  }
  static const std::string kRefusal = [] {
    const std::string body =
        "{\"error\":{\"code\":\"too_many_connections\",\"message\":\"the connection limit is reached\"}}\n";
    return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
           "Connection: close\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }();
  auto held = std::make_shared<ConnectionSocket>(std::move(socket));
  net::async_write(*held, net::buffer(kRefusal), [held](beast::error_code, std::size_t) {
    beast::error_code ignored;
    held->shutdown(tcp::socket::shutdown_both, ignored);
    held->close(ignored);
  });
}

void HttpServer::drain() {
  shared_->draining = true;
  net::post(acceptor_.get_executor(), [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
  });
  std::vector<std::shared_ptr<SessionBase>> live;
  {
    const std::lock_guard lock(shared_->sessions_mutex);
    for (const auto& [raw, weak] : shared_->sessions) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
  }
  for (const auto& session : live) session->close_if_idle();
}

}  // namespace cccd::server
