// The server's state: challenges handed out (each used at most once) and the audit trail. Two
// implementations behind one interface: SQLite for one node (the default, nothing to install) and
// PostgreSQL for several nodes sharing one database. Each creates its schema at start.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cccd::server {

// The database could not answer (down, locked too long, connection lost): the request gets 503 with
// Retry-After, and the server keeps running; the next request tries again.
class StoreUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using Challenge = std::array<std::uint8_t, 8>;

// No personal data: the verdict per finding and a hash of EF.SOD, which identifies the document to whoever
// holds the card's dump but reveals nothing to whoever holds only the audit table.
struct AuditRecord {
  std::int64_t time_ms = 0;
  std::string node;
  std::string key_id;
  std::string challenge_id;
  std::string overall;        // "verified" | "not_verified"
  std::string findings_json;  // {"access":"passed","data_integrity":"passed",...}
  std::string sod_sha256;     // hex; "" when the evidence held no EF.SOD
};

enum class ChallengeState {
  open,     // issued to this key, neither used nor expired
  unknown,  // no such challenge for this key
  expired,  // never used, and its time is up
  used,     // used already (the last: kChallengeStates counts on it)
};
// Every state, for code that goes through them all (state_from_name, its test).
inline constexpr ChallengeState kChallengeStates[] = {ChallengeState::open, ChallengeState::unknown,
                                                      ChallengeState::expired, ChallengeState::used};
static_assert(std::size(kChallengeStates) == static_cast<std::size_t>(ChallengeState::used) + 1,
              "a state added to ChallengeState goes into kChallengeStates too");

struct ChallengeLookup {
  ChallengeState state = ChallengeState::unknown;
  Challenge challenge{};  // when open
};

// A challenge as an upload names it: its id, and the API key it must have been issued to.
struct ChallengeRef {
  std::string id;
  std::string key_id;
};

// A verification reads its challenge (look_up), judges the upload with it, then uses the challenge and
// writes the verdict's audit row in one transaction (use_and_record): at most one commit a verification,
// and never a used challenge without its audit row or an audit row without its use, whatever the moment
// of a crash. The server does each step for a batch of verifications at once (the _all forms).
// Concurrent uploads of one challenge may all be judged, but only the one whose use commits is answered.
class Database {
 public:
  virtual ~Database() = default;
  // Records a fresh challenge `id` for the client `key_id`, valid for `ttl_ms`; returns its expiry
  // (Unix milliseconds, by the database's clock for PostgreSQL so that nodes agree).
  virtual std::int64_t issue(const std::string& id, const Challenge& challenge, const std::string& key_id,
                             std::int64_t ttl_ms) = 0;
  // Each challenge's state now, and its bytes when open, in the order given; uses nothing. The look-ups
  // of one batch of verifications are made together (SQLite: one read transaction; PostgreSQL: one
  // statement).
  virtual std::vector<ChallengeLookup> look_up_all(std::span<const ChallengeRef> challenges) = 0;
  ChallengeLookup look_up(const std::string& id, const std::string& key_id);  // one
  // Uses each record's challenge (record.challenge_id, issued to record.key_id) and commits the record
  // with the use, atomically: of any number of concurrent uses of one id, on any node, exactly one finds
  // it `open` (and only its record is written); the others get what stopped them (used, expired, unknown).
  // The states come in the order of the records; two uses of one id in a batch are decided as if one came
  // after the other. Durable when a use returns `open`: the answer is sent after. The uses of a batch are
  // committed together (SQLite: one transaction, one fsync with full_sync; PostgreSQL: one transaction).
  // On StoreUnavailable, which of them committed is unknown (each is answered 503, as one use would be).
  virtual std::vector<ChallengeState> use_and_record_all(std::span<const AuditRecord> records) = 0;
  ChallengeState use_and_record(const AuditRecord& record);  // one
  // Removes challenges that expired more than `older_than_ms` ago (they are kept a while to answer 410).
  virtual std::int64_t purge_expired(std::int64_t older_than_ms) = 0;
  // Throws StoreUnavailable when the database does not answer (GET /readyz).
  virtual void ping() = 0;
  virtual const char* kind() const noexcept = 0;
};

// "open", "unknown", "expired", "used" (metrics, logs).
const char* state_name(ChallengeState state) noexcept;
// The reverse, for a state a database statement answers with (PostgreSQL's batch of uses): any other
// text means the statement and this code disagree, and throws StoreUnavailable (a 503, not a verdict)
// whose message starts with `database` ("postgresql"), as the store's other errors do.
ChallengeState state_from_name(std::string_view name, std::string_view database);

// Opens (creating when needed) the SQLite file in WAL mode and creates the schema. `full_sync`: each use's
// commit (with its audit row) is fsync'ed, and with it every earlier commit (one fsync per batch of
// answered verifications); else only checkpoints are (commits survive a crash of the process, not a power
// cut).
std::unique_ptr<Database> open_sqlite(const std::string& path, bool full_sync = true);
// Connects up to `connections` sessions (lazily after the first) and creates the schema under an advisory
// lock, so that nodes starting together do not race on CREATE TABLE.
std::unique_ptr<Database> open_postgresql(const std::string& conninfo, unsigned connections);

}  // namespace cccd::server
