// Parsers of the LDS files (ICAO Doc 9303 Part 10) and of the CCCD's DG13. Every input is hostile:
// each parser throws Error(malformed_data) with a message naming the file and what is wrong, and never
// reads out of bounds, recurses on input depth, or allocates from a length field.
#pragma once

#include <cccd/document.hpp>
#include <cccd/dump.hpp>

namespace cccd::lds {

ComFile parse_ef_com(ByteView file);
Mrz parse_dg1(ByteView file);
PersonalData parse_dg13(ByteView file);
FaceImage parse_dg2(ByteView file);

// Parses every file of the dump it knows; failures go to Document::parse_errors, not exceptions.
Document parse_document(const ChipDump& dump);

// Bounds applied to untrusted input (documented in docs/ARCHITECTURE.md).
inline constexpr std::size_t kMaxDg13Fields = 64;
inline constexpr std::size_t kMaxDg13ValuesPerField = 8;
inline constexpr std::size_t kMaxFaceImages = 4;

}  // namespace cccd::lds
