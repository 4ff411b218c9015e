#include "sim/faulty_card_channel.hpp"

#include <cccd/error.hpp>

#include <thread>

namespace cccd::sim {

Bytes FaultyCardChannel::exchange(ByteView command) {
  const std::uint64_t index = exchanges_++;
  if (fault_ == CardFault::chip_stops_answering && index >= kStopAfterExchanges) {
    throw Error(ErrorCode::timeout, "the card did not answer in time");
  }
  if (fault_ == CardFault::chip_too_slow) std::this_thread::sleep_for(kSlowExchangeDelay);
  return VirtualCardChannel::exchange(command);
}

}  // namespace cccd::sim
