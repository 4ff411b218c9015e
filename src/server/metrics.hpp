// Counters for GET /metrics in the Prometheus text format (version 0.0.4). Labels are fixed words chosen
// by the server (routes, status codes, finding names, key ids from the config), never request data, so
// the number of series stays bounded and no personal data reaches the metrics.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace cccd::server {

class Metrics {
 public:
  void request(const std::string& route, unsigned status, double seconds);
  void verdict(const std::string& overall);
  void finding(const std::string& name, const std::string& status);
  // A judged verification's verdict and its findings (name, status), counted under one lock.
  void verification(const std::string& overall,
                    const std::vector<std::pair<std::string, std::string>>& findings);
  void store_operation(const std::string& operation, const std::string& outcome);
  void rate_limited(const std::string& key_id);
  void connection_refused() { refused_.fetch_add(1, std::memory_order_relaxed); }
  void connection_opened() { open_.fetch_add(1, std::memory_order_relaxed); }
  void connection_closed() { open_.fetch_sub(1, std::memory_order_relaxed); }
  void trust_reload(bool ok);
  void tls_reload(bool ok);

  std::string text() const;

  // Upper bounds of the latency histogram's buckets, in seconds.
  static constexpr std::array<double, 14> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                      0.25,  0.5,    1,     2.5,  5,     10,   30};

 private:
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size()> buckets{};
    std::uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, unsigned>, std::uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
  std::map<std::string, std::uint64_t> verdicts_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> findings_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> store_;
  std::map<std::string, std::uint64_t> rate_limited_;
  std::map<bool, std::uint64_t> trust_reloads_;  // by result: true, loaded; false, kept the old
  std::map<bool, std::uint64_t> tls_reloads_;
  std::atomic<std::int64_t> open_{0};
  std::atomic<std::uint64_t> refused_{0};
};

}  // namespace cccd::server
