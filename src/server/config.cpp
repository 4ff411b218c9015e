#include "config.hpp"

#include "util.hpp"

#include <toml++/toml.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <thread>

namespace cccd::server {
namespace {

// One TOML table being read: remembers the keys asked for, so that `finish` can refuse any other (a typo
// such as `require_chip_authenticty` must not silently leave the policy at its default).
class Section {
 public:
  Section(const toml::table& table, std::string name) : table_(table), name_(std::move(name)) {}

  const toml::node* get(const std::string& key) {
    known_.insert(key);
    return table_.get(key);
  }
  std::string where(const std::string& key) const { return name_.empty() ? key : name_ + "." + key; }

  std::optional<std::string> string(const std::string& key) {
    const toml::node* node = get(key);
    if (node == nullptr) return std::nullopt;
    if (!node->is_string()) fail(key, "must be a string");
    return node->as_string()->get();
  }
  std::optional<bool> boolean(const std::string& key) {
    const toml::node* node = get(key);
    if (node == nullptr) return std::nullopt;
    if (!node->is_boolean()) fail(key, "must be true or false");
    return node->as_boolean()->get();
  }
  std::optional<std::int64_t> integer(const std::string& key, std::int64_t low, std::int64_t high) {
    const toml::node* node = get(key);
    if (node == nullptr) return std::nullopt;
    if (!node->is_integer()) fail(key, "must be a whole number");
    const std::int64_t value = node->as_integer()->get();
    if (value < low || value > high) {
      fail(key, "must be between " + std::to_string(low) + " and " + std::to_string(high));
    }
    return value;
  }
  std::optional<double> number(const std::string& key) {
    const toml::node* node = get(key);
    if (node == nullptr) return std::nullopt;
    double value = 0;
    if (node->is_integer()) {
      value = static_cast<double>(node->as_integer()->get());
    } else if (node->is_floating_point()) {
      value = node->as_floating_point()->get();
    } else {
      fail(key, "must be a number");
    }
    if (!(value >= 0) || value > 1e9) fail(key, "must be a number from 0 to 1e9");
    return value;
  }
  std::vector<std::string> strings(const std::string& key) {
    const toml::node* node = get(key);
    if (node == nullptr) return {};
    if (node->is_string()) return {node->as_string()->get()};
    if (!node->is_array()) fail(key, "must be a string or an array of strings");
    std::vector<std::string> out;
    for (const toml::node& item : *node->as_array()) {
      if (!item.is_string()) fail(key, "must hold strings only");
      out.push_back(item.as_string()->get());
    }
    return out;
  }

  void finish() const {
    for (const auto& [key, value] : table_) {
      const std::string text(key.str());
      if (known_.count(text) == 0) throw ConfigError("config: " + where(text) + " is not a known setting");
    }
  }
  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    throw ConfigError("config: " + where(key) + " " + what);
  }

 private:
  const toml::table& table_;
  std::string name_;
  std::set<std::string> known_;
};

const toml::table* subtable(Section& top, const std::string& key) {
  const toml::node* node = top.get(key);
  if (node == nullptr) return nullptr;
  if (!node->is_table()) top.fail(key, "must be a table ([" + key + "])");
  return node->as_table();
}

std::string resolve(const std::string& base, const std::string& path) {
  if (path.empty() || path.front() == '/' || base.empty()) return path;
  return (std::filesystem::path(base) / path).lexically_normal().string();
}

std::chrono::milliseconds milliseconds(Section& s, const std::string& key,
                                       std::chrono::milliseconds fallback) {
  const auto value = s.integer(key, 1, 24 * 3600 * 1000);
  return value ? std::chrono::milliseconds(*value) : fallback;
}

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "node";
  return name;
}

}  // namespace

Config parse_config(const std::string& text, const std::string& base_folder, const std::string& name) {
  toml::table root;
  try {
    root = toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    std::ostringstream message;
    message << "config: " << name << " line " << e.source().begin.line << ": " << e.description();
    throw ConfigError(message.str());
  }
  Config config;
  config.config_path = name;
  Section top(root, "");

  if (const toml::table* table = subtable(top, "server")) {
    Section s(*table, "server");
    if (auto v = s.string("listen")) config.listen = *v;
    if (auto v = s.integer("port", 0, 65535)) config.port = static_cast<std::uint16_t>(*v);
    if (auto v = s.string("node_id")) config.node_id = *v;
    if (table->contains("io_threads")) {
      throw ConfigError(
          "config: server.io_threads is gone: the workers run the sockets too (server.workers)");
    }
    if (auto v = s.integer("workers", 0, 1024)) config.workers = static_cast<unsigned>(*v);
    if (auto v = s.integer("max_connections", 1, 1'000'000))
      config.max_connections = static_cast<std::size_t>(*v);
    // The library refuses documents over 32 MiB anyway; a bigger body limit would only cost memory.
    if (auto v = s.integer("max_body_bytes", 1024, std::int64_t{32} << 20)) {
      config.max_body_bytes = static_cast<std::size_t>(*v);
    }
    config.read_timeout = milliseconds(s, "read_timeout_ms", config.read_timeout);
    config.idle_timeout = milliseconds(s, "idle_timeout_ms", config.idle_timeout);
    config.write_timeout = milliseconds(s, "write_timeout_ms", config.write_timeout);
    config.drain_timeout = milliseconds(s, "drain_timeout_ms", config.drain_timeout);
    if (auto v = s.integer("challenge_ttl_seconds", 5, 24 * 3600))
      config.challenge_ttl = std::chrono::seconds(*v);
    if (auto v = s.boolean("metrics_public")) config.metrics_public = *v;
    s.finish();
  }

  const toml::table* database = subtable(top, "database");
  if (database == nullptr)
    throw ConfigError("config: [database] is missing (sqlite = \"FILE\" or postgresql = \"CONNINFO\")");
  {
    Section s(*database, "database");
    const auto sqlite = s.string("sqlite");
    const auto postgresql = s.string("postgresql");
    if (sqlite.has_value() == postgresql.has_value()) {
      throw ConfigError(
          "config: [database] needs exactly one of sqlite = \"FILE\" or postgresql = \"CONNINFO\"");
    }
    if (sqlite) {
      if (sqlite->empty()) s.fail("sqlite", "must name a file");
      config.database = DatabaseKind::sqlite;
      config.database_target = resolve(base_folder, *sqlite);
    } else {
      config.database = DatabaseKind::postgresql;
      config.database_target = *postgresql;
    }
    if (auto v = s.integer("connections", 0, 1024)) config.database_connections = static_cast<unsigned>(*v);
    if (auto v = s.string("sqlite_synchronous")) {
      if (*v != "full" && *v != "normal") s.fail("sqlite_synchronous", "must be \"full\" or \"normal\"");
      config.sqlite_full_sync = *v == "full";
    }
    s.finish();
  }

  if (const toml::table* table = subtable(top, "policy")) {
    Section s(*table, "policy");
    if (auto v = s.boolean("require_chip_authenticity")) config.require_chip_authenticity = *v;
    if (auto v = s.boolean("accept_expired")) config.accept_expired = *v;
    s.finish();
  }

  if (const toml::table* table = subtable(top, "tls")) {
    Section s(*table, "tls");
    config.tls_certificate = resolve(base_folder, s.string("certificate").value_or(""));
    config.tls_private_key = resolve(base_folder, s.string("private_key").value_or(""));
    if (config.tls_certificate.empty() || config.tls_private_key.empty()) {
      throw ConfigError("config: [tls] needs certificate and private_key (PEM files)");
    }
    s.finish();
  }

  if (const toml::table* table = subtable(top, "trust")) {
    Section s(*table, "trust");
    for (const std::string& path : s.strings("csca")) config.csca.push_back(resolve(base_folder, path));
    for (const std::string& path : s.strings("crls")) config.crls.push_back(resolve(base_folder, path));
    if (const toml::node* lists = s.get("master_lists")) {
      if (!lists->is_array_of_tables()) s.fail("master_lists", "must be [[trust.master_lists]] tables");
      for (const toml::node& item : *lists->as_array()) {
        Section m(*item.as_table(), "trust.master_lists");
        MasterListInput input;
        input.file = resolve(base_folder, m.string("file").value_or(""));
        input.roots = resolve(base_folder, m.string("roots").value_or(""));
        if (input.file.empty() || input.roots.empty()) {
          throw ConfigError(
              "config: each [[trust.master_lists]] needs file and roots (the certificate its signer must "
              "chain to)");
        }
        m.finish();
        config.master_lists.push_back(std::move(input));
      }
    }
    s.finish();
  }

  if (const toml::node* keys = top.get("api_keys")) {
    if (!keys->is_array_of_tables()) top.fail("api_keys", "must be [[api_keys]] tables");
    std::set<std::string> ids;
    for (const toml::node& item : *keys->as_array()) {
      Section k(*item.as_table(), "api_keys");
      ApiKey key;
      key.id = k.string("id").value_or("");
      if (key.id.empty() || key.id.size() > 64) k.fail("id", "must be a name of 1 to 64 characters");
      for (const char c : key.id) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) {
          k.fail("id", "may hold letters, digits, '-', '_' and '.' only (it appears in logs and metrics)");
        }
      }
      if (!ids.insert(key.id).second) k.fail("id", "\"" + key.id + "\" is given twice");
      const auto digest = from_hex(k.string("sha256").value_or(""));
      if (!digest || digest->size() != 32) {
        k.fail("sha256", "must be the SHA-256 of the key, 64 hex digits (printf %s KEY | sha256sum)");
      }
      std::copy(digest->begin(), digest->end(), key.sha256.begin());
      key.rate_per_second = k.number("rate_limit").value_or(0);
      key.burst = k.number("burst").value_or(0);
      if (key.burst == 0) key.burst = std::max(1.0, key.rate_per_second);
      k.finish();
      config.api_keys.push_back(std::move(key));
    }
  }
  if (config.api_keys.empty()) {
    throw ConfigError("config: no [[api_keys]]: every client of /v1 needs a key (id and sha256)");
  }
  top.finish();

  if (config.node_id.empty()) config.node_id = host_name();
  if (config.workers == 0) {
    const unsigned per_core = config.database == DatabaseKind::postgresql ? 4 : 1;
    config.workers = per_core * std::max(1u, std::thread::hardware_concurrency());
  }
  if (config.database_connections == 0) config.database_connections = config.workers;
  return config;
}

Config load_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("config: cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  const std::string base = std::filesystem::absolute(path).parent_path().string();
  return parse_config(text.str(), base, path);
}

}  // namespace cccd::server
