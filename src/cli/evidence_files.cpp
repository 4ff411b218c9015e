#include "cli/evidence_files.hpp"

#include "util/atomic_private_file.hpp"
#include "util/private_file.hpp"

#include <cccd/error.hpp>
#include <cccd/evidence.hpp>

#include <fcntl.h>
#include <sys/stat.h>

#include <iostream>
#include <iterator>
#include <optional>

namespace cccd::cli {
namespace {

std::string_view text_of(const Bytes& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

Bytes read_document(const std::string& file) {
  if (file == "-") {
    // stdin: bounded as a file is.
    Bytes bytes;
    char buffer[65536];
    while (std::cin.read(buffer, sizeof buffer) || std::cin.gcount() > 0) {
      bytes.insert(bytes.end(), buffer, buffer + std::cin.gcount());
      if (bytes.size() > kMaxEvidenceDocumentSize)
        throw Error(ErrorCode::limit_exceeded, "evidence: the document is larger than 32 MiB");
    }
    return bytes;
  }
  std::optional<Bytes> bytes = read_bounded_file(file, kMaxEvidenceDocumentSize);
  if (!bytes) throw Error(ErrorCode::io, "evidence: the document does not exist");
  return std::move(*bytes);
}

}  // namespace

ChipDump load_evidence(const std::filesystem::path& path) {
  // A regular file (not through a link) is a document; anything else is what load_dump takes or refuses
  // with its own message (a missing folder, a link, a FIFO).
  struct stat info {};
  if (::lstat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode))
    return parse_evidence_document(text_of(read_document(path.string())));
  return load_dump(path);
}

void write_evidence_document(const ChipDump& dump, const std::string& file, bool replace) {
  const std::string document = evidence_document(dump) + "\n";
  if (file == "-") {
    std::cout << document;
    std::cout.flush();
    if (!std::cout) throw Error(ErrorCode::io, "cannot write the evidence document to stdout");
    return;
  }
  write_private_file_atomically(
      file, ByteView(reinterpret_cast<const std::uint8_t*>(document.data()), document.size()), replace);
}

int run_pack(const std::string& folder, const std::string& file, bool replace) {
  write_evidence_document(load_dump(folder), file.empty() ? "-" : file, replace);
  return 0;
}

int run_unpack(const std::string& file, const std::string& folder, bool replace) {
  write_dump(parse_evidence_document(text_of(read_document(file))), folder, replace);
  return 0;
}

}  // namespace cccd::cli
