#include "transport/channel.hpp"

#include "util/bytes.hpp"

namespace cccd::transport {

Bytes RawChannel::exchange_counted(ByteView command) {
  if (cancellation_ != nullptr && cancellation_->cancelled()) {
    throw Error(ErrorCode::cancelled, "the read was cancelled");
  }
  stats_.apdus += 1;
  stats_.bytes_sent += command.size();
  Bytes response = exchange(command);
  stats_.bytes_received += response.size();
  return response;
}

apdu::ResponseApdu RawChannel::transmit(const apdu::CommandApdu& command) {
  apdu::CommandApdu current = command;
  apdu::ResponseApdu response = apdu::ResponseApdu::decode(exchange_counted(current.encode()));

  // 6Cxx: wrong Le, the card tells the right one; resend once with it.
  for (int resend = 0; response.sw1() == 0x6C && resend < kMaxWrongLengthResends; ++resend) {
    current.le = response.sw2() == 0 ? apdu::kMaxShortLe : response.sw2();
    response = apdu::ResponseApdu::decode(exchange_counted(current.encode()));
  }
  if (response.sw1() == 0x6C) {
    throw Error(ErrorCode::card_error, "card keeps answering 6Cxx (wrong length)");
  }

  // 61xx: more response bytes are waiting; collect them with GET RESPONSE.
  Bytes data = std::move(response.data);
  int rounds = 0;
  while (response.sw1() == 0x61) {
    if (++rounds > kMaxGetResponseRounds) {
      throw Error(ErrorCode::card_error, "card keeps answering 61xx (response never ends)");
    }
    // GET RESPONSE keeps the logical channel bits of the command's class byte, not its SM bits: b2-b1 in
    // a first interindustry class, b4-b1 in a further interindustry one (01xx xxxx, ISO 7816-4 5.4.1).
    const bool further_interindustry = (command.cla & 0xC0) == 0x40;
    const std::uint8_t get_response_cla = further_interindustry
                                              ? static_cast<std::uint8_t>(0x40 | (command.cla & 0x0F))
                                              : static_cast<std::uint8_t>(command.cla & 0x03);
    apdu::CommandApdu get_response{
        get_response_cla, 0xC0, 0x00, 0x00, {}, response.sw2() == 0 ? apdu::kMaxShortLe : response.sw2()};
    response = apdu::ResponseApdu::decode(exchange_counted(get_response.encode()));
    append(data, response.data);
    if (data.size() > apdu::kMaxExtendedLe) {
      throw Error(ErrorCode::limit_exceeded, "response longer than 65536 bytes");
    }
  }
  response.data = std::move(data);
  return response;
}

}  // namespace cccd::transport
