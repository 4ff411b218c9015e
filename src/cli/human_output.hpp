// The text a desk officer reads: the verdict first, then the holder's data with Vietnamese labels.
#pragma once

#include <cccd/report.hpp>

#include <ostream>

namespace cccd::cli {

void print_report(std::ostream& out, const Report& report);
void print_error(std::ostream& out, const Error& error);

}  // namespace cccd::cli
