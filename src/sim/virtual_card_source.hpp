// A virtual card ready to be read like any card: the built-in default CCCD or a card folder, on an
// in-process link, as a CardSource of the caller's-transport kind (labelled "virtual").
#pragma once

#include "sim/card_folder.hpp"
#include "sim/virtual_card.hpp"
#include "sim/virtual_card_link.hpp"

#include <cccd/report.hpp>
#include <cccd/trust.hpp>

#include <filesystem>
#include <optional>

namespace cccd::sim {

class VirtualCardSource {
 public:
  // The built-in default card when `folder` is empty, else the card folder (cccd-sim personalise).
  explicit VirtualCardSource(const std::filesystem::path& folder);
  explicit VirtualCardSource(CardData data);
  VirtualCardSource(const VirtualCardSource&) = delete;
  VirtualCardSource& operator=(const VirtualCardSource&) = delete;

  // Valid while this object lives; one read at a time.
  CardSource source();
  const CardData& data() const noexcept { return card_.data(); }
  // Adds the card's own test CSCA to `trust`: what a demo does, explicitly, to see the card verified.
  // The verdict then says test_csca (the store recognises libcccd's test CSCAs), never a real issuer.
  // Error(file_not_found) when the card has none.
  void trust_test_csca(TrustStore& trust) const;

 private:
  VirtualCard card_;
  VirtualCardLink link_;
};

// The card data of a folder, or the built-in default card when `folder` is empty.
CardData load_virtual_card(const std::filesystem::path& folder);

// Reads a virtual card and verifies it, as read_and_verify does any card. `trust` null: the card's own
// test CSCA, given as trust here explicitly (the demo's and the tests' choice; the verdict says test_csca).
Report read_and_verify_virtual(const std::filesystem::path& folder, const Credentials& credentials,
                               const TrustStore* trust, const ReadOptions& options = {});

// Reads a virtual card (the built-in one when `folder` is empty) through its transport.
ChipDump read_virtual_card(const std::filesystem::path& folder, const Credentials& credentials,
                           const ReadOptions& options = {});
// `proof`: what the read proved with the (virtual) chip, for verify()'s live verdict (LiveChipProof).
ChipDump read_card_data(const CardData& data, const Credentials& credentials, const ReadOptions& options = {},
                        std::optional<LiveChipProof>* proof = nullptr);

}  // namespace cccd::sim
