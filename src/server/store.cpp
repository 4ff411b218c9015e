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

}  // namespace cccd::server
