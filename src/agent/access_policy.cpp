#include "agent/access_policy.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <vector>

namespace cccd::agent {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::optional<std::string> normalise_origin(std::string_view text) {
  std::string origin = lower(text);
  if (!origin.empty() && origin.back() == '/') origin.pop_back();
  const std::size_t scheme_end = origin.find("://");
  if (scheme_end == std::string::npos) return std::nullopt;
  const std::string_view scheme = std::string_view(origin).substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") return std::nullopt;
  const std::string_view authority = std::string_view(origin).substr(scheme_end + 3);
  if (authority.empty()) return std::nullopt;
  // An origin is scheme, host and port only: a path, query, fragment or user part makes it something
  // else, which a browser never sends as Origin.
  for (const char c : authority) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == ':' ||
                    c == '[' || c == ']';
    if (!ok) return std::nullopt;
  }
  return origin;
}

bool origin_allowed(const AccessSettings& settings, std::string_view origin) {
  const std::optional<std::string> normal = normalise_origin(origin);
  if (!normal) return false;
  return std::find(settings.allowed_origins.begin(), settings.allowed_origins.end(), *normal) !=
         settings.allowed_origins.end();
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Access judge(const AccessSettings& settings, const RequestFacts& request) {
  const std::string host = lower(request.host);
  if (std::find(settings.allowed_hosts.begin(), settings.allowed_hosts.end(), host) ==
      settings.allowed_hosts.end()) {
    return Access::bad_host;
  }
  if (request.origin) return origin_allowed(settings, *request.origin) ? Access::allowed : Access::bad_origin;
  if (request.public_page) return Access::allowed;
  constexpr std::string_view kBearer = "Bearer ";
  if (request.authorization.size() > kBearer.size() &&
      lower(request.authorization.substr(0, kBearer.size())) == "bearer " &&
      constant_time_equal(request.authorization.substr(kBearer.size()), settings.token)) {
    return Access::allowed;
  }
  if (request.sec_fetch_site == "same-origin") return Access::allowed;
  return Access::needs_token;
}

std::string random_hex(std::size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) {
    throw std::runtime_error("the random generator failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  for (const unsigned char b : raw) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0x0f]);
  }
  return out;
}

}  // namespace cccd::agent
