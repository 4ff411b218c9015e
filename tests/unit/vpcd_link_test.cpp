// The card side of the vpcd protocol, against a driver played by the test over a loopback socket.
#include "sim/vpcd_link.hpp"

#include "apdu/apdu.hpp"
#include "reader/session.hpp"
#include "sim/generator.hpp"
#include "sim/virtual_card.hpp"
#include "sim/virtual_card_link.hpp"
#include "test_support.hpp"

#include <cccd/verify.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <thread>

namespace cccd {
namespace {

using test::anchor_of;
using test::default_credentials;

using namespace std::chrono_literals;

constexpr int kDriverWaitMilliseconds = 3000;  // no single step of a test waits longer

// The vpcd driver: listens on an ephemeral loopback port, accepts the card and exchanges messages.
class Driver {
 public:
  Driver() {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener_ < 0) throw std::runtime_error("socket");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t size = sizeof address;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), size) != 0 || ::listen(listener_, 1) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
      ::close(listener_);
      throw std::runtime_error("bind/listen");
    }
    port_ = ntohs(address.sin_port);
  }
  ~Driver() {
    close_connection();
    ::close(listener_);
  }
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  std::uint16_t port() const { return port_; }

  void accept_card() {
    wait_for(listener_, POLLIN);
    connection_ = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection_ < 0) throw std::runtime_error("accept");
    const int on = 1;
    ::setsockopt(connection_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  }

  // Like vpcd: the length and the body in two writes.
  void send_message(ByteView payload) {
    const std::uint8_t header[2] = {static_cast<std::uint8_t>(payload.size() >> 8),
                                    static_cast<std::uint8_t>(payload.size() & 0xFF)};
    send_raw(ByteView(header, 2));
    send_raw(payload);
  }
  void control(std::uint8_t command) { send_message(ByteView(&command, 1)); }

  void send_raw(ByteView bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t sent = ::send(connection_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (sent <= 0) throw std::runtime_error("send");
      done += static_cast<std::size_t>(sent);
    }
  }

  Bytes receive_message() {
    std::uint8_t header[2];
    if (!receive_exact(header, 2)) throw std::runtime_error("the card closed the connection");
    Bytes body(static_cast<std::size_t>(header[0]) << 8 | header[1]);
    if (!receive_exact(body.data(), body.size())) throw std::runtime_error("the card closed mid-message");
    return body;
  }

  // True when the card side closed the connection (end of stream within the wait).
  bool card_closed() {
    std::uint8_t byte = 0;
    return !receive_exact(&byte, 1);
  }

  void close_connection() {
    if (connection_ >= 0) ::close(connection_);
    connection_ = -1;
  }

 private:
  static void wait_for(int socket, short events) {
    pollfd waiting{socket, events, 0};
    if (::poll(&waiting, 1, kDriverWaitMilliseconds) != 1) throw std::runtime_error("timed out");
  }
  // False at end of stream.
  bool receive_exact(std::uint8_t* into, std::size_t size) {
    std::size_t done = 0;
    while (done < size) {
      wait_for(connection_, POLLIN);
      const ssize_t got = ::recv(connection_, into + done, size - done, 0);
      if (got == 0) return false;
      if (got < 0) {
        if (errno == ECONNRESET) return false;
        throw std::runtime_error("recv");
      }
      done += static_cast<std::size_t>(got);
    }
    return true;
  }

  int listener_ = -1;
  int connection_ = -1;
  std::uint16_t port_ = 0;
};

// The reader's raw channel over the driver: each APDU goes to the card as a vpcd message.
class VpcdChannel : public transport::RawChannel {
 public:
  explicit VpcdChannel(Driver& driver) : driver_(driver) {}
  transport::ChannelCapabilities capabilities() const override {
    // What the virtual card's own in-process link reports for the same card.
    sim::VirtualCard reference(sim::default_card());
    return sim::VirtualCardChannel(reference).capabilities();
  }

 protected:
  Bytes exchange(ByteView command) override {
    driver_.send_message(command);
    return driver_.receive_message();
  }

 private:
  Driver& driver_;
};

// The card: VpcdLink::serve in its own thread, connected to `port`. Stops and joins when it goes away.
class CardThread {
 public:
  explicit CardThread(std::uint16_t port, std::size_t max_message = sim::kMaxVpcdMessage)
      : card_(sim::default_card()), link_(max_message) {
    thread_ = std::thread([this, port] {
      try {
        link_.connect("127.0.0.1", port, 2s);
        end_ = link_.serve(card_, stop_);
      } catch (const Error& e) {
        error_ = e.code();
      } catch (...) {
        error_ = ErrorCode::internal;
      }
      finished_ = true;
    });
  }
  ~CardThread() { join(); }
  CardThread(const CardThread&) = delete;
  CardThread& operator=(const CardThread&) = delete;

  void stop() { stop_ = true; }
  void join() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  // Waits (bounded) for serve to return by itself; true when it did.
  bool wait_finished(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!finished_ && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
    const bool done = finished_;
    if (done) join();
    return done;
  }
  sim::VirtualCard& card() { return card_; }
  std::optional<sim::VpcdServeEnd> end() const { return end_; }
  std::optional<ErrorCode> error() const { return error_; }

 private:
  sim::VirtualCard card_;
  sim::VpcdLink link_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> finished_{false};
  std::optional<sim::VpcdServeEnd> end_;
  std::optional<ErrorCode> error_;
  std::thread thread_;
};

Bytes atr() {
  return Bytes(sim::kContactlessAtr.begin(), sim::kContactlessAtr.end());
}

TEST(VpcdLink, AtrIsAPcscContactlessAtrWithAValidCheckByte) {
  const Bytes bytes = atr();
  ASSERT_GE(bytes.size(), 5u);
  EXPECT_EQ(bytes[0], 0x3B);
  EXPECT_EQ(bytes[1] & 0xF0, 0x80);                            // TD1 follows
  EXPECT_EQ(std::size_t{bytes[1] & 0x0Fu}, bytes.size() - 5);  // historical bytes: all but TS T0 TD1 TD2 TCK
  EXPECT_EQ(bytes[2], 0x80);
  EXPECT_EQ(bytes[3], 0x01);
  EXPECT_EQ(bytes.back(), sim::atr_check_byte(ByteView(bytes.data(), bytes.size() - 1)));
  // The XOR of T0 through TCK is zero (ISO/IEC 7816-3 8.2.5).
  EXPECT_EQ(sim::atr_check_byte(ByteView(bytes.data(), bytes.size())), 0);
  // The checksum sees every byte after TS and none before.
  EXPECT_EQ(sim::atr_check_byte(ByteView(bytes.data(), 2)), bytes[1]);
  EXPECT_EQ(sim::atr_check_byte(ByteView(bytes.data(), 1)), 0);
}

TEST(VpcdLink, PaceReadThroughTheVpcdProtocolVerifies) {
  Driver driver;
  CardThread card(driver.port());
  driver.accept_card();
  driver.control(sim::kVpcdPowerOn);
  driver.control(sim::kVpcdGetAtr);
  EXPECT_EQ(driver.receive_message(), atr());

  VpcdChannel channel(driver);
  std::optional<LiveChipProof> proof;  // this test read the chip itself
  ChipDump dump = reader::read_chip(channel, default_credentials(), ReadOptions{}, nullptr, &proof);
  EXPECT_EQ(dump.access_protocol.rfind("PACE", 0), 0u) << dump.access_protocol;
  EXPECT_EQ(*dump.file(FileId::dg1), sim::default_card().files.at(FileId::dg1));
  EXPECT_EQ(*dump.file(FileId::dg2), sim::default_card().files.at(FileId::dg2));
  Verdict verdict = verify(dump, anchor_of(sim::default_card()), {}, *proof);
  EXPECT_TRUE(verdict.verified);
  EXPECT_TRUE(verdict.test_csca);

  // The driver closes: serve returns by itself.
  driver.close_connection();
  ASSERT_TRUE(card.wait_finished(2000ms));
  EXPECT_EQ(card.end(), sim::VpcdServeEnd::peer_closed);
  EXPECT_FALSE(card.error().has_value());
}

TEST(VpcdLink, PowerOffDropsSecureMessagingSoTheNextApduNeedsNewAccess) {
  Driver driver;
  CardThread card(driver.port());
  driver.accept_card();
  driver.control(sim::kVpcdPowerOn);
  VpcdChannel channel(driver);
  ReadOptions options;
  options.read_photo = false;
  reader::read_chip(channel, default_credentials(), options);
  // The card thread is idle between messages: the answer to the last APDU was its last act.
  EXPECT_TRUE(card.card().secure_messaging_active());

  driver.control(sim::kVpcdPowerOff);
  driver.control(sim::kVpcdPowerOn);
  driver.control(sim::kVpcdGetAtr);  // answered after the power cycle was handled
  EXPECT_EQ(driver.receive_message(), atr());
  EXPECT_FALSE(card.card().secure_messaging_active());

  apdu::CommandApdu select_application;
  select_application.ins = 0xA4;
  select_application.p1 = 0x04;
  select_application.p2 = 0x0C;
  select_application.data.assign(std::begin(sim::kEmrtdAid), std::end(sim::kEmrtdAid));
  EXPECT_EQ(channel.transmit(select_application).sw, 0x9000);
  apdu::CommandApdu read_dg1;  // READ BINARY with short EF identifier 01 (DG1), in plain
  read_dg1.ins = 0xB0;
  read_dg1.p1 = 0x81;
  read_dg1.le = 256;
  EXPECT_EQ(channel.transmit(read_dg1).sw, 0x6982);

  // A reset drops a fresh session too: a second read works and leaves SM on, a reset takes it away.
  reader::read_chip(channel, default_credentials(), options);
  EXPECT_TRUE(card.card().secure_messaging_active());
  driver.control(sim::kVpcdReset);
  driver.control(sim::kVpcdGetAtr);
  EXPECT_EQ(driver.receive_message(), atr());
  EXPECT_FALSE(card.card().secure_messaging_active());
}

TEST(VpcdLink, MessageOverTheBoundStopsTheCardWithAnError) {
  Driver driver;
  CardThread card(driver.port(), 300);
  driver.accept_card();
  driver.control(sim::kVpcdPowerOn);
  const std::uint8_t header[2] = {0x01, 0x2D};  // 301 bytes announced
  driver.send_raw(ByteView(header, 2));
  EXPECT_TRUE(driver.card_closed());
  ASSERT_TRUE(card.wait_finished(2000ms));
  EXPECT_EQ(card.error(), ErrorCode::limit_exceeded);
  EXPECT_FALSE(card.end().has_value());
}

TEST(VpcdLink, MessageAtTheBoundIsAnswered) {
  Driver driver;
  CardThread card(driver.port(), 300);
  driver.accept_card();
  // A 300-byte command the card cannot decode (Lc says 255, 295 follow): answered 6700, not refused.
  Bytes command(300, 0x00);
  command[1] = 0xB0;
  command[4] = 0xFF;
  driver.send_message(command);
  const Bytes answer = driver.receive_message();
  ASSERT_EQ(answer.size(), 2u);
  EXPECT_EQ(answer[0], 0x67);
  card.stop();
  ASSERT_TRUE(card.wait_finished(1000ms));
  EXPECT_FALSE(card.error().has_value());
}

TEST(VpcdLink, EmptyMessageIsATransportError) {
  Driver driver;
  CardThread card(driver.port());
  driver.accept_card();
  const std::uint8_t header[2] = {0x00, 0x00};
  driver.send_raw(ByteView(header, 2));
  EXPECT_TRUE(driver.card_closed());
  ASSERT_TRUE(card.wait_finished(2000ms));
  EXPECT_EQ(card.error(), ErrorCode::transport);
}

TEST(VpcdLink, ConnectionLostInsideAMessageIsATransportError) {
  Driver driver;
  CardThread card(driver.port());
  driver.accept_card();
  const std::uint8_t partial[4] = {0x00, 0x05, 0x00, 0xA4};  // 5 announced, 2 sent
  driver.send_raw(ByteView(partial, 4));
  driver.close_connection();
  ASSERT_TRUE(card.wait_finished(2000ms));
  EXPECT_EQ(card.error(), ErrorCode::transport);
}

TEST(VpcdLink, StopFlagEndsServeWithinASecond) {
  Driver driver;
  CardThread card(driver.port());
  driver.accept_card();
  driver.control(sim::kVpcdPowerOn);
  driver.control(sim::kVpcdGetAtr);
  EXPECT_EQ(driver.receive_message(), atr());  // serving
  const auto asked = std::chrono::steady_clock::now();
  card.stop();
  ASSERT_TRUE(card.wait_finished(1000ms));
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 1s);
  EXPECT_EQ(card.end(), sim::VpcdServeEnd::stopped);
  EXPECT_FALSE(card.error().has_value());
}

TEST(VpcdLink, DisconnectLooksLikeCardRemovalToTheDriver) {
  Driver driver;
  sim::VirtualCard virtual_card(sim::default_card());
  sim::VpcdLink link;
  link.connect("127.0.0.1", driver.port(), 2s);
  driver.accept_card();
  EXPECT_TRUE(link.connected());
  link.disconnect();
  EXPECT_FALSE(link.connected());
  EXPECT_TRUE(driver.card_closed());
  std::atomic<bool> stop{false};
  EXPECT_EQ(test::error_of([&] { link.serve(virtual_card, stop); }), ErrorCode::transport);
}

TEST(VpcdLink, NoDriverListeningIsATransportError) {
  std::uint16_t unused_port = 0;
  {
    Driver closed;  // a port that was just free, and is closed again
    unused_port = closed.port();
  }
  sim::VpcdLink link;
  EXPECT_EQ(test::error_of([&] { link.connect("127.0.0.1", unused_port, 1s); }), ErrorCode::transport);
  EXPECT_EQ(test::error_of([&] { link.connect("no-such-host.invalid", 1, 1s); }), ErrorCode::transport);
  EXPECT_FALSE(link.connected());
}

TEST(VpcdLink, ABoundTooSmallForAControlMessageIsRefused) {
  EXPECT_EQ(test::error_of([] { sim::VpcdLink link(1); }), ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace cccd
