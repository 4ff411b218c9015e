#include "store.hpp"

namespace cccd::server {

const char* state_name(ChallengeState state) noexcept {
  switch (state) {
    case ChallengeState::open:
      return "open";
    case ChallengeState::unknown:
      return "unknown";
    case ChallengeState::expired:
      return "expired";
    case ChallengeState::used:
      return "used";
  }
  return "unknown";
}

std::vector<ChallengeState> Database::use_and_record_all(std::span<const ChallengeUse> uses) {
  std::vector<ChallengeState> states;
  states.reserve(uses.size());
  for (const ChallengeUse& use : uses) states.push_back(use_and_record(use.id, use.key_id, use.record));
  return states;
}

}  // namespace cccd::server
