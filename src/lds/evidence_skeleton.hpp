// The evidence document without its files' base64 text, for the JSON parser (evidence_document.cpp).
//
// nlohmann::json lexes a string one character at a time into a growing buffer: for the 40-odd kilobytes of
// base64 an evidence document mostly is, that cost 40 % of a whole verification from memory. The cutter
// finds, in one pass over the text, each value of the top-level member "files" that is a string of
// base64's alphabet alone ([A-Za-z0-9+/=], no escape) under a key without escape, and leaves it out of a
// "skeleton" copy of the document (the value becomes ""). The skeleton is then parsed as the document
// was: it is valid JSON exactly when the document is, with the same structure and the same members, since
// what was cut was the inside of string literals that JSON accepts as they stand.
//
// Where the cutter's picture could differ from the parser's, it says so (`exact` false, or a count of
// keys in "files" other than the parser's), and the caller parses the whole document instead: a key
// written with escapes at the top level or inside "files" (it may decode to "files" or to a file's name),
// "files" given twice, or a name given twice inside it (the parser keeps the last of each).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cccd::lds {

struct CutFile {
  std::string_view name;    // the key in "files", as written (it has no escape)
  std::string_view base64;  // the value's text, a view into the document
};

struct EvidenceSkeleton {
  std::string text;               // the document with each cut value's text left out
  std::vector<CutFile> cut;       // in the document's order
  std::size_t files_members = 0;  // the keys inside "files", cut or not: the parser's count unless repeated
  bool exact = true;              // no key written with escapes where it matters, "files" at most once
};

EvidenceSkeleton cut_file_texts(std::string_view document);

}  // namespace cccd::lds
