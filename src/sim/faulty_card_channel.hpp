// The link faults of the hostile card (sim/card_faults.hpp): a virtual card's channel that goes silent or
// slow, as a reader reports a chip that stops answering or answers late.
#pragma once

#include "sim/card_faults.hpp"
#include "sim/virtual_card_link.hpp"

#include <chrono>
#include <cstdint>

namespace cccd::sim {

// A channel to a virtual card whose link fails: chip_stops_answering throws Error(timeout) from exchange
// `kStopAfterExchanges` on (what a reader reports for a chip that went silent), chip_too_slow answers
// each exchange after `kSlowExchangeDelay`. Other faults: a plain VirtualCardChannel.
class FaultyCardChannel : public VirtualCardChannel {
 public:
  static constexpr std::uint64_t kStopAfterExchanges = 12;
  static constexpr std::chrono::milliseconds kSlowExchangeDelay{250};

  FaultyCardChannel(VirtualCard& card, CardFault fault) : VirtualCardChannel(card), fault_(fault) {}

 protected:
  Bytes exchange(ByteView command) override;

 private:
  CardFault fault_;
  std::uint64_t exchanges_ = 0;
};

}  // namespace cccd::sim
