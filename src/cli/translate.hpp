// Vietnamese for the English sentences the library writes (finding details, error messages): the
// library's text stays English and language-neutral (JSON, logs), the person at a Vietnamese desk reads
// Vietnamese. The library's sentences are built from fixed phrases around technical names (DG14, PACE,
// SHA-256, numbers), so translating is replacing each known phrase; names stay as they are.
#pragma once

#include <string>
#include <string_view>

namespace cccd::cli {

// `english` with every known phrase in Vietnamese (longest first); unknown text is left as it is.
std::string to_vietnamese(std::string_view english);

}  // namespace cccd::cli
