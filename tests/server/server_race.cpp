// server_race: N clients submit one request body at once, to one or several server nodes, and the status
// codes are counted: {"200": 1, "409": 999}. Every connection is opened first and only then does each send
// its request, so that the submissions really overlap rather than arriving one after the other.
// Usage: server_race BODY_FILE API_KEY N HOST:PORT [HOST:PORT ...]   (node i gets clients i, i+k, ...)
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <sys/resource.h>

#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

struct Race {
  net::io_context io;
  std::string body;
  std::string key;
  std::size_t total = 0;
  std::size_t settled = 0;  // connected or failed to
  std::map<std::string, std::size_t> outcomes;
  std::vector<std::function<void()>> ready;  // the sends, started together
};

class Client : public std::enable_shared_from_this<Client> {
 public:
  Client(Race& race, tcp::resolver::results_type endpoints, std::string host)
      : race_(race), stream_(race.io), endpoints_(std::move(endpoints)), host_(std::move(host)) {}

  void start() {
    stream_.expires_after(std::chrono::seconds(120));
    stream_.async_connect(endpoints_,
                          [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
                            if (ec) {
                              self->race_.outcomes["connect_failed"]++;
                            } else {
                              self->race_.ready.push_back([self] { self->send(); });
                            }
                            if (++self->race_.settled == self->race_.total) {
                              for (auto& send : self->race_.ready) send();
                            }
                          });
  }

 private:
  void send() {
    request_ = {http::verb::post, "/v1/verifications", 11};
    request_.set(http::field::host, host_);
    request_.set(http::field::content_type, "application/json");
    request_.set("X-API-Key", race_.key);
    request_.body() = race_.body;
    request_.prepare_payload();
    http::async_write(stream_, request_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->race_.outcomes["write_failed"]++;
        return;
      }
      http::async_read(self->stream_, self->buffer_, self->response_,
                       [self](beast::error_code read_ec, std::size_t) {
                         if (read_ec) {
                           self->race_.outcomes["read_failed"]++;
                         } else {
                           self->race_.outcomes[std::to_string(self->response_.result_int())]++;
                         }
                         beast::error_code ignored;
                         self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
                       });
    });
  }

  Race& race_;
  beast::tcp_stream stream_;
  tcp::resolver::results_type endpoints_;
  std::string host_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  beast::flat_buffer buffer_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::cerr << "usage: server_race BODY_FILE API_KEY N HOST:PORT [HOST:PORT ...]\n";
    return 2;
  }
  // N connections at once are N descriptors: lift the soft limit to the hard one (1024 is common).
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  Race race;
  std::ifstream in(argv[1], std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  race.body = text.str();
  race.key = argv[2];
  race.total = std::stoul(argv[3]);
  std::vector<std::pair<tcp::resolver::results_type, std::string>> nodes;
  tcp::resolver resolver(race.io);
  for (int i = 4; i < argc; ++i) {
    const std::string target = argv[i];
    const auto colon = target.rfind(':');
    nodes.emplace_back(resolver.resolve(target.substr(0, colon), target.substr(colon + 1)), target);
  }
  for (std::size_t i = 0; i < race.total; ++i) {
    const auto& node = nodes[i % nodes.size()];
    std::make_shared<Client>(race, node.first, node.second)->start();
  }
  race.io.run();
  std::cout << '{';
  bool first = true;
  for (const auto& [outcome, count] : race.outcomes) {
    std::cout << (first ? "" : ", ") << '"' << outcome << "\": " << count;
    first = false;
  }
  std::cout << "}\n";
  return 0;
}
