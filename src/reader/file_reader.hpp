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

// How a chip wants its files addressed, learnt during a read and kept for the session (every FileReader
// of it): some chips refuse READ BINARY by short file identifier under secure messaging (6A82, 6A86 or
// 6D00 to B0 with P1 = 80|SFI), and then every file is selected by its file identifier instead.
struct FileAddressing {
  bool select_by_fid = false;
};

class FileReader {
 public:
  // `extended_length`: use extended APDUs when the channel reports it supports them. With `addressing`
  // (the session's), a file refused by short file identifier is selected by file identifier before it
  // counts as absent, and a chip that answers that way is read by file identifier from then on; without
  // it (EF.CardAccess before access control) 6A82 to the SFI read means absent.
  FileReader(transport::Channel& channel, bool extended_length, FileAddressing* addressing = nullptr);

  using Progress = std::function<void(std::size_t done, std::size_t size)>;

  // Reads the whole file (its first TLV; padding after it is not read). 6A82 gives `absent` and
  // 6982 `denied`; any other refusal is Error(card_error) naming the status word.
  FileResult read(FileId file, const Progress& progress = {});
  // The same, continuing from the bytes in `content` (read before the card left the field; empty: from
  // the start). `content` grows as data arrives, so after an error it holds what was read: the caller
  // keeps it and, once the chip is open again, calls this again to go on from there without re-reading.
  FileResult read(FileId file, const Progress& progress, Bytes& content);

  // The largest plaintext one READ BINARY asks for.
  std::size_t chunk_size() const noexcept { return chunk_; }
  // Whether reads ask for more than a short APDU carries (a transmit error then may be the link
  // refusing extended length).
  bool uses_extended_length() const noexcept { return chunk_ > short_chunk_; }
  // The card answered 6700 to an extended-length READ BINARY (Error(card_error) was thrown): open the
  // chip again and read on short APDUs.
  bool extended_length_refused() const noexcept { return extended_length_refused_; }

 private:
  apdu::ResponseApdu read_binary(std::size_t offset, std::size_t length);
  apdu::ResponseApdu read_first(FileId file, std::size_t offset);
  // Sends a READ sized by `chunk_`. A card that announced extended length but answers 6700 to it is
  // marked (extended_length_refused) and the read ends: the answer may have come unprotected, outside
  // secure messaging, after which the send sequence counters of both sides cannot be trusted to agree.
  apdu::ResponseApdu sized_read(const std::function<apdu::ResponseApdu()>& send);
  std::optional<FileOutcome> refusal(std::uint16_t sw) const;

  transport::Channel& channel_;
  FileAddressing* addressing_;
  std::size_t chunk_;
  std::size_t short_chunk_;
  bool extended_length_refused_ = false;
};

}  // namespace cccd::reader
