// The elementary files of an eMRTD (ICAO Doc 9303 Part 10) that libcccd knows by name.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace cccd {

enum class FileId : std::uint8_t {
  card_access,  // EF.CardAccess (in the MF)
  com,          // EF.COM
  sod,          // EF.SOD
  dg1,
  dg2,
  dg3,
  dg4,
  dg5,
  dg6,
  dg7,
  dg8,
  dg9,
  dg10,
  dg11,
  dg12,
  dg13,
  dg14,
  dg15,
  dg16,
};

inline constexpr FileId kAllFiles[] = {
    FileId::card_access, FileId::com,  FileId::sod,  FileId::dg1,  FileId::dg2, FileId::dg3,  FileId::dg4,
    FileId::dg5,         FileId::dg6,  FileId::dg7,  FileId::dg8,  FileId::dg9, FileId::dg10, FileId::dg11,
    FileId::dg12,        FileId::dg13, FileId::dg14, FileId::dg15, FileId::dg16};

// Name used in dump folders and reports: "EF.CardAccess", "EF.COM", "EF.SOD", "DG1" ... "DG16".
std::string_view file_name(FileId file) noexcept;
std::optional<FileId> file_from_name(std::string_view name) noexcept;
// File identifier (e.g. 0x011E for EF.COM) and short file identifier (e.g. 0x1E).
std::uint16_t file_fid(FileId file) noexcept;
std::uint8_t file_sfi(FileId file) noexcept;
// Data group number 1..16, or 0 for EF.CardAccess, EF.COM and EF.SOD.
int data_group_number(FileId file) noexcept;
std::optional<FileId> data_group(int number) noexcept;
// The LDS tag of a data group (0x61 for DG1, 0x75 for DG2, ..., 0x6D for DG13), or 0.
std::uint8_t data_group_tag(FileId file) noexcept;
std::optional<FileId> data_group_from_tag(std::uint8_t tag) noexcept;

}  // namespace cccd
