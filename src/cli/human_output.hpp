// The text a desk officer reads: the verdict first, then the holder's data, in the language of
// `text` (cli/messages.hpp: Vietnamese by default, English with --lang en).
#pragma once

#include "cli/messages.hpp"

#include <cccd/report.hpp>

#include <ostream>

namespace cccd::cli {

void print_report(std::ostream& out, const Report& report, const Messages& text = messages(Language::vi));
void print_error(std::ostream& out, const Error& error, const Messages& text = messages(Language::vi));

}  // namespace cccd::cli
