#include "log.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace cccd::server {

namespace {
std::string now_text() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[40];
  const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(text + n, sizeof text - n, ".%03dZ", static_cast<int>(ms % 1000));
  return text;
}

// Whole lines only, under one lock: lines of several threads never interleave.
void write_lines(const std::string& lines) {
  static std::mutex mutex;
  const std::lock_guard lock(mutex);
  std::fwrite(lines.data(), 1, lines.size(), stderr);
  std::fflush(stderr);
}

// The outermost LogBatch alive on this thread, if any.
thread_local LogBatch* held_here = nullptr;
}  // namespace

LogBatch::LogBatch() : outermost_(held_here == nullptr) {
  if (outermost_) held_here = this;
}

LogBatch::~LogBatch() {
  if (!outermost_) return;
  held_here = nullptr;
  if (!lines_.empty()) write_lines(lines_);
}

void log_line(nlohmann::json fields) {
  // The fields' own object gets the time (objects keep their keys sorted, so where it goes changes
  // nothing in the line): no second object and no copy of every field per request.
  if (!fields.is_object()) fields = nlohmann::json::object();
  fields["time"] = now_text();
  // Invalid UTF-8 (a client's header) is replaced rather than throwing in the middle of a request.
  std::string text = fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text.push_back('\n');
  if (held_here != nullptr) {
    held_here->lines_ += text;
    return;
  }
  write_lines(text);
}

}  // namespace cccd::server
