#include "cli/progress_bar.hpp"

#include <cstdlib>
#include <string_view>

namespace cccd::cli {
namespace {

constexpr std::size_t kBarCells = 20;

std::string kilobytes(std::size_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", static_cast<double>(bytes) / 1024.0);
  return text;
}

}  // namespace

ProgressBar::ProgressBar(std::FILE* out, bool enabled, const Messages& text)
    : out_(out), enabled_(enabled && out != nullptr), text_(text) {}

ProgressBar::~ProgressBar() {
  clear();
}

std::string ProgressBar::line(const ReadProgress& progress) {
  if (!started_ || progress.file != current_) {
    if (started_) finished_bytes_ += current_bytes_;
    current_ = progress.file;
    started_ = true;
  }
  current_bytes_ = progress.file_bytes;

  std::string name(file_name(progress.file));
  name.resize(std::max<std::size_t>(name.size(), 6), ' ');
  std::size_t filled = 0;
  if (progress.file_size > 0)
    filled = std::min(kBarCells, progress.file_bytes * kBarCells / progress.file_size);
  std::string out = name + "[" + std::string(filled, '#') + std::string(kBarCells - filled, '.') + "] " +
                    kilobytes(progress.file_bytes) + "/" +
                    (progress.file_size > 0 ? kilobytes(progress.file_size) : std::string("?")) + " KB";
  out += "  · " + std::to_string(progress.files_done) + "/" +
         (progress.files_total > 0 ? std::to_string(progress.files_total) : std::string("?")) + " " +
         text_.files + ", " + kilobytes(finished_bytes_ + current_bytes_) + " KB";
  return out;
}

void ProgressBar::update(const ReadProgress& progress) {
  const std::string text = line(progress);
  if (!enabled_) return;
  // Pad with spaces over what a longer previous line left behind.
  const std::size_t padding = width_ > text.size() ? width_ - text.size() : 0;
  std::fprintf(out_, "\r%s%s", text.c_str(), std::string(padding, ' ').c_str());
  std::fflush(out_);
  width_ = text.size();
  drawn_ = true;
}

void ProgressBar::clear() {
  if (!enabled_ || !drawn_) return;
  std::fprintf(out_, "\r%s\r", std::string(width_, ' ').c_str());
  std::fflush(out_);
  drawn_ = false;
  width_ = 0;
}

std::chrono::milliseconds test_read_delay() {
  const char* value = std::getenv("CCCD_TEST_READ_DELAY_MS");
  if (value == nullptr) return std::chrono::milliseconds(0);
  char* end = nullptr;
  const long ms = std::strtol(value, &end, 10);
  if (end == value || *end != '\0' || ms <= 0 || ms > 10000) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(ms);
}

}  // namespace cccd::cli
