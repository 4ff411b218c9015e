// Internal to the lds layer: naming the file in every error a parser throws.
#pragma once

#include <cccd/error.hpp>

#include <string>
#include <utility>

namespace cccd::lds::detail {

[[noreturn]] inline void malformed(const char* file, const std::string& what) {
  throw Error(ErrorCode::malformed_data, std::string(file) + ": " + what);
}

// Runs `parse` and prefixes the message of any Error it throws with the file's name ("DG13: TLV: ..."),
// keeping its code. Messages of lower layers never carry personal data, so prefixing keeps that true.
template <class Parse>
auto in_file(const char* file, Parse&& parse) -> decltype(parse()) {
  try {
    return std::forward<Parse>(parse)();
  } catch (const Error& e) {
    std::string message = e.what();
    std::string prefix = std::string(file) + ": ";
    if (message.rfind(prefix, 0) == 0) throw;
    throw Error(e.code(), prefix + message);
  }
}

}  // namespace cccd::lds::detail
