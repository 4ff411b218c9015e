#include "metrics.hpp"

#include <sstream>

namespace cccd::server {

namespace {

// A reload counter (SIGHUP): "loaded", or "kept_old" when the new files failed and the old stayed.
void write_reloads(std::ostream& out, const char* name, const char* help,
                   const std::map<bool, std::uint64_t>& by_result) {
  out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " counter\n";
  for (const auto& [ok, n] : by_result)
    out << name << "{result=\"" << (ok ? "loaded" : "kept_old") << "\"} " << n << '\n';
}

}  // namespace

void Metrics::request(const std::string& route, unsigned status, double seconds) {
  const std::lock_guard lock(mutex_);
  ++requests_[{route, status}];
  Histogram& h = latency_[route];
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::verdict(const std::string& overall) {
  const std::lock_guard lock(mutex_);
  ++verdicts_[overall];
}

void Metrics::finding(const std::string& name, const std::string& status) {
  const std::lock_guard lock(mutex_);
  ++findings_[{name, status}];
}

void Metrics::verification(const std::string& overall,
                           const std::vector<std::pair<std::string, std::string>>& findings) {
  const std::lock_guard lock(mutex_);
  ++verdicts_[overall];
  for (const auto& finding : findings) ++findings_[finding];
}

void Metrics::store_operation(const std::string& operation, const std::string& outcome) {
  const std::lock_guard lock(mutex_);
  ++store_[{operation, outcome}];
}

void Metrics::rate_limited(const std::string& key_id) {
  const std::lock_guard lock(mutex_);
  ++rate_limited_[key_id];
}

void Metrics::trust_reload(bool ok) {
  const std::lock_guard lock(mutex_);
  ++trust_reloads_[ok];
}

void Metrics::tls_reload(bool ok) {
  const std::lock_guard lock(mutex_);
  ++tls_reloads_[ok];
}

std::string Metrics::text() const {
  std::ostringstream out;
  const std::lock_guard lock(mutex_);
  out << "# HELP cccd_http_requests_total HTTP requests answered, by route and status code.\n"
         "# TYPE cccd_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    out << "cccd_http_requests_total{route=\"" << key.first << "\",code=\"" << key.second << "\"} " << n
        << '\n';
  }
  out << "# HELP cccd_http_request_duration_seconds Time from the first byte of a request to its answer, by "
         "route.\n"
         "# TYPE cccd_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      out << "cccd_http_request_duration_seconds_bucket{route=\"" << route << "\",le=\"" << kBuckets[i]
          << "\"} " << h.buckets[i] << '\n';
    }
    out << "cccd_http_request_duration_seconds_bucket{route=\"" << route << "\",le=\"+Inf\"} " << h.count
        << '\n';
    out << "cccd_http_request_duration_seconds_sum{route=\"" << route << "\"} " << h.sum << '\n';
    out << "cccd_http_request_duration_seconds_count{route=\"" << route << "\"} " << h.count << '\n';
  }
  out << "# HELP cccd_verifications_total Evidence judged, by overall verdict.\n"
         "# TYPE cccd_verifications_total counter\n";
  for (const auto& [overall, n] : verdicts_) {
    out << "cccd_verifications_total{overall=\"" << overall << "\"} " << n << '\n';
  }
  out << "# HELP cccd_verification_findings_total Findings of the verdicts, by finding and status.\n"
         "# TYPE cccd_verification_findings_total counter\n";
  for (const auto& [key, n] : findings_) {
    out << "cccd_verification_findings_total{finding=\"" << key.first << "\",status=\"" << key.second
        << "\"} " << n << '\n';
  }
  out << "# HELP cccd_challenge_store_operations_total Challenge and audit store operations, by outcome.\n"
         "# TYPE cccd_challenge_store_operations_total counter\n";
  for (const auto& [key, n] : store_) {
    out << "cccd_challenge_store_operations_total{operation=\"" << key.first << "\",outcome=\"" << key.second
        << "\"} " << n << '\n';
  }
  out << "# HELP cccd_rate_limited_total Requests refused by a key's rate limit.\n"
         "# TYPE cccd_rate_limited_total counter\n";
  for (const auto& [key, n] : rate_limited_)
    out << "cccd_rate_limited_total{key_id=\"" << key << "\"} " << n << '\n';
  write_reloads(out, "cccd_trust_reloads_total", "Trust store reloads (SIGHUP), by result.", trust_reloads_);
  write_reloads(out, "cccd_tls_reloads_total", "TLS certificate and key reloads (SIGHUP), by result.",
                tls_reloads_);
  out << "# HELP cccd_connections_open Client connections open now.\n"
         "# TYPE cccd_connections_open gauge\n"
         "cccd_connections_open "
      << open_.load(std::memory_order_relaxed)
      << "\n# HELP cccd_connections_refused_total Connections refused at the connection limit.\n"
         "# TYPE cccd_connections_refused_total counter\n"
         "cccd_connections_refused_total "
      << refused_.load(std::memory_order_relaxed) << '\n';
  return out.str();
}

}  // namespace cccd::server
