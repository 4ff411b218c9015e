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

ChallengeState state_from_name(std::string_view name, std::string_view database) {
  for (const ChallengeState state : kChallengeStates) {
    if (name == state_name(state)) return state;
  }
  throw StoreUnavailable(std::string(database) +
                         ": a challenge came back in a state this server does not know");
}

ChallengeLookup Database::look_up(const std::string& id, const std::string& key_id) {
  const ChallengeRef one[] = {{id, key_id}};
  return look_up_all(one).at(0);
}

ChallengeState Database::use_and_record(const AuditRecord& record) {
  return use_and_record_all(std::span(&record, 1)).at(0);
}

}  // namespace cccd::server
