// The one-line progress bar cccd-verify draws on a terminal while it reads a card:
//   DG2   [#######.....]  12.3/24.1 KB  · 5/7 files, 31.0 KB
// the file being read with its bytes, then the files done of the files to read and the bytes read in all.
// Redrawn in place with \r, erased when the read ends; silent when the stream is not a terminal (a log,
// a pipe) and with --json, so nothing but the result reaches a script.
#pragma once

#include "cli/messages.hpp"

#include <cccd/reader.hpp>

#include <chrono>
#include <cstdio>
#include <string>

namespace cccd::cli {

class ProgressBar {
 public:
  // Draws on `out` only when `enabled` (the caller checks isatty and --json).
  ProgressBar(std::FILE* out, bool enabled, const Messages& text);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void update(const ReadProgress& progress);
  // Erases the line (before the result is printed, or an error).
  void clear();

  // The line for `progress` without drawing it (what update() draws; for tests).
  std::string line(const ReadProgress& progress);

 private:
  std::FILE* out_;
  bool enabled_;
  const Messages& text_;
  bool drawn_ = false;
  std::size_t width_ = 0;  // bytes of the last line drawn, to blank it
  // Bytes of the files finished before the current one; a file is finished when the next one starts.
  FileId current_ = FileId::com;
  std::size_t current_bytes_ = 0;
  std::size_t finished_bytes_ = 0;
  bool started_ = false;
};

// The bar's delay for the tmux test (CCCD_TEST_READ_DELAY_MS): milliseconds to sleep after each chunk
// read from a VIRTUAL card, so that a pane capture sees the bar advance; 0 when unset or not a number.
// Test-only, undocumented for users, never applied to a real reader.
std::chrono::milliseconds test_read_delay();

}  // namespace cccd::cli
