#include <cccd/verdict.hpp>

namespace cccd {

std::string_view status_name(FindingStatus status) noexcept {
  switch (status) {
    case FindingStatus::passed:
      return "passed";
    case FindingStatus::failed:
      return "failed";
    case FindingStatus::unknown:
      return "unknown";
    case FindingStatus::not_supported:
      return "not_supported";
    case FindingStatus::not_checked:
      return "not_checked";
  }
  return "unknown";
}

std::optional<NamedFinding> finding_at(const Verdict& verdict, std::size_t index) noexcept {
  const NamedFinding all[] = {{"access", &verdict.access},
                              {"chip_authenticity", &verdict.chip_authenticity},
                              {"consistency", &verdict.consistency},
                              {"data_integrity", &verdict.data_integrity},
                              {"document_validity", &verdict.document_validity},
                              {"qr_consistency", verdict.qr_consistency ? &*verdict.qr_consistency : nullptr},
                              {"signer_trust", &verdict.signer_trust}};
  for (const NamedFinding& named : all) {
    if (named.finding == nullptr) continue;  // qr_consistency, not checked
    if (index-- == 0) return named;
  }
  return std::nullopt;
}

}  // namespace cccd
