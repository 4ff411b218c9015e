// A channel to a card on a PC/SC reader (pcsc-lite).
#pragma once

#include "transport/channel.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace cccd::transport {

class PcscContext {
 public:
  PcscContext();  // throws Error(no_reader) when the PC/SC service is not running
  ~PcscContext();
  PcscContext(const PcscContext&) = delete;
  PcscContext& operator=(const PcscContext&) = delete;

  std::vector<std::string> readers() const;
  std::intptr_t handle() const noexcept { return context_; }

 private:
  std::intptr_t context_ = 0;
};

class PcscChannel : public RawChannel {
 public:
  // Connects to the first reader whose name contains `reader_name` (any reader when empty).
  // Throws Error(no_reader) or Error(no_card).
  PcscChannel(const PcscContext& context, std::string_view reader_name);
  ~PcscChannel() override;
  PcscChannel(const PcscChannel&) = delete;
  PcscChannel& operator=(const PcscChannel&) = delete;

  ChannelCapabilities capabilities() const override { return capabilities_; }
  const std::string& reader_name() const noexcept { return reader_; }

 protected:
  Bytes exchange(ByteView command) override;

 private:
  std::intptr_t card_ = 0;
  unsigned long protocol_ = 0;
  std::string reader_;
  ChannelCapabilities capabilities_;
};

}  // namespace cccd::transport
