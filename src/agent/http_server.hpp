// cccd-agent's HTTP/1.1 side on Boost.Beast (the HTTP library cccd-server uses too): one I/O thread runs
// every connection, and every request is answered there (each is small; a read's slow work runs on the
// reads' worker thread, reads.hpp). Bounds: a number of connections (more are closed at once), a header
// and a body size (413), a time for each request to arrive and each response to leave (a client that
// stalls is dropped), and keep-alive connections that idle out.
#pragma once

#include "agent/access_policy.hpp"
#include "agent/reads.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace cccd::agent {

struct HttpSettings {
  std::size_t max_connections = 32;
  std::size_t max_body_bytes = 4096;  // a QR line is under 400 bytes
  std::size_t max_header_bytes = 8192;
  std::chrono::seconds request_timeout{15};  // a whole request, and an idle keep-alive connection
  std::chrono::seconds write_timeout{15};    // each response (and each event-stream write)
};

struct Agent {
  AccessSettings access;
  HttpSettings http;
  Reads* reads = nullptr;
  std::size_t open_connections = 0;  // I/O thread only
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, Agent& agent);
  // Binds (port 0: any free port) and starts accepting; returns the port.
  std::uint16_t listen(const std::string& address, std::uint16_t port);
  void close();

 private:
  void accept();

  boost::asio::io_context& io_;
  Agent& agent_;
  boost::asio::ip::tcp::acceptor acceptor_;
};

}  // namespace cccd::agent
