// The server's log: one JSON object per line on standard error (journald and container runtimes collect
// it as is). Callers put in only what may be logged: routes, status codes, key ids, challenge ids,
// verdicts, durations, library error codes — never a name, an ID number, a photo or a raw body.
#pragma once

#include <nlohmann/json.hpp>

namespace cccd::server {

// Adds "time" (RFC 3339, milliseconds) and writes the line atomically with respect to other log lines.
void log_line(nlohmann::json fields);

}  // namespace cccd::server
