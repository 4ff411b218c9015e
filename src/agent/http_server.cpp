#include "agent/http_server.hpp"

#include "agent/page_assets.hpp"
#include "cli/translate.hpp"

#include <cccd/error.hpp>
#include <cccd/reader.hpp>
#include <cccd/report.hpp>

#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <nlohmann/json.hpp>

#include <openssl/crypto.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace cccd::agent {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

constexpr std::string_view kReadsPrefix = "/v1/reads/";

// Every answer may carry personal data or steer a browser: none is cached, none is sniffed into
// another type, none sends a referrer on.
template <class Message>
void common_headers(Message& message) {
  message.set(http::field::server, "cccd-agent");
  message.set(http::field::cache_control, "no-store");
  message.set("X-Content-Type-Options", "nosniff");
  message.set("Referrer-Policy", "no-referrer");
}

Response json_response(http::status status, const std::string& body) {
  Response response{status, 11};
  common_headers(response);
  response.set(http::field::content_type, "application/json; charset=utf-8");
  response.body() = body;
  return response;
}

// {"error": {"code", "message", "message_vi"}}: the code for programs, the English message as the JSON of
// cccd-verify has it, the Vietnamese for the officer's page.
Response error_response(http::status status, const std::string& code, const std::string& message,
                        const std::string& message_vi = {}) {
  const nlohmann::json body = {
      {"error",
       {{"code", code},
        {"message", message},
        {"message_vi", message_vi.empty() ? cli::to_vietnamese(message) : message_vi}}}};
  return json_response(status, body.dump());
}

const PageAsset* asset_for(std::string_view path) {
  for (std::size_t i = 0; i < kPageAssetCount; ++i) {
    if (kPageAssets[i].path == path) return &kPageAssets[i];
  }
  return nullptr;
}

void wipe(std::string& text) {
  if (!text.empty()) OPENSSL_cleanse(text.data(), text.size());
  text.clear();
}

class Session : public std::enable_shared_from_this<Session>, public EventSink {
 public:
  Session(tcp::socket socket, Agent& agent) : stream_(std::move(socket)), agent_(agent) {
    ++agent_.open_connections;
  }
  ~Session() override { --agent_.open_connections; }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start() { read_request(); }

  // The read has new events: write those this stream has not written yet, one write at a time.
  void pump() override {
    if (writing_ || closed_ || !read_) return;
    const std::size_t end = read_->events.size();
    if (next_ == end) {
      if (read_->finished) finish_stream();  // everything written: the stream ends here
      return;
    }
    wipe(out_);
    for (std::size_t i = next_; i < end; ++i) out_ += read_->events[i];
    const bool carries_result = read_->finished && read_->result_event >= next_ && read_->result_event < end;
    writing_ = true;
    stream_.expires_after(agent_.http.write_timeout);
    asio::async_write(stream_, asio::buffer(out_),
                      [self = shared_from_this(), end, carries_result](beast::error_code ec, std::size_t) {
                        self->writing_ = false;
                        wipe(self->out_);
                        if (ec) {
                          self->finish_stream();
                          return;
                        }
                        self->stream_.expires_never();
                        self->next_ = end;
                        if (carries_result) self->agent_.reads->result_delivered(self->read_);
                        self->pump();
                      });
  }

 private:
  void read_request() {
    cors_origin_.reset();  // an answer before admit() (431, 400) is not the previous request's
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(agent_.http.max_header_bytes));
    parser_->body_limit(agent_.http.max_body_bytes);
    stream_.expires_after(agent_.http.request_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_request(ec); });
  }

  void on_request(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      // The header is there: a caller that may not call at all hears that first (403 for a foreign
      // origin, whatever its body). The unread body stays in the socket, so the connection closes.
      if (admit(parser_->get(), true)) {
        send(error_response(http::status::payload_too_large, "body_too_large",
                            "the request body is larger than the agent takes", "yêu cầu quá lớn"),
             false);
      }
      return;
    }
    if (ec == http::error::header_limit) {
      send(error_response(http::status::request_header_fields_too_large, "headers_too_large",
                          "the request headers are larger than the agent takes", "phần đầu yêu cầu quá lớn"),
           false);
      return;
    }
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted) {
      close();
      return;
    }
    if (ec) {
      if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
        send(error_response(http::status::bad_request, "bad_request", "the request is not valid HTTP"),
             false);
      } else {
        close();
      }
      return;
    }
    Request request = parser_->release();
    handle(request);
    wipe(request.body());  // a QR line: personal data
  }

  // Judges the request (access_policy.hpp) and answers a refusal itself; true when it may go on.
  // `closing`: the connection ends after the answer whatever the request asked.
  bool admit(const Request& request, bool closing) {
    std::optional<std::string_view> origin;
    if (const auto it = request.find(http::field::origin); it != request.end()) origin = it->value();
    RequestFacts facts;
    facts.host = request[http::field::host];
    facts.origin = origin;
    facts.authorization = request[http::field::authorization];
    facts.sec_fetch_site = request["Sec-Fetch-Site"];
    facts.public_page = request.method() == http::verb::get && asset_for(path_of(request)) != nullptr;
    cors_origin_.reset();
    if (origin && origin_allowed(agent_.access, *origin)) cors_origin_ = std::string(*origin);
    keep_alive_ = request.keep_alive() && !closing;

    switch (judge(agent_.access, facts)) {
      case Access::bad_host:
        send(error_response(http::status::forbidden, "host_refused",
                            "the Host header does not name this agent",
                            "tên máy (Host) không phải của dịch vụ này"),
             false);
        return false;
      case Access::bad_origin:
        send(error_response(http::status::forbidden, "origin_refused",
                            "this origin is not on the agent's allow-list",
                            "trang web này không có trong danh sách được phép"),
             false);
        return false;
      case Access::needs_token: {
        Response response = error_response(http::status::unauthorized, "token_required",
                                           "a bearer token (or an allowed browser origin) is required",
                                           "cần mã truy cập (token) hoặc một trang web được phép");
        response.set(http::field::www_authenticate, "Bearer realm=\"cccd-agent\"");
        send(std::move(response), keep_alive_);
        return false;
      }
      case Access::allowed:
        break;
    }
    return true;
  }

  static std::string_view path_of(const Request& request) {
    const std::string_view target = request.target();
    return target.substr(0, target.find('?'));
  }

  void handle(Request& request) {
    if (!admit(request, false)) return;
    const std::string_view path = path_of(request);
    const PageAsset* asset = request.method() == http::verb::get ? asset_for(path) : nullptr;

    if (request.method() == http::verb::options) {
      preflight(request);
      return;
    }
    if (asset != nullptr) {
      Response response{http::status::ok, 11};
      common_headers(response);
      response.set(http::field::content_type, asset->content_type);
      // The page runs only its own script and style, talks only to the agent, and cannot be framed: card
      // text rendered by mistake as markup could not load or send anything elsewhere.
      response.set("Content-Security-Policy",
                   "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "
                   "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
      response.set("X-Frame-Options", "DENY");
      response.body().assign(reinterpret_cast<const char*>(asset->data), asset->size);
      send(std::move(response), keep_alive_);
      return;
    }
    if (path == "/v1/readers") {
      if (request.method() != http::verb::get) return method_not_allowed();
      return readers();
    }
    if (path == "/v1/reads") {
      if (request.method() != http::verb::post) return method_not_allowed();
      return start_read(request);
    }
    if (path.starts_with(kReadsPrefix)) return read_route(request, path.substr(kReadsPrefix.size()));
    send(error_response(http::status::not_found, "not_found", "no such resource", "không có tài nguyên này"),
         keep_alive_);
  }

  void preflight(const Request& request) {
    Response response{http::status::no_content, 11};
    common_headers(response);
    response.set(http::field::access_control_allow_methods, "GET, POST, DELETE");
    response.set(http::field::access_control_allow_headers, "Content-Type, Authorization");
    response.set(http::field::access_control_max_age, "600");
    // Chrome's Private Network Access: a web app served from another network asks before it may call a
    // service on loopback; an allowed origin may.
    if (request["Access-Control-Request-Private-Network"] == "true") {
      response.set("Access-Control-Allow-Private-Network", "true");
    }
    send(std::move(response), keep_alive_);
  }

  void method_not_allowed() {
    send(error_response(http::status::method_not_allowed, "method_not_allowed", "method not allowed here",
                        "phương thức không được phép"),
         keep_alive_);
  }

  void readers() {
    nlohmann::json names = nlohmann::json::array();
    try {
      for (const std::string& name : list_pcsc_readers()) names.push_back({{"name", name}});
    } catch (const Error& e) {
      // No PC/SC service or no reader: an empty list, and why.
      send(json_response(http::status::ok, nlohmann::json{{"readers", names},
                                                          {"error",
                                                           {{"code", error_code_name(e.code())},
                                                            {"message", e.what()},
                                                            {"message_vi", cli::to_vietnamese(e.what())}}}}
                                               .dump()),
           keep_alive_);
      return;
    }
    send(json_response(http::status::ok, nlohmann::json{{"readers", names}}.dump()), keep_alive_);
  }

  void start_read(Request& request) {
    if (!request[http::field::content_type].starts_with("application/json")) {
      send(error_response(http::status::unsupported_media_type, "unsupported_media_type",
                          "the body must be application/json", "nội dung phải là application/json"),
           keep_alive_);
      return;
    }
    std::string id_or_qr;
    std::string reader;
    try {
      nlohmann::json body = nlohmann::json::parse(request.body());
      if (!body.is_object() || !body.contains("id_or_qr") || !body["id_or_qr"].is_string()) {
        throw Error(ErrorCode::invalid_argument, "the body needs \"id_or_qr\": the ID number or the QR line");
      }
      id_or_qr = body["id_or_qr"].get<std::string>();
      if (body.contains("reader")) {
        if (!body["reader"].is_string())
          throw Error(ErrorCode::invalid_argument, "\"reader\" must be a string");
        reader = body["reader"].get<std::string>();
      }
      wipe(body["id_or_qr"].get_ref<std::string&>());
    } catch (const nlohmann::json::exception&) {
      send(error_response(http::status::bad_request, "invalid_argument", "the body is not valid JSON",
                          "nội dung không phải JSON hợp lệ"),
           keep_alive_);
      return;
    } catch (const Error& e) {
      send(error_response(http::status::bad_request, error_code_name(e.code()), e.what()), keep_alive_);
      return;
    }
    std::optional<Credentials> credentials;
    try {
      credentials = Credentials::from_id_or_qr_line(id_or_qr);
    } catch (const Error& e) {
      wipe(id_or_qr);
      // The library's messages never quote the line (lds/qr_line.hpp).
      send(error_response(http::status::bad_request, error_code_name(e.code()), e.what()), keep_alive_);
      return;
    }
    wipe(id_or_qr);
    const std::shared_ptr<Read> read = agent_.reads->start(std::move(*credentials), reader);
    if (!read) {
      send(error_response(http::status::conflict, "busy", "a card is being read; cancel it or wait",
                          "đang đọc một thẻ khác: huỷ hoặc chờ"),
           keep_alive_);
      return;
    }
    const std::string base = std::string(kReadsPrefix) + read->id;
    send(json_response(
             http::status::created,
             nlohmann::json{
                 {"id", read->id}, {"events", base + "/events"}, {"face", base + "/face"}, {"result", base}}
                 .dump()),
         keep_alive_);
  }

  // /v1/reads/{id}, /v1/reads/{id}/events, /v1/reads/{id}/face
  void read_route(Request& request, std::string_view rest) {
    const std::size_t slash = rest.find('/');
    const std::string_view id = rest.substr(0, slash);
    const std::string_view part =
        slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    const std::shared_ptr<Read> read = agent_.reads->find(id);
    if (!read || (part != "" && part != "events" && part != "face")) {
      send(error_response(http::status::not_found, "unknown_read",
                          "no such read (finished reads are dropped once fetched)",
                          "không có lượt đọc này (kết quả bị xoá sau khi đã nhận)"),
           keep_alive_);
      return;
    }
    const http::verb method = request.method();
    if (part.empty() && method == http::verb::delete_) {
      agent_.reads->cancel_or_drop(read);
      send(json_response(http::status::ok, nlohmann::json{{"id", read->id}, {"cancelled", true}}.dump()),
           keep_alive_);
      return;
    }
    if (method != http::verb::get) return method_not_allowed();
    if (part == "events") return start_events(read);
    if (part == "face") return face(read);
    nlohmann::json body = {{"id", read->id}, {"state", read->state_name()}, {"finished", read->finished}};
    if (read->finished) {
      body["result"] = nlohmann::json::parse(read->result_json);
      body["explain"] = nlohmann::json::parse(read->explain_json);
    }
    Response response = json_response(http::status::ok, body.dump());
    body.clear();
    if (read->finished) agent_.reads->result_delivered(read);
    send(std::move(response), keep_alive_);
  }

  void face(const std::shared_ptr<Read>& read) {
    if (!read->finished) {
      send(error_response(http::status::conflict, "not_finished", "the read has not finished",
                          "chưa đọc xong"),
           keep_alive_);
      return;
    }
    if (!read->face_png) {
      send(error_response(http::status::not_found, "no_photo", "the card gave no photo",
                          "thẻ không có ảnh chân dung"),
           keep_alive_);
      return;
    }
    Response response{http::status::ok, 11};
    common_headers(response);
    response.set(http::field::content_type, "image/png");
    response.body().assign(reinterpret_cast<const char*>(read->face_png->data()), read->face_png->size());
    agent_.reads->face_delivered(read);
    send(std::move(response), keep_alive_);
  }

  // Server-Sent Events: the header now, then every event of the read as it comes; the stream ends (the
  // connection closes) after the result or error event.
  void start_events(const std::shared_ptr<Read>& read) {
    read_ = read;
    head_ = std::make_unique<http::response<http::empty_body>>(http::status::ok, 11);
    common_headers(*head_);
    head_->set(http::field::content_type, "text/event-stream; charset=utf-8");
    add_cors(*head_);
    head_->keep_alive(false);
    serializer_ = std::make_unique<http::response_serializer<http::empty_body>>(*head_);
    writing_ = true;
    stream_.expires_after(agent_.http.write_timeout);
    http::async_write_header(stream_, *serializer_,
                             [self = shared_from_this()](beast::error_code ec, std::size_t) {
                               self->writing_ = false;
                               if (ec) {
                                 self->finish_stream();
                                 return;
                               }
                               self->stream_.expires_never();
                               self->agent_.reads->subscribe(self->read_, self);
                               self->pump();
                             });
  }

  template <class Message>
  void add_cors(Message& message) {
    if (!cors_origin_) return;
    message.set(http::field::access_control_allow_origin, *cors_origin_);
    message.set(http::field::vary, "Origin");
  }

  void send(Response response, bool keep_alive) {
    add_cors(response);
    response.keep_alive(keep_alive);
    response.prepare_payload();
    auto shared = std::make_shared<Response>(std::move(response));
    stream_.expires_after(agent_.http.write_timeout);
    http::async_write(stream_, *shared,
                      [self = shared_from_this(), shared](beast::error_code ec, std::size_t) {
                        wipe(shared->body());
                        if (ec || !shared->keep_alive()) {
                          self->close();
                          return;
                        }
                        self->read_request();
                      });
  }

  void finish_stream() {
    if (closed_) return;
    if (read_) agent_.reads->unsubscribe(read_, this);
    read_.reset();
    close();
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  Agent& agent_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<std::string> cors_origin_;
  bool keep_alive_ = false;
  bool closed_ = false;
  // The event stream, when this connection is one.
  std::shared_ptr<Read> read_;
  std::unique_ptr<http::response<http::empty_body>> head_;
  std::unique_ptr<http::response_serializer<http::empty_body>> serializer_;
  std::size_t next_ = 0;
  bool writing_ = false;
  std::string out_;
};

}  // namespace

HttpServer::HttpServer(asio::io_context& io, Agent& agent) : io_(io), agent_(agent), acceptor_(io) {}

std::uint16_t HttpServer::listen(const std::string& address, std::uint16_t port) {
  const tcp::endpoint endpoint(asio::ip::make_address(address), port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  accept();
  return acceptor_.local_endpoint().port();
}

void HttpServer::close() {
  beast::error_code ignored;
  acceptor_.close(ignored);
}

void HttpServer::accept() {
  acceptor_.async_accept(io_, [this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      // Past the limit a connection is closed at once: a client opening sockets in a loop cannot take
      // the memory or the descriptors the officer's page needs.
      if (agent_.open_connections >= agent_.http.max_connections) {
        beast::error_code ignored;
        socket.close(ignored);
      } else {
        std::make_shared<Session>(std::move(socket), agent_)->start();
      }
    }
    accept();
  });
}

}  // namespace cccd::agent
