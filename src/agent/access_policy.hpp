// Who may call cccd-agent. The agent listens on the officer's own machine, beside the card reader, and a
// card's data is personal: a web page the officer happens to open must not be able to start a read or
// fetch a result, so every request is judged here before any route runs.
//
//  - Host must name the agent itself (127.0.0.1, localhost, [::1] or the address it listens on, with its
//    port): a hostile site that points its own name at 127.0.0.1 (DNS rebinding) sends its own Host.
//  - A request that carries Origin (a browser sends it on every cross-origin request and on every
//    same-origin one that is not GET/HEAD) is served only when that origin is on the allow-list (or is
//    the agent's own page); anything else is refused with 403, whatever token it carries.
//  - A request without Origin comes from a program (curl, a desk application's back end) or is a GET of
//    the agent's own page. Programs need the bearer token; the page's own GETs are recognised by
//    Sec-Fetch-Site: same-origin, a header no page can set (the Fetch standard makes it forbidden).
//    The static page itself holds no personal data and is served to anyone allowed by the Host check.
// A program running on this machine can claim any Origin; it could equally talk to the reader through
// PC/SC directly, so the agent does not widen what local programs can do. Read ids are 128-bit random
// capabilities and results are dropped once delivered (reads.hpp), so a local program cannot fetch a
// read it did not start either.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cccd::agent {

// "http://127.0.0.1:8787" from "HTTP://127.0.0.1:8787/": scheme and host lower-cased, a trailing slash
// dropped. Nothing when `text` is not scheme://host[:port] (a path, a query, credentials, "null").
std::optional<std::string> normalise_origin(std::string_view text);

struct AccessSettings {
  std::vector<std::string> allowed_origins;  // normalised; the agent's own origins included
  std::vector<std::string> allowed_hosts;    // lower-case "host:port" values of the Host header
  std::string token;                         // the bearer token programs must present
};

enum class Access {
  allowed,      // go on; add CORS headers when the request had an allowed Origin
  bad_host,     // 403: Host is not the agent (DNS rebinding)
  bad_origin,   // 403: Origin present and not allowed
  needs_token,  // 401: no Origin, no valid token, not the agent's own page
};

struct RequestFacts {
  std::string_view host;  // Host header
  std::optional<std::string_view> origin;
  std::string_view authorization;   // Authorization header, "" when absent
  std::string_view sec_fetch_site;  // Sec-Fetch-Site header, "" when absent
  bool public_page = false;         // GET of the static page (/, /app.js, /style.css)
};

Access judge(const AccessSettings& settings, const RequestFacts& request);

// Whether `origin` (as the request sent it) is on the allow-list; used to decide the CORS headers.
bool origin_allowed(const AccessSettings& settings, std::string_view origin);

// Comparison in time independent of where the strings differ (the token).
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

// `bytes` random bytes from OpenSSL's generator, as hex digits (read ids, the token).
std::string random_hex(std::size_t bytes);

}  // namespace cccd::agent
