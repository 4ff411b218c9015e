#include "c_virtual_card.hpp"

#include <cccd/error.hpp>

#include <string>

namespace cccd::test {

CVirtualCard::CVirtualCard(const std::filesystem::path& folder) : card_(folder) {
  const CardSource source = card_.source();
  if (cccd_transport_new(&source.callbacks, source.user, &transport_) != CCCD_OK ||
      cccd_trust_new(&trust_) != CCCD_OK) {
    throw Error(ErrorCode::internal, std::string("test virtual card: ") + cccd_last_error());
  }
  const std::string& pem = card_.data().csca_pem;
  if (cccd_trust_add_data(trust_, reinterpret_cast<const std::uint8_t*>(pem.data()), pem.size()) != CCCD_OK) {
    cccd_transport_free(transport_);
    cccd_trust_free(trust_);
    throw Error(ErrorCode::internal, std::string("test virtual card CSCA: ") + cccd_last_error());
  }
}

CVirtualCard::~CVirtualCard() {
  cccd_transport_free(transport_);
  cccd_trust_free(trust_);
}

}  // namespace cccd::test
