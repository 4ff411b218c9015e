#include "sim/virtual_card_source.hpp"

#include "sim/generator.hpp"
#include "util/bytes.hpp"

namespace cccd::sim {

CardData load_virtual_card(const std::filesystem::path& folder) {
  return folder.empty() ? default_card() : load_card_folder(folder);
}

VirtualCardSource::VirtualCardSource(const std::filesystem::path& folder)
    : card_(load_virtual_card(folder)), link_(card_) {}

VirtualCardSource::VirtualCardSource(CardData data) : card_(std::move(data)), link_(card_) {}

CardSource VirtualCardSource::source() {
  CardSource source;
  source.kind = CardSource::Kind::custom;
  source.callbacks = link_.callbacks();
  source.user = &link_;
  source.label = "virtual";
  return source;
}

void VirtualCardSource::trust_test_csca(TrustStore& trust) const {
  const std::string& pem = card_.data().csca_pem;
  if (pem.empty()) throw Error(ErrorCode::file_not_found, "the virtual card has no test CSCA");
  trust.add_certificate(as_bytes(pem));
}

Report read_and_verify_virtual(const std::filesystem::path& folder, const Credentials& credentials,
                               const TrustStore* trust, const ReadOptions& options) {
  VirtualCardSource card(folder);
  TrustStore own;
  if (trust == nullptr) {
    card.trust_test_csca(own);
    trust = &own;
  }
  return read_and_verify(card.source(), credentials, trust, options);
}

namespace {

ChipDump read_source(VirtualCardSource& card, const Credentials& credentials, const ReadOptions& options,
                     std::optional<LiveChipProof>* proof = nullptr) {
  const CardSource source = card.source();
  return read_card(source.callbacks, source.user, credentials, options, proof);
}

}  // namespace

ChipDump read_virtual_card(const std::filesystem::path& folder, const Credentials& credentials,
                           const ReadOptions& options) {
  VirtualCardSource card(folder);
  return read_source(card, credentials, options);
}

ChipDump read_card_data(const CardData& data, const Credentials& credentials, const ReadOptions& options,
                        std::optional<LiveChipProof>* proof) {
  VirtualCardSource card(data);
  return read_source(card, credentials, options, proof);
}

}  // namespace cccd::sim
