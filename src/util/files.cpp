#include <cccd/files.hpp>

#include <array>

namespace cccd {
namespace {

struct FileInfo {
  FileId id;
  std::string_view name;
  std::uint16_t fid;
  std::uint8_t sfi;
  std::uint8_t tag;
};

// ICAO Doc 9303 Part 10, section 4.6 (FIDs, SFIs) and 4.7 (data group tags).
constexpr std::array<FileInfo, 19> kFiles{{
    {FileId::card_access, "EF.CardAccess", 0x011C, 0x1C, 0x00},
    {FileId::com, "EF.COM", 0x011E, 0x1E, 0x60},
    {FileId::sod, "EF.SOD", 0x011D, 0x1D, 0x77},
    {FileId::dg1, "DG1", 0x0101, 0x01, 0x61},
    {FileId::dg2, "DG2", 0x0102, 0x02, 0x75},
    {FileId::dg3, "DG3", 0x0103, 0x03, 0x63},
    {FileId::dg4, "DG4", 0x0104, 0x04, 0x76},
    {FileId::dg5, "DG5", 0x0105, 0x05, 0x65},
    {FileId::dg6, "DG6", 0x0106, 0x06, 0x66},
    {FileId::dg7, "DG7", 0x0107, 0x07, 0x67},
    {FileId::dg8, "DG8", 0x0108, 0x08, 0x68},
    {FileId::dg9, "DG9", 0x0109, 0x09, 0x69},
    {FileId::dg10, "DG10", 0x010A, 0x0A, 0x6A},
    {FileId::dg11, "DG11", 0x010B, 0x0B, 0x6B},
    {FileId::dg12, "DG12", 0x010C, 0x0C, 0x6C},
    {FileId::dg13, "DG13", 0x010D, 0x0D, 0x6D},
    {FileId::dg14, "DG14", 0x010E, 0x0E, 0x6E},
    {FileId::dg15, "DG15", 0x010F, 0x0F, 0x6F},
    {FileId::dg16, "DG16", 0x0110, 0x10, 0x70},
}};

const FileInfo& info(FileId file) noexcept {
  return kFiles[static_cast<std::size_t>(file)];
}

}  // namespace

std::string_view file_name(FileId file) noexcept {
  return info(file).name;
}

std::optional<FileId> file_from_name(std::string_view name) noexcept {
  for (const FileInfo& f : kFiles) {
    if (f.name == name) return f.id;
  }
  return std::nullopt;
}

std::uint16_t file_fid(FileId file) noexcept {
  return info(file).fid;
}
std::uint8_t file_sfi(FileId file) noexcept {
  return info(file).sfi;
}

int data_group_number(FileId file) noexcept {
  int index = static_cast<int>(file);
  return index >= static_cast<int>(FileId::dg1) ? index - static_cast<int>(FileId::dg1) + 1 : 0;
}

std::optional<FileId> data_group(int number) noexcept {
  if (number < 1 || number > 16) return std::nullopt;
  return static_cast<FileId>(static_cast<int>(FileId::dg1) + number - 1);
}

std::uint8_t data_group_tag(FileId file) noexcept {
  return data_group_number(file) > 0 ? info(file).tag : 0;
}

std::optional<FileId> data_group_from_tag(std::uint8_t tag) noexcept {
  for (const FileInfo& f : kFiles) {
    if (f.tag == tag && data_group_number(f.id) > 0) return f.id;
  }
  return std::nullopt;
}

}  // namespace cccd
