// The configuration of cccd-server: one TOML file (docs/server.md, "Configuration"). Every key is checked:
// an unknown key or a value of the wrong type stops the server at start with a message naming it, since a
// misspelt policy key silently left at its default is exactly the misuse a verification service must not
// allow.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace cccd::server {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ApiKey {
  std::string id;                         // names the client in logs, metrics and audit rows
  std::array<std::uint8_t, 32> sha256{};  // SHA-256 of the key: the key itself is never stored
  double rate_per_second = 0;             // token bucket refill; 0: unlimited
  double burst = 0;                       // bucket size; 0: max(1, rate_per_second)
};

struct MasterListInput {
  std::string file;   // the CSCA master list (CMS)
  std::string roots;  // the certificate (or folder) its signer must chain to
};

enum class DatabaseKind { sqlite, postgresql };

struct Config {
  std::string config_path;  // the file this came from (relative paths are relative to its folder)

  // [server]
  std::string listen = "127.0.0.1";
  std::uint16_t port = 8080;
  std::string node_id;  // written into audit rows; default: the host name
  // Threads running the connections and their requests (reading, judging, the database, writing); 0: one
  // per core with SQLite, four per core with PostgreSQL (a thread waits out each of its round trips).
  unsigned workers = 0;
  std::size_t max_connections = 512;
  std::size_t max_body_bytes = std::size_t{4} << 20;
  std::chrono::milliseconds read_timeout{10000};   // a whole request, once its first byte came
  std::chrono::milliseconds idle_timeout{30000};   // a keep-alive connection waiting for its next request
  std::chrono::milliseconds write_timeout{10000};  // a whole response
  std::chrono::milliseconds drain_timeout{15000};  // SIGTERM: how long in-flight requests may finish
  std::chrono::seconds challenge_ttl{300};
  bool metrics_public = true;  // /metrics without an API key (it holds no personal data)

  // [database]: exactly one of sqlite / postgresql.
  DatabaseKind database = DatabaseKind::sqlite;
  std::string database_target;        // the SQLite file, or the PostgreSQL connection string
  unsigned database_connections = 0;  // PostgreSQL pool size; 0: the number of workers
  // SQLite: fsync each audit row's commit (true, "full": an answered verification, and the use of its
  // challenge, survive a power cut) or only at checkpoints ("normal": they survive a crash of the process,
  // not of the machine).
  bool sqlite_full_sync = true;

  // [policy]: a server that hands out challenges wants chip authenticity, so that is the default here.
  bool require_chip_authenticity = true;
  bool accept_expired = false;

  // [tls]: both or neither. The certificate file may hold the chain after the server's certificate (PEM).
  std::string tls_certificate;
  std::string tls_private_key;

  // [trust]
  std::vector<std::string> csca;  // files or folders of CSCA certificates
  std::vector<std::string> crls;
  std::vector<MasterListInput> master_lists;

  // [[api_keys]]
  std::vector<ApiKey> api_keys;
};

// Reads and checks the file; throws ConfigError naming the key and the problem.
Config load_config(const std::string& path);
// The same from text (the tests'); `base_folder` resolves relative paths.
Config parse_config(const std::string& text, const std::string& base_folder, const std::string& name);

}  // namespace cccd::server
