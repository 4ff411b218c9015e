// The virtual card for tests of the C API: its link (sim::VirtualCardLink) as a cccd_transport made with
// cccd_transport_new, exactly as an integrator's transport, and a trust store with its test CSCA given
// explicitly (nothing trusts it implicitly).
#pragma once

#include "sim/virtual_card_source.hpp"

#include <cccd/cccd.h>

#include <filesystem>

namespace cccd::test {

class CVirtualCard {
 public:
  // The built-in default card when `folder` is empty, else the card folder.
  explicit CVirtualCard(const std::filesystem::path& folder = {});
  ~CVirtualCard();
  CVirtualCard(const CVirtualCard&) = delete;
  CVirtualCard& operator=(const CVirtualCard&) = delete;

  cccd_transport* transport() const noexcept { return transport_; }
  // A trust store holding the card's own test CSCA.
  const cccd_trust* trust() const noexcept { return trust_; }

 private:
  sim::VirtualCardSource card_;
  cccd_transport* transport_ = nullptr;
  cccd_trust* trust_ = nullptr;
};

}  // namespace cccd::test
