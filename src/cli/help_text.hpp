// cccd-verify's --help in the language of --lang (Vietnamese by default): the descriptions by their
// English text, and CLI11's own words (Usage, OPTIONS, REQUIRED ...).
#pragma once

#include "cli/messages.hpp"

#include <CLI/CLI.hpp>

#include <string>
#include <string_view>

namespace cccd::cli {

// The description `english` in `language` (English when no Vietnamese is known for it).
std::string help_text(std::string_view english, Language language);

// CLI11's labels, the option group's name and the help flag's description in `language`. Call before the
// options and subcommands are added (they copy the defaults).
void use_language(CLI::App& app, Language language);

}  // namespace cccd::cli
