// Reads elementary files from an opened chip: READ BINARY sized to the largest response the link and
// secure messaging allow, by short file identifier first (no SELECT needed), with bounded effort.
#pragma once

#include "transport/channel.hpp"

#include <cccd/files.hpp>
#include <cccd/reader.hpp>

#include <functional>
#include <optional>

namespace cccd::reader {

// Bounds a hostile card cannot push past (docs/ARCHITECTURE.md, "Bounds").
inline constexpr std::size_t kMaxFileSize = 1 << 20;     // 1 MiB; a CCCD's largest file (DG2) is ~25 KB
inline constexpr std::size_t kMaxExtraApdusPerFile = 8;  // beyond the count the file size needs

enum class FileOutcome { read, absent, denied };

struct FileResult {
  FileOutcome outcome = FileOutcome::read;
  Bytes content;
};

class FileReader {
 public:
  // `extended_length`: use extended APDUs when the channel reports it supports them.
  FileReader(transport::Channel& channel, bool extended_length);

  // Reads the whole file (its first TLV; padding after it is not read). 6A82 gives `absent` and
  // 6982 `denied`; any other refusal is Error(card_error) naming the status word.
  FileResult read(FileId file, const std::function<void(std::size_t done, std::size_t size)>& progress = {});

  // The largest plaintext one READ BINARY asks for.
  std::size_t chunk_size() const noexcept { return chunk_; }

 private:
  apdu::ResponseApdu read_binary(std::size_t offset, std::size_t length);
  std::optional<FileOutcome> refusal(std::uint16_t sw) const;

  transport::Channel& channel_;
  std::size_t chunk_;
};

}  // namespace cccd::reader
