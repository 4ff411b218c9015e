#include "sim/vpcd_link.hpp"

#include <cccd/error.hpp>

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace cccd::sim {
namespace {

// How long one wait on the socket lasts: the stop flag is checked at least this often.
constexpr int kPollMilliseconds = 100;

[[noreturn]] void fail_system(const std::string& during) {
  throw Error(ErrorCode::transport, "vpcd link: " + during + ": " + std::strerror(errno));
}

void set_option(int socket, int level, int name) {
  const int on = 1;
  if (setsockopt(socket, level, name, &on, sizeof on) != 0) fail_system("setsockopt");
}

// Tries one resolved address; returns the connected socket or -1 (errno tells why) or throws on timeout.
int connect_one(const addrinfo& address, std::chrono::milliseconds timeout, const std::string& peer) {
  const int socket_fd =
      ::socket(address.ai_family, address.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, address.ai_protocol);
  if (socket_fd < 0) return -1;
  if (::connect(socket_fd, address.ai_addr, address.ai_addrlen) == 0) return socket_fd;
  if (errno != EINPROGRESS) {
    const int saved = errno;
    ::close(socket_fd);
    errno = saved;
    return -1;
  }
  pollfd waiting{socket_fd, POLLOUT, 0};
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ::close(socket_fd);
      throw Error(ErrorCode::timeout, "vpcd link: the driver at " + peer + " did not accept in time");
    }
    const int ready = ::poll(&waiting, 1, static_cast<int>(left.count()));
    if (ready > 0) break;
    if (ready < 0 && errno != EINTR) {
      const int saved = errno;
      ::close(socket_fd);
      errno = saved;
      return -1;
    }
  }
  int result = 0;
  socklen_t result_size = sizeof result;
  if (getsockopt(socket_fd, SOL_SOCKET, SO_ERROR, &result, &result_size) != 0 || result != 0) {
    ::close(socket_fd);
    errno = result;
    return -1;
  }
  return socket_fd;
}

}  // namespace

std::uint8_t atr_check_byte(ByteView atr_without_tck) {
  std::uint8_t check = 0;
  for (std::size_t i = 1; i < atr_without_tck.size(); ++i) check ^= atr_without_tck[i];
  return check;
}

VpcdLink::VpcdLink(std::size_t max_message) : max_message_(max_message) {
  if (max_message_ < 2) throw Error(ErrorCode::invalid_argument, "vpcd link: the message bound is too small");
}

VpcdLink::~VpcdLink() {
  disconnect();
}

void VpcdLink::disconnect() noexcept {
  if (socket_ < 0) return;
  ::shutdown(socket_, SHUT_RDWR);
  ::close(socket_);
  socket_ = -1;
}

void VpcdLink::attach(int connected_socket) noexcept {
  disconnect();
  socket_ = connected_socket;
  // TCP's options only on a TCP socket: a parent's socketpair is a Unix-domain one.
  int domain = 0;
  socklen_t length = sizeof domain;
  tcp_ = ::getsockopt(socket_, SOL_SOCKET, SO_DOMAIN, &domain, &length) == 0 &&
         (domain == AF_INET || domain == AF_INET6);
}

void VpcdLink::connect(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout) {
  disconnect();
  const std::string peer = host + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int resolved = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (resolved != 0) {
    throw Error(ErrorCode::transport, "vpcd link: cannot resolve " + host + ": " + gai_strerror(resolved));
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, &freeaddrinfo);
  int last_errno = 0;
  for (const addrinfo* address = found; address != nullptr; address = address->ai_next) {
    const int socket_fd = connect_one(*address, timeout, peer);
    if (socket_fd < 0) {
      last_errno = errno;
      continue;
    }
    socket_ = socket_fd;
    tcp_ = true;
    try {
      // vpcd waits for each answer before it sends again: small messages must go out at once.
      set_option(socket_, IPPROTO_TCP, TCP_NODELAY);
    } catch (...) {
      disconnect();
      throw;
    }
    return;
  }
  throw Error(ErrorCode::transport,
              "vpcd link: cannot connect to the driver at " + peer + ": " + std::strerror(last_errno));
}

VpcdLink::ReadEnd VpcdLink::read_exact(std::uint8_t* into, std::size_t size, std::atomic<bool>& stop) {
  std::size_t done = 0;
  while (done < size) {
    if (stop.load()) return ReadEnd::stopped;
#ifdef TCP_QUICKACK
    // Linux clears quick-ack mode after a while; vpcd sends the length and the body in two writes, so a
    // delayed ACK of the first would hold the second back by up to 40 ms per APDU.
    if (tcp_) set_option(socket_, IPPROTO_TCP, TCP_QUICKACK);
#endif
    pollfd waiting{socket_, POLLIN, 0};
    const int ready = ::poll(&waiting, 1, kPollMilliseconds);
    if (ready < 0) {
      if (errno == EINTR) continue;
      fail_system("poll");
    }
    if (ready == 0) continue;
    const ssize_t got = ::recv(socket_, into + done, size - done, 0);
    if (got == 0) return ReadEnd::closed;
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      if (errno == ECONNRESET) return ReadEnd::closed;
      fail_system("recv");
    }
    done += static_cast<std::size_t>(got);
  }
  return ReadEnd::complete;
}

void VpcdLink::write_message(ByteView payload, std::atomic<bool>& stop) {
  if (payload.size() > 0xFFFF) {
    throw Error(ErrorCode::limit_exceeded, "vpcd link: an answer of " + std::to_string(payload.size()) +
                                               " bytes does not fit a vpcd message");
  }
  Bytes message;
  message.reserve(payload.size() + 2);
  message.push_back(static_cast<std::uint8_t>(payload.size() >> 8));
  message.push_back(static_cast<std::uint8_t>(payload.size() & 0xFF));
  message.insert(message.end(), payload.begin(), payload.end());
  std::size_t done = 0;
  while (done < message.size()) {
    if (stop.load()) return;
    pollfd waiting{socket_, POLLOUT, 0};
    const int ready = ::poll(&waiting, 1, kPollMilliseconds);
    if (ready < 0) {
      if (errno == EINTR) continue;
      fail_system("poll");
    }
    if (ready == 0) continue;
    const ssize_t sent = ::send(socket_, message.data() + done, message.size() - done, MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      fail_system("send");
    }
    done += static_cast<std::size_t>(sent);
  }
}

VpcdServeEnd VpcdLink::serve(VirtualCard& card, std::atomic<bool>& stop, std::uint64_t leave_at) {
  if (socket_ < 0) throw Error(ErrorCode::transport, "vpcd link: not connected");
  try {
    Bytes message;
    for (;;) {
      std::uint8_t header[2];
      const ReadEnd header_end = read_exact(header, sizeof header, stop);
      if (header_end == ReadEnd::stopped) return VpcdServeEnd::stopped;
      if (header_end == ReadEnd::closed) {
        disconnect();
        return VpcdServeEnd::peer_closed;
      }
      const std::size_t length = static_cast<std::size_t>(header[0]) << 8 | header[1];
      if (length == 0) throw Error(ErrorCode::transport, "vpcd link: the driver sent an empty message");
      if (length > max_message_) {
        throw Error(ErrorCode::limit_exceeded, "vpcd link: a message of " + std::to_string(length) +
                                                   " bytes exceeds the bound of " +
                                                   std::to_string(max_message_));
      }
      message.resize(length);
      const ReadEnd body_end = read_exact(message.data(), length, stop);
      if (body_end == ReadEnd::stopped) return VpcdServeEnd::stopped;
      if (body_end == ReadEnd::closed) {
        throw Error(ErrorCode::transport, "vpcd link: the driver closed the connection inside a message");
      }
      if (length == 1) {
        switch (message[0]) {
          case kVpcdPowerOff:
          case kVpcdReset:
            card.reset();
            break;
          case kVpcdGetAtr:
            write_message(ByteView(kContactlessAtr.data(), kContactlessAtr.size()), stop);
            break;
          default:
            // Power on needs nothing from an in-memory card; unknown commands are ignored, as vicc does.
            break;
        }
        continue;
      }
      const Bytes response = card.process(ByteView(message.data(), message.size()));
      if (apdus_received_++ == leave_at) {
        card.reset();  // out of the field: powered off
        disconnect();
        return VpcdServeEnd::card_left;
      }
      write_message(ByteView(response.data(), response.size()), stop);
    }
  } catch (...) {
    disconnect();
    throw;
  }
}

}  // namespace cccd::sim
