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

}  // namespace cccd
